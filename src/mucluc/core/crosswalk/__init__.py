"""Crosswalks between MARC 21 and the XML forms the protocols speak: MARCXML and Dublin Core."""
