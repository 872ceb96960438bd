"""An outage worth telling: an environment down longer than ``ENVSCHED_HEALTH_DOWN_MINUTES``.

``flag`` marks the outage (``flagged_at``) and tells, once: each booker of a live booking
on the environment from today on (their own bookings and days) and each environment
manager (how many bookings are in the way), in the app and by mail (``_recipients``),
plus the webhooks, as one ``environment.down`` event. The bookings told are kept (``told``), so
``tell_back_up`` tells the same people, once, when the environment answers again
(``environment.up``). Both run inside the probe's transaction: the flag and what it
queues commit together, so two probers never tell twice. A flagged outage whose health
URL is changed or removed ends there too, not known to be over: ``tell_check_changed``
tells the same people so (``environment.check_changed``), inside the change's own
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from envsched.booking import booking_words
from envsched.counted import counted
from envsched.days import moment_text
from envsched.health.words import span_text
from envsched.models import LIVE_STATUSES, Booking, Environment, EnvironmentHealth, User
from envsched.notify import Event, booker, deliver, enqueue_event, managers
from envsched.settings import Settings

DOWN_EVENT = "environment.down"
UP_EVENT = "environment.up"
CHECK_CHANGED_EVENT = "environment.check_changed"
SUBJECTS = {
    DOWN_EVENT: "is down",
    UP_EVENT: "is up again",
    CHECK_CHANGED_EVENT: "has another health check",
}


@dataclass(frozen=True)
class News:
    """What to tell: the event's name, its headline, the lead of a booker's own line
    (``{bookings}`` said in the singular or plural), and the environment managers' line
    (``{bookings}``: how many bookings are in the way, counted; ``nobody``: none)."""

    event: str
    headline: str
    lead: str
    others: str  # what the environment managers read of the bookings in the way
    nobody: str  # … when there are none
    actor: User | None = None  # who made it happen: they know, the app does not tell them


def flag(session: Session, health: EnvironmentHealth, now: dt.datetime, settings: Settings) -> None:
    """Flag ``health``'s outage and tell whom it concerns (see the module's doc)."""
    env = session.get_one(Environment, health.environment_id)
    bookings = _from_today_on(session, env, now.date())
    health.flagged_at, health.told = now, [b.id or 0 for b in bookings]
    headline = (
        f"{env.name} has been down since {moment_text(health.since)} ({health.detail}), "
        f"longer than {span_text(dt.timedelta(minutes=settings.health_down_minutes))}"
    )
    news = News(
        DOWN_EVENT,
        headline,
        "Your {bookings} on it from today on",
        "Its bookers are told of the {bookings} on it from today on",
        "Nobody has a booking on it from today on",
    )
    _tell(session, env, bookings, news, _facts(health), now, settings)


def tell_back_up(
    session: Session,
    health: EnvironmentHealth,
    down_since: dt.datetime,
    now: dt.datetime,
    settings: Settings,
) -> None:
    """The flagged outage is over: tell the bookers told of it, and the managers."""
    env = session.get_one(Environment, health.environment_id)
    headline = (
        f"{env.name} is up again since {moment_text(now)}, after {span_text(now - down_since)} down"
    )
    news = News(
        UP_EVENT,
        headline,
        "It is there again for your {bookings}",
        "The bookers told of its outage are told again ({bookings})",
        "No booker was told of its outage",
    )
    _tell(session, env, _told(session, health), news, _facts(health), now, settings)
    health.flagged_at, health.told = None, []


def tell_check_changed(
    session: Session,
    health: EnvironmentHealth,
    url: str,
    actor: User | None,
    now: dt.datetime,
    settings: Settings,
) -> None:
    """The flagged outage ends because its URL is changed to ``url`` (empty: removed),
    before anyone saw it answer: tell the bookers told of it, and the managers, that it is
    no longer followed and what is checked now."""
    env = session.get_one(Environment, health.environment_id)
    who = f" by {actor.full_name or actor.name}" if actor else ""
    now_checked = (
        f"{env.name} is checked at {url} from now on, not known to be up until it answers"
        if url
        else f"nobody checks whether {env.name} is up any more"
    )
    headline = (
        f"The health check of {env.name} was {'changed' if url else 'removed'}{who} at "
        f"{moment_text(now)}, after {span_text(now - health.since)} down: {now_checked}"
    )
    news = News(
        CHECK_CHANGED_EVENT,
        headline,
        "This is about your {bookings}",
        "The bookers told of its outage are told so too ({bookings})",
        "No booker was told of its outage",
        actor,
    )
    facts: dict[str, object] = {
        "state": "unknown" if url else None,
        "url": url or None,
        "down_since": health.since,
    }
    _tell(session, env, _told(session, health), news, facts, now, settings)


def _told(session: Session, health: EnvironmentHealth) -> Sequence[Booking]:
    """The bookings told of the flagged outage that are still live."""
    return session.exec(
        select(Booking)
        .where(col(Booking.id).in_(health.told), col(Booking.status).in_(LIVE_STATUSES))
        .order_by(col(Booking.start), col(Booking.id))
    ).all()


def _facts(health: EnvironmentHealth) -> dict[str, object]:
    """Where the health check stands, for an event's payload."""
    return {
        "state": health.state.value,
        "since": health.since,
        "status_code": health.status_code,
        "detail": health.detail,
    }


def _from_today_on(session: Session, env: Environment, today: dt.date) -> Sequence[Booking]:
    return session.exec(
        select(Booking)
        .where(
            Booking.environment_id == env.id,
            col(Booking.status).in_(LIVE_STATUSES),
            Booking.end > today,
        )
        .order_by(col(Booking.start), col(Booking.id))
    ).all()


def _tell(
    session: Session,
    env: Environment,
    bookings: Sequence[Booking],
    news: News,
    facts: dict[str, object],
    now: dt.datetime,
    settings: Settings,
) -> None:
    """Each of ``_recipients`` in the app, then one event by mail (to the same people)
    and webhook."""
    people = _recipients(session, bookings)
    for person in people:
        if news.actor is not None and person.user.id == news.actor.id:
            continue
        about = ("booking", person.own[0].id) if person.own else ("environment", env.id)
        deliver(
            session,
            person.user.id or 0,
            event=news.event,
            text=_in_app(news, person, len(bookings)),
            entity=about[0],
            entity_id=str(about[1]),
            now=now,
        )
    emails = {p.user.email for p in people if p.user.email}
    enqueue_event(session, _event(env, bookings, news, facts), emails, settings, now)


@dataclass(frozen=True)
class Recipient:
    """Someone an outage's news reaches: their own bookings in the way, and whether they
    hear of it as an environment manager (told of every booking in the way)."""

    user: User
    own: list[Booking]
    manager: bool


def _recipients(session: Session, bookings: Sequence[Booking]) -> list[Recipient]:
    """Whom an outage's news reaches, in the app and by mail alike: each active booker of
    ``bookings`` and each active environment manager, once each."""
    mine: dict[int, list[Booking]] = defaultdict(list)
    people: dict[int, User] = {}
    for booking in bookings:
        user = booker(session, booking)
        if user is not None and user.id is not None and user.active:
            mine[user.id].append(booking)
            people[user.id] = user
    keepers = {u.id: u for u in managers(session) if u.id is not None}
    return [
        Recipient(user, mine.get(user_id, []), user_id in keepers)
        for user_id, user in {**people, **keepers}.items()
    ]


def _in_app(news: News, person: Recipient, in_the_way: int) -> str:
    """The headline, then a booker's own bookings and a manager's count of the rest."""
    said = [news.headline]
    if person.own:
        said.append(_yours(news.lead, person.own))
    if person.manager:
        others = news.others if in_the_way else news.nobody
        said.append(others.format(bookings=counted(in_the_way, "booking")))
    return ". ".join(said) + "."


def _yours(lead: str, bookings: Sequence[Booking]) -> str:
    """``lead`` (its ``{bookings}`` said in the singular or plural), then the bookings."""
    named = [booking_words(b) for b in bookings]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"{lead.format(bookings='booking' if len(named) == 1 else 'bookings')}: {listed}"


def _event(
    env: Environment, bookings: Sequence[Booking], news: News, facts: dict[str, object]
) -> Event:
    lines = [f"{news.headline}."]
    if bookings:
        lines += ["", "Bookings on it:"]
        lines += [f"- {booking_words(b)}" for b in bookings]
    payload = {
        "event": news.event,
        "environment": env.name,
        **{k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in facts.items()},
        "bookings": [
            {"id": b.id, "start": b.start.isoformat(), "end": b.end.isoformat()} for b in bookings
        ],
    }
    subject = f"envsched: {env.name} {SUBJECTS[news.event]}"
    return Event(news.event, subject, "\n".join(lines), payload)
