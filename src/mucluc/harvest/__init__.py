"""Harvesting member libraries' catalogues into the union catalogue (OAI-PMH client)."""
