"""What the release-lifecycle features take and give, one module per concept:
``releases`` (releases and their phases), ``windows`` (strategies and windows),
``templates``, ``status`` (status changes, deployments, back-outs, links), ``gates``,
``health`` (the KPIs and the release calendar's items). ``…In`` comes in (validated once,
at the edge), ``…Patch`` changes only the fields given, ``…Out`` goes out (names and
keys, not ids).

This module is lifecycle's second public face: other packages and ``web`` take shapes
from here (``from envsched.lifecycle.shapes import ReleaseIn``), never from the modules
below it (docs/design.md, "Feature packages").
"""

from envsched.lifecycle.shapes.gates import (
    GateDefineIn,
    GateOut,
    GateSignIn,
    GateTargetIn,
    GateVerdictIn,
)
from envsched.lifecycle.shapes.health import (
    CalendarItemOut,
    KpiReportOut,
    LeadTimeOut,
    PeriodOut,
    ReleaseCountsOut,
    TimeToImplementOut,
    UtilisationOut,
)
from envsched.lifecycle.shapes.releases import (
    PhaseIn,
    PhaseOut,
    PhasePatch,
    ReleaseIn,
    ReleaseOut,
    ReleasePatch,
)
from envsched.lifecycle.shapes.status import (
    BackOutIn,
    DeploymentIn,
    DeploymentOut,
    LinkIn,
    LinkOut,
    StatusChangeIn,
    StatusChangeOut,
)
from envsched.lifecycle.shapes.templates import (
    FromTemplateIn,
    TemplateIn,
    TemplateOut,
    TemplatePhaseIn,
    TemplatePhaseOut,
)
from envsched.lifecycle.shapes.windows import (
    AssignmentIn,
    MovedWindowOut,
    StrategyIn,
    StrategyOut,
    WindowIn,
    WindowMoveIn,
    WindowOut,
)

__all__ = [
    "AssignmentIn",
    "BackOutIn",
    "CalendarItemOut",
    "DeploymentIn",
    "DeploymentOut",
    "FromTemplateIn",
    "GateDefineIn",
    "GateOut",
    "GateSignIn",
    "GateTargetIn",
    "GateVerdictIn",
    "KpiReportOut",
    "LeadTimeOut",
    "LinkIn",
    "LinkOut",
    "MovedWindowOut",
    "PeriodOut",
    "PhaseIn",
    "PhaseOut",
    "PhasePatch",
    "ReleaseCountsOut",
    "ReleaseIn",
    "ReleaseOut",
    "ReleasePatch",
    "StatusChangeIn",
    "StatusChangeOut",
    "StrategyIn",
    "StrategyOut",
    "TemplateIn",
    "TemplateOut",
    "TemplatePhaseIn",
    "TemplatePhaseOut",
    "TimeToImplementOut",
    "UtilisationOut",
    "WindowIn",
    "WindowMoveIn",
    "WindowOut",
]
