"""Who may do what: roles, credentials (passwords, API keys, sessions) and their services.

`roles` is pure (no I/O): the authorisation rules every boundary asks.
`credentials` hashes and checks secrets. `service` ties them to a store
through the `SecurityStore` port and writes every change to the audit log.
"""
