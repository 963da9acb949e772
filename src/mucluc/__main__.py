"""`python -m mucluc` runs the command line."""

from mucluc.cli.main import run

run()
