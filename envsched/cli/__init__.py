"""The ``envsched`` command line: one click group, commands loaded from small modules.

Each module names its commands in ``COMMANDS``; ``COMMAND_MODULES`` says which module
holds which command, and a module is imported only when one of its commands runs, so
``envsched check`` does not pay for the database, pandas or OR-Tools. A new area adds
its commands to ``COMMAND_MODULES`` and nothing else here changes.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import click

from envsched.cli.errors import TranslatingGroup

COMMAND_MODULES = {
    "plan": "planning",
    "check": "planning",
    "generate": "planning",
    "db": "db",
    "user": "users",
    "demo": "state",
    "clashes": "clash_report",
    "capacity": "state",
    "export": "state",
    "import": "state",
    "replan": "replan",
    "worker": "worker",
    "scheduler": "worker",
    "whatif": "whatif",
    "notify": "notify",
}


# Commands of the layers above (``envsched serve`` is the web app's), declared as entry
# points by the package that holds them: this module never names them.
PLUGIN_GROUP = "envsched.commands"


class LazyGroup(TranslatingGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *(e.name for e in entry_points(group=PLUGIN_GROUP))})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return _plugin(cmd_name)
        module = importlib.import_module(f"envsched.cli.{module_name}")
        return next(command for command in module.COMMANDS if command.name == cmd_name)


def _plugin(name: str) -> click.Command | None:
    found = entry_points(group=PLUGIN_GROUP, name=name)
    return next((e.load() for e in found), None)


@click.group(cls=LazyGroup)
@click.version_option(package_name="envsched")
def main() -> None:
    """envsched: book and schedule test environments for releases."""
