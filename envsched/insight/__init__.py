"""Looking across features: the header's search box (``search_box``) and what waits for one
person (``my_work``). Nothing else imports this package; ``web`` calls its face
(docs/design.md, "Feature packages").
"""

from envsched.insight.my_work import due_gates, my_booking_ids
from envsched.insight.search_box import KINDS, PER_KIND, Hit, search

__all__ = [
    "KINDS",
    "PER_KIND",
    "Hit",
    "due_gates",
    "my_booking_ids",
    "search",
]
