"""envsched's planning core: Scenario in, Plan out. Pure: no database, web or clock."""

from solver.options import Options, Progress, Weights
from solver.plan import Assignment, Clash, Metrics, Plan, ReleaseOutcome, SolverInfo, Unplaced
from solver.scenario import Booking, Environment, Freeze, Phase, Release, Scenario, Window

# Last, on purpose: the function ``plan`` replaces the attribute that the submodule
# ``solver.plan`` (the result types) set on this package when it was imported above.
from solver.planner import plan  # isort: skip

__all__ = [
    "Assignment",
    "Booking",
    "Clash",
    "Environment",
    "Freeze",
    "Metrics",
    "Options",
    "Phase",
    "Plan",
    "Progress",
    "Release",
    "ReleaseOutcome",
    "Scenario",
    "SolverInfo",
    "Unplaced",
    "Weights",
    "Window",
    "plan",
]
