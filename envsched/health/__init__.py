"""Environment health: an optional health URL per environment, probed by the worker.

``checks`` holds the verbs: ``set_health_url`` (environment managers and admins), and
``probe_environments``, the worker's job every ``ENVSCHED_HEALTH_INTERVAL_SECONDS``,
which probes every URL at once (``probe``: a ``GET`` with a timeout, outside any
transaction) and records each finding (``record_probe``): a change of state and its
history, an outage longer than ``ENVSCHED_HEALTH_DOWN_MINUTES`` flagged and its bookers
told once (``outages``), and told again when it is back up or its URL changes.
``queries`` reads it for pages and the API; ``words`` says it as people read it
(docs/design.md, "Environment health").
"""

from envsched.health.checks import HISTORY_KEPT, probe_environments, record_probe, set_health_url
from envsched.health.outages import CHECK_CHANGED_EVENT, DOWN_EVENT, UP_EVENT
from envsched.health.probe import Probe, probe
from envsched.health.queries import (
    WorkerSettings,
    down_among,
    health_of,
    history_of,
    worker_settings,
)
from envsched.health.shapes import HealthChangeOut, HealthHistoryOut, HealthOut, HealthUrlIn
from envsched.health.words import STATE_WORDS, span_text, state_text

__all__ = [
    "CHECK_CHANGED_EVENT",
    "DOWN_EVENT",
    "HISTORY_KEPT",
    "STATE_WORDS",
    "UP_EVENT",
    "HealthChangeOut",
    "HealthHistoryOut",
    "HealthOut",
    "HealthUrlIn",
    "Probe",
    "WorkerSettings",
    "down_among",
    "health_of",
    "history_of",
    "probe",
    "probe_environments",
    "record_probe",
    "set_health_url",
    "span_text",
    "state_text",
    "worker_settings",
]
