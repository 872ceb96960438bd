"""The ``envsched`` command line: one click group, commands registered from small modules.

Each module names its commands in ``COMMANDS``; a new area (``db``, ``serve`` …) adds its
module to ``COMMAND_MODULES`` and nothing else here changes.
"""

from __future__ import annotations

import click

from envsched.cli import db, planning, replan, serve, state, users, whatif
from envsched.cli.errors import TranslatingGroup

COMMAND_MODULES = (planning, db, users, state, serve, replan, whatif)


@click.group(cls=TranslatingGroup)
@click.version_option(package_name="envsched")
def main() -> None:
    """envsched: book and schedule test environments for releases."""


for _module in COMMAND_MODULES:
    for _command in _module.COMMANDS:
        main.add_command(_command)
