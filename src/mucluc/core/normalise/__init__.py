"""mucluc."""
