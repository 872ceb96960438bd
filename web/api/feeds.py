"""The caller's own calendar feed URLs (they carry the caller's feed token)."""

from __future__ import annotations

from pydantic import BaseModel

from web.api.routing import Route, actor


class FeedUrls(BaseModel):
    environment: str
    release: str


def my_feeds() -> dict[str, str]:
    # Imported here: web.calendar is a sibling blueprint, not a dependency of the table.
    from web.calendar import feed_urls

    return feed_urls(actor())


ROUTES = [
    Route(
        "GET",
        "/me/feeds",
        my_feeds,
        "calendar:read",
        "Your iCalendar feed URLs: fill in {name} (an environment) or {key} (a release)",
        FeedUrls,
    ),
]
