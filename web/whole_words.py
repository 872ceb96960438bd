"""Keys and dates kept whole: on a phone a cell wraps between words, never inside a key
(PAY-2.2-SIT breaks at its hyphens otherwise), a date (15–24 Feb 2027) or a window's name
(2026-11)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# a phase or release key (PAY-2.2-SIT, PAY-2.2), an environment (STAGING-8), a date, a
# release window's name (2026-11: its month, never part of an ISO day)
WHOLE = re.compile(
    r"[A-Z]{2,}-\d+(?:\.\d+)*(?:-[A-Z]+)?"
    r"|\d{1,2}(?:–\d{1,2})? [A-Z][a-z]{2} \d{4}"
    r"|(?<![\d-])\d{4}-\d{2}(?![\d-])"
)


def whole(text: object) -> Markup:
    """``text``, escaped, with each key and date in a span that does not wrap."""
    said = str(escape(text))
    return Markup(WHOLE.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', said))
