"""Planning: stored state to a solver scenario and back, planning rounds, what-ifs and
the capacity forecast. The only package that calls ``solver``.

``mapping`` (the one place rows become a scenario and a plan becomes bookings, with
``readable_scenario`` and ``plan_bookings``), ``forecast`` and ``capacity`` (demand and
supply per type per week), ``rounds/`` (one round: scenario, solve, diff, flags,
proposals, apply; the round lock and the words of a run) and ``whatif/`` (copy the state,
change it, plan it, compare). Other packages and ``web`` call what this face exports
(docs/design.md, "Feature packages").
"""

from envsched.planning.capacity import capacity_report
from envsched.planning.forecast import monday
from envsched.planning.mapping import export_scenario
from envsched.planning.rounds.apply import acceptable, last_accept, open_proposals
from envsched.planning.rounds.refusals import latest_refusal
from envsched.planning.rounds.replan import (
    accept_proposal,
    accept_run,
    drop_proposal,
    replan,
    settle_interrupted_runs,
)
from envsched.planning.rounds.runlock import ReplanBusy, engine_of, round_running
from envsched.planning.rounds.words import (
    COMPARISON_WORDS,
    METRIC_WORDS,
    applied_words,
    figure_rows,
    rule_words,
    run_title,
    solver_words,
    started_words,
)
from envsched.planning.shapes import (
    AcceptIn,
    ChangeIn,
    ComparisonOut,
    PlanRunDetailOut,
    PlanRunOut,
    PromotionOut,
    ReplanIn,
    WhatIfIn,
    WhatIfOut,
    WhatIfRunIn,
    change_data,
)
from envsched.planning.whatif.changes import CHANGE_KINDS, Change
from envsched.planning.whatif.claim import QUEUED, Claim, require_runnable
from envsched.planning.whatif.differences import Difference, Place, plan_differences
from envsched.planning.whatif.environment_changes import (
    AddEnvironment,
    AddMaintenance,
    ChangeEnvironment,
    RemoveEnvironment,
)
from envsched.planning.whatif.release_changes import (
    AddRelease,
    ChangePhaseDuration,
    DelayRelease,
    DropRelease,
    NewPhase,
    ReprioritiseRelease,
)
from envsched.planning.whatif.run import run_claimed, run_whatif, start_whatif_run
from envsched.planning.whatif.service import (
    add_change,
    compare,
    create_whatif,
    describe_changes,
    export_whatif,
    get_whatif,
    list_whatifs,
    promote_whatif,
    remove_change,
)
from envsched.planning.whatif.snapshot import copy_taken_at, snapshot_of
from envsched.planning.whatif.store import (
    WhatIfRef,
    changed_scenario_document,
    find,
    require_editor,
)

__all__ = [
    "CHANGE_KINDS",
    "COMPARISON_WORDS",
    "METRIC_WORDS",
    "QUEUED",
    "AcceptIn",
    "AddEnvironment",
    "AddMaintenance",
    "AddRelease",
    "Change",
    "ChangeEnvironment",
    "ChangeIn",
    "ChangePhaseDuration",
    "Claim",
    "ComparisonOut",
    "DelayRelease",
    "Difference",
    "DropRelease",
    "NewPhase",
    "Place",
    "PlanRunDetailOut",
    "PlanRunOut",
    "PromotionOut",
    "RemoveEnvironment",
    "ReplanBusy",
    "ReplanIn",
    "ReprioritiseRelease",
    "WhatIfIn",
    "WhatIfOut",
    "WhatIfRef",
    "WhatIfRunIn",
    "accept_proposal",
    "accept_run",
    "acceptable",
    "add_change",
    "applied_words",
    "capacity_report",
    "change_data",
    "changed_scenario_document",
    "compare",
    "copy_taken_at",
    "create_whatif",
    "describe_changes",
    "drop_proposal",
    "engine_of",
    "export_scenario",
    "export_whatif",
    "figure_rows",
    "find",
    "get_whatif",
    "last_accept",
    "latest_refusal",
    "list_whatifs",
    "monday",
    "open_proposals",
    "plan_differences",
    "promote_whatif",
    "remove_change",
    "replan",
    "require_editor",
    "require_runnable",
    "round_running",
    "rule_words",
    "run_claimed",
    "run_title",
    "run_whatif",
    "settle_interrupted_runs",
    "snapshot_of",
    "solver_words",
    "start_whatif_run",
    "started_words",
]
