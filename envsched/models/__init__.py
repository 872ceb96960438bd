"""The stored domain, one module per concept; importing this package registers every table.

``metadata`` is what Alembic compares against and what tests may ``create_all`` from.
"""

from sqlmodel import SQLModel

from envsched.models.base import UTCDateTime
from envsched.models.bookings import (
    LIVE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Booking,
    BookingRequest,
    BookingStatus,
    RequestStatus,
)
from envsched.models.environments import (
    Component,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
)
from envsched.models.external import ExternalIdentity
from envsched.models.health import EnvironmentHealth, HealthChange, HealthState
from envsched.models.idempotency import IdempotencyKey
from envsched.models.inbox import Notification
from envsched.models.lifecycle import (
    CadenceKind,
    Deployment,
    ExternalLink,
    Gate,
    GateKind,
    GateState,
    LinkKind,
    ReleaseStatusChange,
    ReleaseStrategy,
    ReleaseTemplate,
    ReleaseWindow,
    TemplatePhase,
)
from envsched.models.notifications import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    NotificationCursor,
    NotificationDelivery,
)
from envsched.models.planning import (
    PlanLock,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
)
from envsched.models.releases import (
    OPEN_RELEASE_STATUSES,
    Phase,
    Release,
    ReleaseStatus,
    ReleaseType,
)
from envsched.models.series import BookingSeries, Repeat, SeriesOccurrence
from envsched.models.solves import (
    OPEN_SOLVE_STATUSES,
    SolveJob,
    SolveKind,
    SolveStatus,
)
from envsched.models.stacks import Stack, StackBooking, StackBookingPart, StackMember
from envsched.models.state import StateVersion
from envsched.models.teams import Team, TeamQuota
from envsched.models.users import (
    ApiToken,
    AuditEntry,
    Role,
    SignInFailure,
    User,
)
from envsched.models.whatif import WhatIf, WhatIfStatus

metadata = SQLModel.metadata

__all__ = [
    "LIVE_STATUSES",
    "OPEN_RELEASE_STATUSES",
    "OPEN_REQUEST_STATUSES",
    "OPEN_SOLVE_STATUSES",
    "ApiToken",
    "AuditEntry",
    "Booking",
    "BookingRequest",
    # booking series (issue 16)
    "BookingSeries",
    "BookingStatus",
    "CadenceKind",
    "Component",
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "Deployment",
    "Environment",
    "EnvironmentHealth",
    "EnvironmentStatus",
    "EnvironmentType",
    "ExternalIdentity",
    "ExternalLink",
    "Freeze",
    "Gate",
    "GateKind",
    "GateState",
    "HealthChange",
    "HealthState",
    "IdempotencyKey",
    "LinkKind",
    "MaintenanceWindow",
    "Notification",
    "NotificationCursor",
    "NotificationDelivery",
    "Phase",
    "PlanLock",
    "PlanRun",
    "PlanRunStatus",
    "PlanTrigger",
    "Release",
    "ReleaseStatus",
    "ReleaseStatusChange",
    "ReleaseStrategy",
    "ReleaseTemplate",
    "ReleaseType",
    "ReleaseWindow",
    "Repeat",
    "RequestStatus",
    "Role",
    "SeriesOccurrence",
    "SignInFailure",
    "SolveJob",
    "SolveKind",
    "SolveStatus",
    # stacks (issue 16)
    "Stack",
    "StackBooking",
    "StackBookingPart",
    "StackMember",
    "StateVersion",
    "Team",
    "TeamQuota",
    "TemplatePhase",
    "UTCDateTime",
    "User",
    "WhatIf",
    "WhatIfStatus",
    "metadata",
]
