"""``envsched user add NAME --role R [--token]`` and friends: user administration."""

from __future__ import annotations

import datetime as dt
import sys

import click

from envsched import accounts
from envsched.db import database
from envsched.models import Role
from envsched.settings import Settings

ROLES = [role.value for role in Role]


@click.group("user")
def user() -> None:
    """Add users and issue API tokens."""


@user.command()
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--full-name", default="")
@click.option("--email", default="")
@click.option(
    "--password-stdin", is_flag=True, help="Read a password from the first line of standard input."
)
@click.option(
    "--token",
    "with_token",
    is_flag=True,
    help="Also issue an API token, printed as the last word of the output.",
)
def add(
    name: str, role: str, full_name: str, email: str, password_stdin: bool, with_token: bool
) -> None:
    """Add user NAME with role R."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    now = dt.datetime.now(dt.UTC)
    with database(Settings.from_env()) as sessions:
        added = accounts.create_user(
            sessions,
            name,
            role,
            actor=None,
            now=now,
            password=password,
            full_name=full_name,
            email=email,
        )
        message = f"added user {added.name} ({added.role.value})"
        if with_token:
            _token, secret = accounts.issue_token(
                sessions, added.name, actor=None, now=now, label="cli"
            )
            message += f"; API token: {secret}"
    click.echo(message)


@user.command()
@click.argument("name")
@click.option("--label", default="cli", show_default=True)
def token(name: str, label: str) -> None:
    """Issue a new API token for NAME; the token is the last word of the output."""
    with database(Settings.from_env()) as sessions:
        _token, secret = accounts.issue_token(
            sessions, name, actor=None, now=dt.datetime.now(dt.UTC), label=label
        )
    click.echo(f"API token for {name}: {secret}")


COMMANDS = (user,)
