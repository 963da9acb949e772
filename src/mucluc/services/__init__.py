"""Use cases: ingest, match, search, export. They use the core and the ports, never adapters."""
