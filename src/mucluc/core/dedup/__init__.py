"""Deduplication: blocking keys and the decision whether two records are one edition."""
