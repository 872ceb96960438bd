"""Failed deliveries, for admins: expired and failing ones with their last error; not
the delivered ones; nobody else may open the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import Delivery, DeliveryChannel, DeliveryStatus, Role
from tests.web.helpers import NOW


def delivery(
    sessions: SessionFactory, target: str, status: DeliveryStatus, attempts: int, error: str
) -> None:
    with sessions.begin() as session:
        session.add(
            Delivery(
                uid=f"uid-{target}",
                channel=DeliveryChannel.WEBHOOK,
                target=target,
                event="round.clashes",
                status=status,
                created_at=NOW,
                next_attempt_at=NOW,
                expires_at=NOW + dt.timedelta(hours=24),
                attempts=attempts,
                last_error=error,
            )
        )


def test_admins_see_failed_and_expired_deliveries_with_their_last_error(
    client: FlaskClient, login: Callable[..., object], sessions: SessionFactory
) -> None:
    delivery(sessions, "https://gone.test/hook", DeliveryStatus.EXPIRED, 11, "HTTP 410")
    delivery(sessions, "https://flaky.test/hook", DeliveryStatus.PENDING, 2, "HTTP 503")
    delivery(sessions, "https://fine.test/hook", DeliveryStatus.DELIVERED, 1, "")
    delivery(sessions, "https://new.test/hook", DeliveryStatus.PENDING, 0, "")
    login(client, Role.ADMIN)
    page = client.get("/deliveries").get_data(as_text=True)
    assert "https://gone.test/hook" in page and "HTTP 410" in page and "expired" in page
    assert "https://flaky.test/hook" in page and "HTTP 503" in page
    assert "fine.test" not in page and "new.test" not in page
    assert "2 failed deliveries" in page
    assert "The worker tries each pending one again, waiting longer each time, for 24 hours" in page
    for command_or_setting in ("ENVSCHED_", "envsched scheduler", "send-due"):
        assert command_or_setting not in page


def test_an_environment_manager_may_not_open_failed_deliveries(
    client: FlaskClient, login: Callable[..., object]
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    assert client.get("/deliveries").status_code == 403
