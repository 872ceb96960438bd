"""A phase's edit form on its release's page (issue 16): a release manager sets the stacks
it needs a whole one of, choosing among the stacks with a member that serves it, and the
service's refusal is named next to the field; other roles get no form. On SQLite and
PostgreSQL. The estate's R1-UAT is a UAT phase needing the tag ``mainframe``."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from envsched.db import SessionFactory, read_transaction
from envsched.inventory import StackIn, create_stack
from envsched.lifecycle import get_phase
from envsched.models import Role
from tests.envsched import factories
from tests.web.forms import field_errors, page_text, post
from tests.web.helpers import NOW
from tests.web.page_world import PageWorld

Login = Callable[..., object]
EDIT = "/releases/R1/phases/R1-UAT/edit"
FORM = {"name": "Acceptance", "duration_days": "3", "gap_days": "0", "required_tags": "mainframe"}


def stacks_of(sessions: SessionFactory, key: str) -> list[str] | None:
    with read_transaction(sessions) as session:
        return get_phase(session, key).stacks


def offered(page: str) -> list[str]:
    return re.findall(r'name="stacks" value="([^"]+)"', page)


def stacks_world(sessions: SessionFactory) -> None:
    """MAIN: a mainframe UAT and a database; PLAIN: a UAT without the tag; SYS: a SIT."""
    factories.make_environment(sessions, name="UAT-9", type="UAT", tags=["mainframe"])
    factories.make_environment(sessions, name="DB-9", type="DB")
    for name, members in (("MAIN", ["UAT-9", "DB-9"]), ("PLAIN", ["UAT-2"]), ("SYS", ["SIT-1"])):
        create_stack(sessions, StackIn(name=name, members=members), actor=None, now=NOW)


def test_a_release_manager_sets_the_stacks_a_phase_needs(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    stacks_world(sessions)
    login(client, Role.RELEASE_MANAGER)
    release = page_text(client, "/releases/R1")
    assert f'href="{EDIT}"' in release
    form = page_text(client, EDIT)
    assert "Edit R1-UAT" in form and offered(form) == ["MAIN"]  # PLAIN lacks the tag

    saved = post(client, EDIT, {**FORM, "stacks": ["MAIN"]})
    assert saved.status_code == 302 and saved.location.endswith("/releases/R1")
    assert stacks_of(sessions, "R1-UAT") == ["MAIN"]
    release = page_text(client, "/releases/R1")
    assert "R1-UAT is saved." in release and "a whole stack: MAIN" in release
    assert 'value="MAIN" checked' in page_text(client, EDIT)

    cleared = post(client, EDIT, FORM)  # none ticked: it needs one environment again
    assert cleared.status_code == 302 and stacks_of(sessions, "R1-UAT") is None


def test_a_stack_no_member_of_serves_is_refused_naming_the_field(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    """The same rule as booking the stack: a posted stack whose members do not serve the
    phase (no UAT with the tag), or a stack beside named environments, is refused."""
    stacks_world(sessions)
    login(client, Role.RELEASE_MANAGER)
    for stacks, extra, problem in (
        (["PLAIN"], {}, "PLAIN has no UAT environment with the tags R1-UAT needs"),
        (["MAIN", "SYS"], {}, "SYS has no UAT environment with the tags R1-UAT needs"),
        (["NOPE"], {}, "no stack named NOPE"),
        (["MAIN"], {"environments": "UAT-1"}, "a phase names either its environments or"),
    ):
        refused = post(client, EDIT, {**FORM, **extra, "stacks": stacks})
        assert refused.status_code == 400
        assert field_errors(refused)["stacks"].startswith(problem)
        assert stacks_of(sessions, "R1-UAT") is None
    bad_days = post(client, EDIT, {**FORM, "duration_days": "0"})
    assert field_errors(bad_days) == {"duration_days": "must be 1 or more, not 0"}
    again = post(client, EDIT, {**FORM, "stacks": ["PLAIN"]}).get_data(as_text=True)
    assert 'value="PLAIN" checked' in again and "none of them serves this phase" in again


def test_only_release_managers_and_admins_get_the_phase_form(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    stacks_world(sessions)
    login(client, Role.TEST_MANAGER)
    assert f'href="{EDIT}"' not in page_text(client, "/releases/R1")
    assert client.get(EDIT).status_code == 403
    assert post(client, EDIT, {**FORM, "stacks": ["MAIN"]}).status_code == 403
    assert stacks_of(sessions, "R1-UAT") is None
    post(client, "/logout")
    login(client, Role.ADMIN)
    assert client.get("/releases/R9/phases/R1-UAT/edit").status_code == 404
    assert client.get("/releases/R1/phases/NOPE/edit").status_code == 404
