"""The public web catalogue: server-rendered pages in Vietnamese."""
