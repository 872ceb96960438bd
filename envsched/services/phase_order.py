"""Which phases a phase waits for: the order rule of the design's "Meaning", over rows.

A phase waits for each phase its ``after`` names (``[]``: none); without ``after``, for
the phase before it in its release. Phases never wait across releases, so a name that is
not a phase of the release is no predecessor. The clash report and the gates a booking
needs to start both read it from here.
"""

from __future__ import annotations

from envsched.models import Phase, Release


def predecessors(release: Release) -> dict[str, list[Phase]]:
    """Phase key -> the phases it waits for, for every phase of ``release``."""
    by_key = {p.key: p for p in release.phases}
    result: dict[str, list[Phase]] = {}
    for i, phase in enumerate(release.phases):
        names = phase.after if phase.after is not None else (
            [release.phases[i - 1].key] if i else [])
        result[phase.key] = [by_key[n] for n in names if n in by_key]
    return result
