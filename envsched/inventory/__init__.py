"""The environment inventory: types, environments, components, maintenance windows,
freezes; the names an environment may have; and the environment's own days.

``environments`` keeps the inventory; ``names`` says which names are reachable by URL;
``availability`` answers "can this environment take a booking on these days?" (capacity,
changeover, maintenance, freezes, status), the check every booking path passes. Other
packages and ``web`` call what this face exports (docs/design.md, "Feature packages").
"""

from envsched.inventory.availability import (
    Interval,
    check_eligible,
    check_fits,
    environment_named,
    freezes_over,
    full_intervals,
    lock_environment,
    lock_environment_named,
    maintenance_windows,
)
from envsched.inventory.environments import (
    add_maintenance_window,
    change_capacity,
    create_environment,
    create_environment_type,
    create_freeze,
    environment_types,
    remove_freeze,
    remove_maintenance_window,
    update_environment,
)
from envsched.inventory.names import check_name, name_problem, natural_key
from envsched.inventory.shapes import (
    CapacityReportOut,
    CapacityRowOut,
    EnvironmentIn,
    EnvironmentOut,
    EnvironmentPatch,
    EnvironmentTypeIn,
    EnvironmentTypeOut,
    EnvironmentTypePatch,
    FreezeIn,
    FreezeOut,
    HealthOut,
    MaintenanceWindowIn,
    MaintenanceWindowOut,
    StackIn,
    StackOut,
)
from envsched.inventory.stacks import (
    create_stack,
    delete_stack,
    stack_members,
    stack_named,
    stack_of,
    stacks,
)
from envsched.inventory.type_rules import checkin_types, set_checkin_required

__all__ = [
    "CapacityReportOut",
    "CapacityRowOut",
    "EnvironmentIn",
    "EnvironmentOut",
    "EnvironmentPatch",
    "EnvironmentTypeIn",
    "EnvironmentTypeOut",
    "EnvironmentTypePatch",
    "FreezeIn",
    "FreezeOut",
    "HealthOut",
    "Interval",
    "MaintenanceWindowIn",
    "MaintenanceWindowOut",
    # stacks (issue 16)
    "StackIn",
    "StackOut",
    "add_maintenance_window",
    "change_capacity",
    "check_eligible",
    "check_fits",
    "check_name",
    "checkin_types",
    "create_environment",
    "create_environment_type",
    "create_freeze",
    "create_stack",
    "delete_stack",
    "environment_named",
    "environment_types",
    "freezes_over",
    "full_intervals",
    "lock_environment",
    "lock_environment_named",
    "maintenance_windows",
    "name_problem",
    "natural_key",
    "remove_freeze",
    "remove_maintenance_window",
    "set_checkin_required",
    "stack_members",
    "stack_named",
    "stack_of",
    "stacks",
    "update_environment",
]
