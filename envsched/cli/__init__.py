"""The ``envsched`` command line: one click group, commands loaded from small modules.

Each module names its commands in ``COMMANDS``; ``COMMAND_MODULES`` says which module
holds which command, and a module is imported only when one of its commands runs, so
``envsched check`` does not pay for the database, pandas or OR-Tools. A new area adds
its commands to ``COMMAND_MODULES`` and nothing else here changes.
"""

from __future__ import annotations

import importlib

import click

from envsched.cli.errors import TranslatingGroup

COMMAND_MODULES = {
    "plan": "planning", "check": "planning", "generate": "planning",
    "db": "db", "user": "users", "serve": "serve",
    "demo": "state", "clashes": "state", "capacity": "state",
    "export": "state", "import": "state",
    "replan": "replan", "scheduler": "replan",
    "whatif": "whatif",
}


class LazyGroup(TranslatingGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"envsched.cli.{module_name}")
        return next(command for command in module.COMMANDS if command.name == cmd_name)


@click.group(cls=LazyGroup)
@click.version_option(package_name="envsched")
def main() -> None:
    """envsched: book and schedule test environments for releases."""
