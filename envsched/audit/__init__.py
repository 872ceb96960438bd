"""The audit log: who changed what, when, from what to what; and each entry in words.

``log`` records (every service that changes something calls ``record``); ``words`` says
an entry as people know the thing it is about. Other packages and ``web`` call what this
face exports (docs/design.md, "Feature packages").
"""

from envsched.actors import NIGHTLY_ROUND, SYSTEM_ACTOR, WAITLIST, plan_actor
from envsched.audit.log import record, snapshot
from envsched.audit.words import audit_lines, entity_words

__all__ = [
    "NIGHTLY_ROUND",
    "SYSTEM_ACTOR",
    "WAITLIST",
    "audit_lines",
    "entity_words",
    "plan_actor",
    "record",
    "snapshot",
]
