"""Turn bad input into exit code 2 and one line on stderr, for every command at once.

Commands raise what they raise (``ScenarioError`` names the file and the JSON path, an
``OSError`` names the file); this is the only place that decides how a user sees it, so no
command carries its own try/except and no user ever sees a traceback for a mistake of theirs.
"""

from __future__ import annotations

from typing import Any

import click

from solver.errors import ScenarioError

EXIT_OK = 0
EXIT_PROBLEMS = 1  # a check found problems, or planning found no plan
EXIT_BAD_INPUT = 2

# Usage errors about a value the user typed; click's others (an unknown command, or a group
# called without one, which shows its help) keep click's own display, still exit code 2.
BAD_COMMAND_LINE = (
    click.BadParameter,
    click.BadOptionUsage,
    click.BadArgumentUsage,
    click.NoSuchOption,
)


def describe_bad_input(error: BaseException) -> str | None:
    """One line saying what is wrong with the user's input, or None when it is not theirs."""
    if isinstance(error, ScenarioError):
        return str(error)
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {(error.strerror or str(error)).lower()}"
    if isinstance(error, BAD_COMMAND_LINE):
        command = error.ctx.command_path if error.ctx is not None else "envsched"
        return f"{command}: {error.format_message()}"
    return None


class TranslatingGroup(click.Group):
    """A click group whose subcommands' bad-input errors end as one stderr line and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ScenarioError, OSError, *BAD_COMMAND_LINE) as error:
            message = describe_bad_input(error)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
