"""The `mucluc` command line: one module per noun, wired in `main.py`."""
