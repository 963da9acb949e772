"""The staff web admin: sign-in, API keys, accounts and the audit log, server-rendered."""
