"""A count with its noun, in the singular or the plural as the count needs: "1 booking",
"3 bookings", never "3 booking(s)". Pages, mails and the CLI count things through here."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``counted(1, "day")`` is "1 day", ``counted(2, "day")`` "2 days"; ``plural`` for
    nouns that do not just take an s (``counted(2, "change", "changes")``)."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
