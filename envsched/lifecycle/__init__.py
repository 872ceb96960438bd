"""The release lifecycle: releases and phases, the status flow, gates, release windows
and cadence, templates, cancelling, deployments, the release calendar and the KPIs.

``releases`` (releases and phases), ``flow`` (the status flow as rules, the one place a
status changes), ``status`` (the verbs: steps, deployments, back-outs), ``cancel``,
``gates`` and ``gate_rules`` (which gates each step needs), ``windows`` and ``cadence``
(the release strategy), ``templates``, ``calendar``, ``kpis`` and ``kpi_history``.
``lookup`` finds a release or a phase by key. Other packages and ``web`` call what this
face exports, and take the shapes the verbs read and answer with from
``envsched.lifecycle.shapes`` (docs/design.md, "Feature packages").
"""

from envsched.lifecycle import shapes
from envsched.lifecycle.calendar import (
    FREEZES_LANE,
    MAINTENANCE_LANE,
    WINDOWS_LANE,
    CalendarItem,
    calendar_items,
    calendar_months,
    grid_items,
    release_calendar,
)
from envsched.lifecycle.cancel import Withdrawn, held_by
from envsched.lifecycle.flow import (
    BY_RECORD,
    NEXT,
    InvalidTransition,
    check_plain_step,
    record_status,
    step,
)
from envsched.lifecycle.gate_rules import STATUS_STEPS, GatedStep, blocking, check_start
from envsched.lifecycle.gates import (
    ALLOWED_FROM,
    GateRef,
    GateView,
    check_may_decide,
    decide_in,
    define_gate,
    gate_views,
    release_gates,
    sign_gate,
    stored_gates_by_release,
    veto_gate,
    waive_gate,
)
from envsched.lifecycle.kpi_history import kpis_for
from envsched.lifecycle.kpis import KpiReport, Period, add_months, monthly_frame
from envsched.lifecycle.lookup import get_phase, get_release
from envsched.lifecycle.releases import add_phase, create_release, update_phase, update_release
from envsched.lifecycle.status import (
    add_link,
    back_out,
    cancel_release,
    record_deployment,
    remove_link,
    status_history,
    transition_release,
)
from envsched.lifecycle.templates import (
    create_release_from_template,
    create_template,
    delete_template,
    describe,
    get_template,
    phase_days,
    update_template,
)
from envsched.lifecycle.windows import (
    MovedWindow,
    add_window,
    assign_release,
    create_strategy,
    get_window,
    movable,
    move_window,
    publish_plan,
    release_keys,
    windows_between,
)

__all__ = [
    "ALLOWED_FROM",
    "BY_RECORD",
    "FREEZES_LANE",
    "MAINTENANCE_LANE",
    "NEXT",
    "STATUS_STEPS",
    "WINDOWS_LANE",
    "CalendarItem",
    "GateRef",
    "GateView",
    "GatedStep",
    "InvalidTransition",
    "KpiReport",
    "MovedWindow",
    "Period",
    "Withdrawn",
    "add_link",
    "add_months",
    "add_phase",
    "add_window",
    "assign_release",
    "back_out",
    "blocking",
    "calendar_items",
    "calendar_months",
    "cancel_release",
    "check_may_decide",
    "check_plain_step",
    "check_start",
    "create_release",
    "create_release_from_template",
    "create_strategy",
    "create_template",
    "decide_in",
    "define_gate",
    "delete_template",
    "describe",
    "gate_views",
    "get_phase",
    "get_release",
    "get_template",
    "get_window",
    "grid_items",
    "held_by",
    "kpis_for",
    "monthly_frame",
    "movable",
    "move_window",
    "phase_days",
    "publish_plan",
    "record_deployment",
    "record_status",
    "release_calendar",
    "release_gates",
    "release_keys",
    "remove_link",
    "shapes",
    "sign_gate",
    "status_history",
    "step",
    "stored_gates_by_release",
    "transition_release",
    "update_phase",
    "update_release",
    "update_template",
    "veto_gate",
    "waive_gate",
    "windows_between",
]
