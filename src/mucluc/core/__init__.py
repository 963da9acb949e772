"""The pure domain: MARC reading, normalisation, match keys. No I/O, no frameworks, no settings."""
