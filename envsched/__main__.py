"""``python -m envsched``: the same command line as the ``envsched`` console script."""

from envsched.cli import main

main(prog_name="envsched")
