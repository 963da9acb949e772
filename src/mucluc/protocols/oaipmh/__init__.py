"""The OAI-PMH 2.0 provider at `/oai`: union records as oai_dc and MARCXML, with sets."""
