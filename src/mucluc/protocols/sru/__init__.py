"""SRU 1.2 and 2.0 (Search/Retrieve via URL): CQL into the one query model, MARCXML and DC out."""
