"""`python -m claimwatch …` is the `claimwatch` command."""

from claimwatch.cli import app

app(prog_name="claimwatch")
