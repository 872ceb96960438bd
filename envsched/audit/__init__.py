"""The audit log: who changed what, when, from what to what; and each entry in words.

``log`` records (every service that changes something calls ``record``); ``words`` says
an entry as people know the thing it is about. Other packages and ``web`` call what this
face exports (docs/design.md, "Feature packages").
"""

from envsched.audit.log import SYSTEM_ACTOR, record, snapshot
from envsched.audit.words import audit_lines, entity_words

__all__ = [
    "SYSTEM_ACTOR",
    "audit_lines",
    "entity_words",
    "record",
    "snapshot",
]
