"""MARC21 in and out: reading ISO 2709 into records, describing records for display and search."""
