"""Turn errors meant for the user into an exit code and one line on stderr, for every command.

Commands raise what they raise (``ScenarioError`` names the file and the JSON path, an
``OSError`` the file, services their named ``EnvschedError``); this is the only place that
decides how a user sees it, so no command carries its own try/except and no user ever sees
a traceback for a mistake of theirs. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any

import click

from envsched.errors import ConfigError, EnvschedError, InvalidInput, InvalidScenario, NotFound
from solver.errors import ScenarioError

EXIT_OK = 0
EXIT_PROBLEMS = 1  # a check found problems, planning found no plan, a service said no
EXIT_BAD_INPUT = 2

# Usage errors about a value the user typed; click's others (an unknown command, or a group
# called without one, which shows its help) keep click's own display, still exit code 2.
BAD_COMMAND_LINE = (
    click.BadParameter,
    click.BadOptionUsage,
    click.BadArgumentUsage,
    click.NoSuchOption,
)
BAD_INPUT = (ScenarioError, InvalidInput, InvalidScenario, NotFound, ConfigError)


def translate(error: Exception) -> tuple[int, str] | None:
    """Exit code and one line for an error the user can act on; None for a bug."""
    if isinstance(error, OSError):
        if error.filename is None:
            return None
        return EXIT_BAD_INPUT, f"{error.filename}: {(error.strerror or str(error)).lower()}"
    if isinstance(error, BAD_COMMAND_LINE):
        command = error.ctx.command_path if error.ctx is not None else "envsched"
        return EXIT_BAD_INPUT, f"{command}: {error.format_message()}"
    if isinstance(error, InvalidScenario):
        return EXIT_BAD_INPUT, ": ".join(p for p in (error.source, error.path, error.message) if p)
    if isinstance(error, BAD_INPUT):
        return EXIT_BAD_INPUT, str(error)
    if isinstance(error, EnvschedError):
        return EXIT_PROBLEMS, error.message
    return None


class TranslatingGroup(click.Group):
    """A click group whose subcommands' user errors end as one stderr line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OSError, EnvschedError, ScenarioError, *BAD_COMMAND_LINE) as error:
            translated = translate(error)
            if translated is None:
                raise
            code, message = translated
            click.echo(f"error: {message}", err=True)
            ctx.exit(code)
