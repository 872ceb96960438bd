"""A webhook receiver that follows the README exactly (its snippet, read from the README
and run as it stands) takes envsched's deliveries and refuses replays of them."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from envsched.db import SessionFactory
from envsched.models import DeliveryStatus
from envsched.notify import DELIVERY_HEADER, Event, enqueue_event, send_due
from envsched.notify.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from tests.envsched.factories import NOW
from tests.envsched.receivers import SECRET, Clock, Receiver, Request

README = Path(__file__).resolve().parents[2] / "README.md"
EVENT = Event(
    name="request.approved",
    subject="Request 7 approved",
    text="approved",
    payload={"event": "request.approved", "id": 7},
)


def documented_verifier() -> Callable[..., str]:
    """``verify_delivery`` as the README's "Webhooks" section gives it."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    [code] = [block for block in blocks if "def verify_delivery" in block]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(README), "exec"), namespace)
    verifier: Callable[..., str] = namespace["verify_delivery"]
    return verifier


class DocumentedReceiver:
    """Acts on a new delivery and remembers its id; 200 for a duplicate; 401 refused."""

    def __init__(self, clock: Clock, lose_answers: int = 0) -> None:
        self.verify, self.clock = documented_verifier(), clock
        self.seen: set[str] = set()
        self.acted_on: list[Any] = []
        self.verdicts: list[str] = []
        self.lose_answers = lose_answers  # acts, then answers 503: the answer "got lost"

    def answer(self, request: Request) -> int:
        verdict = self.verify(
            SECRET.encode(), request.headers, request.body, self.seen, now=self.clock().timestamp()
        )
        self.verdicts.append(verdict)
        if verdict == "new":
            self.acted_on.append(json.loads(request.body))
            self.seen.add(request.headers[DELIVERY_HEADER])
            if self.lose_answers:
                self.lose_answers -= 1
                return 503
            return 204
        return 200 if verdict == "duplicate" else 401


def deliver_one(sessions: SessionFactory, receiver: Receiver, clock: Clock) -> None:
    with sessions.begin() as session:
        enqueue_event(session, EVENT, [], receiver.settings(), NOW)
    send_due(sessions, receiver.settings(), clock)


def replay(receiver: Receiver, captured: Request, body: bytes | None = None, **changed: str) -> int:
    """POST ``captured`` again as an eavesdropper would, with ``changed`` headers."""
    names = ("Content-Type", DELIVERY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
    headers = {name: captured.headers[name] for name in names} | changed
    request = urllib.request.Request(
        receiver.url, data=body or captured.body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        refused.close()
        return refused.code


def test_a_documented_receiver_acts_on_a_delivery_once_and_refuses_its_replays(
    sessions: SessionFactory, receiver: Receiver, clock: Clock
) -> None:
    documented = DocumentedReceiver(clock)
    receiver.state.answer = documented.answer
    deliver_one(sessions, receiver, clock)
    [captured] = receiver.requests
    assert documented.acted_on == [EVENT.payload]
    assert replay(receiver, captured) == 200  # at once: a known id, ignored
    clock.advance(seconds=301)
    assert replay(receiver, captured) == 401  # later: too old
    fresh = str(int(clock().timestamp()))
    assert replay(receiver, captured, None, **{TIMESTAMP_HEADER: fresh}) == 401  # not signed so
    assert documented.verdicts == ["new", "duplicate", "refused", "refused"]
    assert documented.acted_on == [EVENT.payload]


def test_a_documented_receiver_refuses_a_changed_body_and_a_wrong_secret(
    sessions: SessionFactory, receiver: Receiver, clock: Clock
) -> None:
    documented = DocumentedReceiver(clock)
    receiver.state.answer = lambda request: 503  # keep nothing: only capture
    deliver_one(sessions, receiver, clock)
    [captured] = receiver.requests
    receiver.state.answer = documented.answer
    assert replay(receiver, captured, body=b'{"event": "request.approved", "id": 8}') == 401
    wrong = documented.verify(
        b"another secret", captured.headers, captured.body, set(), now=clock().timestamp()
    )
    assert wrong == "refused" and documented.acted_on == []


def test_a_delivery_whose_answer_was_lost_is_resent_with_its_id_and_acted_on_once(
    sessions: SessionFactory, receiver: Receiver, clock: Clock
) -> None:
    documented = DocumentedReceiver(clock, lose_answers=1)
    receiver.state.answer = documented.answer
    deliver_one(sessions, receiver, clock)
    clock.advance(minutes=1)
    assert send_due(sessions, receiver.settings(), clock) == {DeliveryStatus.DELIVERED: 1}
    first, second = receiver.requests
    assert first.headers[DELIVERY_HEADER] == second.headers[DELIVERY_HEADER]
    assert first.headers[TIMESTAMP_HEADER] != second.headers[TIMESTAMP_HEADER]  # re-signed
    assert documented.verdicts == ["new", "duplicate"]
    assert documented.acted_on == [EVENT.payload]
