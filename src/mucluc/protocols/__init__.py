"""The standard protocols other library systems speak to the union catalogue.

OAI-PMH (`oaipmh`), SRU (`sru`) and Z39.50 (`z3950`): thin adapters over the services.
"""
