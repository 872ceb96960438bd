"""The rules of a phase's placement, written once (docs/design.md, "Meaning").

Every path that writes a booking of a phase (request, approve, direct booking, move,
accept a proposal, offer freed days, import) asks ``check_placement``; the clash report
asks ``phase_breaks`` of every stored booking; slot suggestions ask ``phase_window``.
So the stored state is one the planner can plan, and what breaks a rule is a clash.

The environment's own days (capacity, changeover, maintenance, freezes) are checked by
``availability.check_fits``; here are the rules of the phase:

* ``eligibility``: the environment has the phase's type, its tags, and is among the
  environments it is limited to;
* ``earliest_start``: not before the release's earliest start nor the phase's own;
* ``order``: not before each predecessor is done plus the phase's gap (a predecessor not
  yet booked is done at the earliest its own rules allow), and done before each booked
  successor must start;
* ``one_per_phase``: at most one live booking per phase (the database enforces it too).

An environment manager may force a placement that breaks any rule but ``one_per_phase``
and capacity, with a reason: the booking is then stored, audited, and reported as a clash.
"""

from envsched.booking.rulebook.checks import (
    ONE_PER_PHASE_INDEX,
    Window,
    check_placement,
    check_request,
    holder_name,
    is_booked,
    is_second_booking,
    not_booked_yet,
    phase_days,
    phase_window,
    release_plan,
    release_plans,
)
from envsched.booking.rulebook.rules import (
    RULES,
    UNFORCEABLE,
    Held,
    ReleasePlan,
    Rule,
    RuleBreak,
    RuleBroken,
    already_booked,
    done_by,
    earliest_start,
    first_start,
    latest_end,
    own_earliest,
    phase_breaks,
)

__all__ = [
    "ONE_PER_PHASE_INDEX",
    "RULES",
    "UNFORCEABLE",
    "Held",
    "ReleasePlan",
    "Rule",
    "RuleBreak",
    "RuleBroken",
    "Window",
    "already_booked",
    "check_placement",
    "check_request",
    "done_by",
    "earliest_start",
    "first_start",
    "holder_name",
    "is_booked",
    "is_second_booking",
    "latest_end",
    "not_booked_yet",
    "own_earliest",
    "phase_breaks",
    "phase_days",
    "phase_window",
    "release_plan",
    "release_plans",
]
