"""The search index: tantivy, derived from the store and fed from the change log."""
