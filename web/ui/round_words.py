"""A planning round's reasons in the words of the other pages: why a booking moves (from
the booking and its phase, not the solver's scenario days), why a release is late, what
a kept booking breaks; dates as "15–24 Feb 2027", never ISO; no "pinned" (to a person,
they are tentative bookings the round kept where they are).

The solver's own texts stay as they are for the CLI and the plan file; ``plain_text``
only says their dates and quoted reasons as a page does.
"""

from __future__ import annotations

import datetime as dt
import re

from envsched import planning
from envsched.counted import counted
from envsched.days import day_text, days_text
from envsched.models.round_results import BrokenRule, LateFlag, MovedProposal

ISO_DATE = re.compile(r"\b(\d{4}-\d\d-\d\d)\b")
ISO_SPAN = re.compile(r"\b(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)\b")
QUOTED = (
    (re.compile(r"the freeze '([^']*)'"), r"the \1"),
    (re.compile(r"frozen for '([^']*)'"), r"frozen for the \1"),
    (re.compile(r"unavailable '([^']*)'"), r"unavailable: \1"),
)
# The other rules, as the end of "where it is, it …"
BROKEN_WORDS = {
    "eligibility": "is on an environment its phase cannot use",
    "capacity": "overbooks its environment",
    "changeover": "leaves no time to change over",
    "horizon": "runs beyond the days planned",
}
LATE_HEAD = re.compile(r"^\S+ late by \d+ days?: ")


def plain_text(text: str) -> str:
    """A solver text with its days said as pages say them and without "pinned"."""
    text = ISO_SPAN.sub(lambda m: days_text(_day(m[1]), _day(m[2]) + dt.timedelta(days=1)), text)
    text = ISO_DATE.sub(lambda m: day_text(_day(m[1])), text)
    for pattern, words in QUOTED:
        text = pattern.sub(words, text)
    return re.sub(r"\bpinned ", "", text)


def move_why(move: MovedProposal) -> str:
    """Why a round moves a booking: the rules it breaks where it is, or what moving gains."""
    if not move.broken:
        return sentence(plain_text(move.why))
    before = move.before
    where = f"{before.environment}, {days_text(_day(before.start), _day(before.end))}"
    rules = "; ".join(broken_words(b, move) for b in move.broken)
    return f"Where it is ({where}) it {rules}"


def sentence(text: str) -> str:
    """``text`` with a capital first letter (the rest as it is: keys stay upper case)."""
    return text[:1].upper() + text[1:]


def broken_words(broken: BrokenRule, move: MovedProposal) -> str:
    """One rule a booking breaks where it is, as the end of "where it is, it …"."""
    first = _day(broken.start) if broken.start else None
    days = days_text(first, _day(broken.end)) if first and broken.end else ""
    if broken.rule == "earliest_start" and first:
        return f"starts before {day_text(first)}, the first day {move.release} may start"
    if broken.rule == "order" and broken.involves:
        booked = f" (booked {days})" if days else ""
        passed = f"{counted(broken.gap, 'day')} {'has' if broken.gap == 1 else 'have'} passed"
        wait = f" and {passed}" if broken.gap else ""
        return f"starts before {broken.involves[0]}{booked} is done{wait}"
    if broken.rule == "freeze":
        return f"falls in the {broken.reason or 'change freeze'}" + (f" ({days})" if days else "")
    if broken.rule == "unavailable":
        why = f": {broken.reason}" if broken.reason else ""
        return f"falls in a maintenance window{why}" + (f" ({days})" if days else "")
    others = f" with {', '.join(broken.involves)}" if broken.involves else ""
    return f"{BROKEN_WORDS.get(broken.rule) or 'is ' + planning.rule_words(broken.rule)}{others}"


def late_words(flag: LateFlag) -> str:
    """``5 days late: its phases need …``: the count once, then the solver's causes."""
    causes = plain_text(LATE_HEAD.sub("", flag.reason)) if flag.reason else ""
    late = f"{counted(flag.late_days, 'day')} late"
    return f"{late}: {causes}" if causes else late


def _day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)
