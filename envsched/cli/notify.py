"""``envsched notify send-due``: send the deliveries that are due, for operators.

The scheduler process does this every minute; this command is for an installation
without it (a cron line) and for an operator who has fixed a receiver and wants the
queue sent now. It first queues what the audit log holds since the last look.
"""

from __future__ import annotations

import click

from envsched.cli.state import stored_state
from envsched.models import DeliveryStatus
from envsched.notify import Notifier, send_due, utc_now
from envsched.settings import Settings


@click.group()
def notify() -> None:
    """Notifications: the delivery queue of mail and webhooks."""


@notify.command("send-due")
def send_due_command() -> None:
    """Make one attempt at every delivery due now; print how they ended."""
    settings = Settings.from_env()
    with stored_state() as sessions:
        Notifier(settings).audit_events(sessions, utc_now())
        report = send_due(sessions, settings)
    click.echo(
        f"delivered {report[DeliveryStatus.DELIVERED]}, "
        f"to retry {report[DeliveryStatus.PENDING]}, "
        f"expired {report[DeliveryStatus.EXPIRED]}"
    )


COMMANDS = (notify,)
