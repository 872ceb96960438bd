"""Single sign-on in Chromium against a real OpenID Connect provider on 127.0.0.1.

The provider is the certified ``oidc-provider`` from npm (``tests/e2e/identity_provider``);
envsched runs under waitress on SQLite and on PostgreSQL, configured as an install would
be: issuer, client id, the client secret in a file, the role claim ``groups`` and a map.
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import col, select
from waitress.server import BaseWSGIServer, create_server

from envsched import migrations
from envsched.accounts import users
from envsched.db import SessionFactory, create_engine, read_transaction, session_factory
from envsched.models import AuditEntry, ExternalIdentity, Role, User
from envsched.settings import Settings
from tests.e2e.identity_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    IdentityProvider,
    identity_provider,
)
from tests.e2e.servers import run_until_closed
from tests.fixtures.database import BACKENDS, empty_all_tables
from web import create_app

ADMIN, ADMIN_PASSWORD = "root", "a-local-admin-password"
IDP_NAME = "Test IdP"
CALLBACK = "/login/sso/callback"
ROLE_MAP = (("env-managers", "environment_manager"), ("testers", "test_manager"))


@dataclass(frozen=True)
class SsoWorld:
    url: str
    provider: IdentityProvider
    sessions: SessionFactory
    server: LateApp
    settings: Settings
    engine: Engine

    def user(self, name: str) -> User | None:
        with read_transaction(self.sessions) as session:
            return session.exec(select(User).where(User.name == name)).first()

    def audit_actions(self, user: User) -> list[str]:
        with read_transaction(self.sessions) as session:
            return list(
                session.exec(
                    select(AuditEntry.action)
                    .where(AuditEntry.entity == "app_user", AuditEntry.entity_id == str(user.id))
                    .order_by(col(AuditEntry.id))
                ).all()
            )


class LateApp:
    """The WSGI app the server is made with before the app exists: envsched's redirect URI
    needs the server's port, and the app needs the provider that needs that URI.

    While ``held`` is a list, the provider's answers (the callback's query strings) are
    kept there instead of reaching envsched, so a test can alter one before sending it."""

    app: Callable[..., Any] | None = None
    held: list[str] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None
        if self.held is not None and environ["PATH_INFO"] == CALLBACK:
            self.held.append(environ["QUERY_STRING"])
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"held by the test"]
        return self.app(environ, start_response)


@pytest.fixture(scope="module", params=BACKENDS)
def sso_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SsoWorld]:
    folder = tmp_path_factory.mktemp("sso")
    engine = _database(request, folder)
    sessions = session_factory(engine)
    users.create_user(
        sessions,
        ADMIN,
        Role.ADMIN,
        password=ADMIN_PASSWORD,
        actor=None,
        now=dt.datetime.now(dt.UTC),
    )
    late = LateApp()
    server = create_server(late, host="127.0.0.1", port=0, threads=4)
    assert isinstance(server, BaseWSGIServer) and server.socket is not None
    url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    with identity_provider(f"{url}{CALLBACK}", folder) as provider:
        settings = _settings(engine, provider, folder)
        late.app = create_app(settings, engine=engine)
        thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
        thread.start()
        yield SsoWorld(url, provider, sessions, late, settings, engine)
        server.close()
        thread.join(timeout=10)
    engine.dispose()


def _database(request: pytest.FixtureRequest, folder: Path) -> Engine:
    if request.param == "sqlite":
        engine = create_engine(Settings(database_url=f"sqlite:///{folder / 'envsched.db'}"))
        migrations.upgrade(engine)
        return engine
    engine = create_engine(Settings(database_url=request.getfixturevalue("postgres_url")))
    empty_all_tables(engine)
    return engine


def _settings(engine: Engine, provider: IdentityProvider, folder: Path) -> Settings:
    secret = folder / "client_secret"
    secret.write_text(CLIENT_SECRET + "\n")
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key="sso-secret-key",
        oidc_issuer=provider.issuer,
        oidc_name=IDP_NAME,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret_file=str(secret),
        oidc_scopes="openid profile email groups",
        oidc_role_map=ROLE_MAP,
    )


def sign_in_with_sso(page: Page, world: SsoWorld, login: str, password: str) -> None:
    page.goto(f"{world.url}/login")
    page.get_by_role("link", name=f"Sign in with {IDP_NAME}").click()
    page.get_by_label("User name").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in at the provider").click()


def test_the_first_sign_in_creates_the_user_with_the_mapped_role(
    page: Page, sso_world: SsoWorld, screenshots: Path
) -> None:
    sso_world.provider.set_account("ada", "ada-password", "staff", "testers", name="Ada L")
    page.goto(f"{sso_world.url}/login")
    page.screenshot(path=str(screenshots / "sso-login.png"))
    sign_in_with_sso(page, sso_world, "ada", "ada-password")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("header")).to_contain_text("Ada L")
    user = sso_world.user("ada")
    assert user is not None
    assert (user.role, user.full_name, user.password_hash) == (Role.TEST_MANAGER, "Ada L", None)
    assert sso_world.audit_actions(user) == ["create", "sign_in_sso"]
    with read_transaction(sso_world.sessions) as session:
        identity = session.exec(
            select(ExternalIdentity).where(ExternalIdentity.user_id == user.id)
        ).one()
    assert (identity.issuer, identity.subject) == (sso_world.provider.issuer, "ada")


def test_a_second_sign_in_with_another_group_changes_the_role(
    page: Page, browser: Browser, sso_world: SsoWorld
) -> None:
    sso_world.provider.set_account("bea", "bea-password", "testers")
    sign_in_with_sso(page, sso_world, "bea", "bea-password")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert _role(sso_world, "bea") == Role.TEST_MANAGER
    copied = [c for c in page.context.cookies() if c.get("name") == "session"]
    _expect_at(browser, sso_world, copied, "/")  # a copy of the cookie works as the original
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    _expect_at(browser, sso_world, copied, "/login?next=/")  # and is ended with it
    sso_world.provider.set_account("bea", "bea-password", "env-managers")
    page.get_by_role("link", name=f"Sign in with {IDP_NAME}").click()  # still signed in there
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert _role(sso_world, "bea") == Role.ENVIRONMENT_MANAGER
    page.goto(f"{sso_world.url}/environments/new")
    expect(page.get_by_role("heading", name="New environment")).to_be_visible()


def _expect_at(browser: Browser, world: SsoWorld, cookies: list[Any], landing: str) -> None:
    """Open the dashboard in another browser holding ``cookies``: where does it land?"""
    context = browser.new_context()
    try:
        context.add_cookies(cookies)
        other = context.new_page()
        other.goto(f"{world.url}/")
        expect(other).to_have_url(f"{world.url}{landing}")
    finally:
        context.close()


def _role(world: SsoWorld, name: str) -> Role:
    user = world.user(name)
    assert user is not None
    return user.role


def test_a_user_in_no_mapped_group_is_refused_with_a_clear_message(
    page: Page, sso_world: SsoWorld, screenshots: Path
) -> None:
    sso_world.provider.set_account("cy", "cy-password", "staff")
    sign_in_with_sso(page, sso_world, "cy", "cy-password")
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "gives no role in envsched: its 'groups' claim holds staff"
    )
    page.screenshot(path=str(screenshots / "sso-refused.png"))
    assert sso_world.user("cy") is None
    page.goto(f"{sso_world.url}/")
    expect(page).to_have_url(f"{sso_world.url}/login?next=/")


def test_a_tampered_state_is_refused_and_the_real_answer_signs_in_once(
    page: Page, sso_world: SsoWorld
) -> None:
    sso_world.provider.set_account("dan", "dan-password", "testers")
    answers: list[str] = []
    sso_world.server.held = answers
    try:
        sign_in_with_sso(page, sso_world, "dan", "dan-password")
        expect(page.get_by_text("held by the test")).to_be_visible()
    finally:
        sso_world.server.held = None
    real = f"{sso_world.url}{CALLBACK}?{answers[0]}"
    assert "state=" in real and "code=" in real
    page.goto(real.replace("state=", "state=forged"))
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("its state does not match")
    assert sso_world.user("dan") is None
    page.goto(real)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert _role(sso_world, "dan") == Role.TEST_MANAGER
    page.goto(real)  # the same answer once more: its state is spent
    expect(page.get_by_role("alert")).to_contain_text("its state does not match")


def test_a_local_admin_still_signs_in_with_a_password(page: Page, sso_world: SsoWorld) -> None:
    page.goto(f"{sso_world.url}/login")
    page.get_by_label("User name").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.goto(f"{sso_world.url}/users")
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()


def test_a_provider_that_names_another_issuer_is_refused(sso_world: SsoWorld) -> None:
    """The same provider reached as localhost: its discovery document says 127.0.0.1."""
    elsewhere = sso_world.provider.issuer.replace("127.0.0.1", "localhost")
    app = create_app(replace(sso_world.settings, oidc_issuer=elsewhere), engine=sso_world.engine)
    response = app.test_client().get("/login/sso")
    assert response.status_code == 502
    page = html.unescape(response.get_data(as_text=True))
    assert f"calls itself {sso_world.provider.issuer!r}, not {elsewhere!r}" in page
