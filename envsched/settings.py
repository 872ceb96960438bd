"""One typed configuration object, read from ``ENVSCHED_*`` environment variables.

Nothing reads the environment at import time: the edges call ``Settings.from_env()``
once and pass the result into the engine, the web app and the scheduler. A bad value
raises ``ConfigError`` naming the variable, so start-up fails with one clear line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from envsched.errors import ConfigError

PREFIX = "ENVSCHED_"
DEFAULT_DATABASE_URL = "sqlite:///instance/envsched.db"

T = TypeVar("T")


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true/false, 1/0, yes/no or on/off")


def _parse_positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be a whole number of at least 1")
    return value


def _parse_non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be a whole number of at least 0")
    return value


def _parse_positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be a number above 0")
    return value


def _parse_cron(text: str) -> str:
    """Five crontab fields; APScheduler's own parser decides (imported only when set)."""
    from apscheduler.triggers.cron import CronTrigger

    CronTrigger.from_crontab(text.strip())
    return text.strip()


def _parse_timezone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone such as UTC or Europe/Berlin") from None
    return text.strip()


def _parse_urls(text: str) -> tuple[str, ...]:
    urls = tuple(u.strip() for u in text.split(",") if u.strip())
    if not all(u.startswith(("http://", "https://")) for u in urls):
        raise ValueError("expected comma-separated http:// or https:// URLs")
    return urls


def _parse_database_url(text: str) -> str:
    url = text.strip()
    if not url.startswith(("sqlite:", "postgresql:", "postgresql+", "postgres:")):
        raise ValueError("expected a sqlite:/// or postgresql:// URL")
    return url


def _parse_issuer(text: str) -> str:
    issuer = text.strip().rstrip("/")
    if issuer and not issuer.startswith(("http://", "https://")):
        raise ValueError("expected the issuer's https:// URL")
    return issuer


def _parse_scopes(text: str) -> str:
    scopes = text.split()
    if "openid" not in scopes:
        raise ValueError("must include openid")
    return " ".join(scopes)


def _sso_role(text: str) -> str:
    """A role single sign-on may give: any but admin (admins are local accounts)."""
    from envsched.models import Role

    roles = [role.value for role in Role if role != Role.ADMIN]
    if text.strip() not in roles:
        raise ValueError(
            f"{text.strip()!r} is not one of {', '.join(roles)} (admins are local accounts)"
        )
    return text.strip()


def _parse_role_map(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        value, equals, role = item.rpartition("=")
        if not equals or not value.strip():
            raise ValueError(f"{item!r} is not value=role")
        pairs.append((value.strip(), _sso_role(role)))
    return tuple(pairs)


def _parse_default_role(text: str) -> str:
    return _sso_role(text) if text.strip() else ""


def _setting(default: T, parse: Callable[[str], T], help: str, *, secret: bool = False) -> Any:
    """A dataclass field that remembers how to parse its environment variable; a
    ``secret`` one is left out of the settings' ``repr``, so no log line shows it."""
    return field(default=default, repr=not secret, metadata={"parse": parse, "help": help})


@dataclass(frozen=True)
class Settings:
    """Every knob of the application; each field ``x`` is read from ``ENVSCHED_X``."""

    database_url: str = _setting(
        DEFAULT_DATABASE_URL,
        _parse_database_url,
        "SQLAlchemy URL; relative SQLite paths are relative to the working directory",
    )
    database_echo: bool = _setting(False, _parse_bool, "log every SQL statement")
    database_pool_size: int = _setting(5, _parse_positive_int, "connections kept per process")
    secret_key: str = _setting(
        "",
        str,
        "signs web sessions and calendar feed URLs; empty: a key made once and kept "
        "in ENVSCHED_INSTANCE_PATH/secret_key, shared by every process",
    )
    instance_path: str = _setting(
        "instance", str, "folder of the kept secret key; relative to the working directory"
    )
    secure_cookies: bool = _setting(
        False, _parse_bool, "HTTPS installs: session cookie only over HTTPS, HSTS header"
    )
    trusted_proxies: int = _setting(
        0,
        _parse_non_negative_int,
        "reverse proxies in front whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (the client's address)",
    )
    signin_max_failures: int = _setting(
        5, _parse_positive_int, "failed sign-ins with one user name before it is refused"
    )
    signin_max_failures_per_address: int = _setting(
        20, _parse_positive_int, "failed sign-ins from one address before it is refused"
    )
    signin_window_minutes: int = _setting(
        15, _parse_positive_int, "minutes a failed sign-in counts against the two limits"
    )
    replan_time_limit: int = _setting(60, _parse_positive_int, "solver seconds per re-plan")
    horizon_days: int = _setting(365, _parse_positive_int, "days ahead a plan looks")
    replan_cron: str = _setting(
        "0 2 * * *", _parse_cron, "crontab line of the scheduled re-plan, in ENVSCHED_TIMEZONE"
    )
    timezone: str = _setting("UTC", _parse_timezone, "time zone of the re-plan schedule")
    replan_auto_apply: bool = _setting(
        False, _parse_bool, "apply a round's plan at once instead of proposing it"
    )
    near_term_days: int = _setting(
        5, _parse_non_negative_int, "days ahead in which a re-plan changes nothing"
    )
    smtp_host: str = _setting("", str, "mail server for notifications; empty sends no mail")
    smtp_port: int = _setting(25, _parse_positive_int, "mail server port")
    smtp_from: str = _setting("envsched@localhost", str, "sender address of notifications")
    smtp_starttls: bool = _setting(
        False,
        _parse_bool,
        "upgrade the mail connection with STARTTLS (certificate "
        "and host name checked) before anything is sent",
    )
    smtp_ca_file: str = _setting(
        "", str, "PEM file of the CAs trusted for the mail server; empty: the system's"
    )
    smtp_username: str = _setting(
        "", str, "log in to the mail server as this user (needs ENVSCHED_SMTP_STARTTLS)"
    )
    smtp_password: str = _setting("", str, "the mail login's password", secret=True)
    notify_email: str = _setting("", str, "comma-separated addresses told about new flags")
    webhook_urls: tuple[str, ...] = _setting(
        tuple[str, ...](), _parse_urls, "comma-separated URLs that receive events"
    )
    webhook_secret: str = _setting(
        "",
        str,
        "HMAC-SHA256 key that signs webhook deliveries (needed when ENVSCHED_WEBHOOK_URLS is set)",
        secret=True,
    )
    delivery_retry_seconds: int = _setting(
        60,
        _parse_positive_int,
        "wait after a delivery's first failed attempt; doubled "
        "after each further failure, at most an hour",
    )
    delivery_max_age_hours: int = _setting(
        24,
        _parse_positive_int,
        "a delivery still failing this long after it was queued is given up and marked expired",
    )

    oidc_issuer: str = _setting(
        "",
        _parse_issuer,
        "single sign-on: the OpenID Connect issuer URL (its discovery "
        "document is ISSUER/.well-known/openid-configuration); empty: "
        "local accounts only",
    )
    oidc_name: str = _setting(
        "single sign-on", str, "the provider's name on the sign-in button (Sign in with …)"
    )
    oidc_client_id: str = _setting("", str, "envsched's client id at the provider")
    oidc_client_secret: str = _setting(
        "", str, "the client secret (or use ENVSCHED_OIDC_CLIENT_SECRET_FILE)", secret=True
    )
    oidc_client_secret_file: str = _setting(
        "",
        str,
        "a file holding the client secret (read at start-up; surrounding whitespace is dropped)",
    )
    oidc_scopes: str = _setting(
        "openid profile email", _parse_scopes, "scopes asked for; must include openid"
    )
    oidc_role_claim: str = _setting(
        "groups", str, "the claim (ID token, else userinfo) whose values the role map reads"
    )
    oidc_role_map: tuple[tuple[str, str], ...] = _setting(
        tuple[tuple[str, str], ...](),
        _parse_role_map,
        "comma-separated value=role pairs, e.g. "
        "env-managers=environment_manager; the first pair whose value "
        "the user's claim holds gives the role (never admin)",
    )
    oidc_default_role: str = _setting(
        "",
        _parse_default_role,
        "role of a user whose claim maps to no role; empty: such a user is refused",
    )

    solve_slots: int = _setting(
        1,
        _parse_positive_int,
        "solves (re-plan now, nightly rounds, what-if runs) the "
        "worker runs at once; the rest wait in the queue",
    )
    worker_lease_seconds: int = _setting(
        60,
        _parse_positive_int,
        "a running solve whose worker has not been heard of this "
        "long is marked failed and the next one runs",
    )
    worker_poll_seconds: float = _setting(
        1.0,
        _parse_positive_float,
        "how often the worker looks for queued solves, cancellations and lost workers",
    )

    # environment health (envsched.health)
    health_interval_seconds: int = _setting(
        60, _parse_positive_int, "how often the worker probes each environment's health URL"
    )
    health_timeout_seconds: float = _setting(
        5.0,
        _parse_positive_float,
        "a health probe without an answer this long counts as down",
    )
    health_down_minutes: int = _setting(
        15,
        _parse_non_negative_int,
        "an environment down this long is flagged and the bookers of its days from "
        "today on are told, once per outage, and again when it is back up (0: at the "
        "first failed probe)",
    )
    checkin_hours: int = _setting(
        24,
        _parse_positive_int,
        "hours after the start of its first day (UTC) within which a booking of a type "
        "that requires check-in must be checked in, or the worker releases it",
    )

    def __post_init__(self) -> None:
        _check_oidc(self)
        if self.webhook_urls and not self.webhook_secret:
            raise ConfigError(
                "ENVSCHED_WEBHOOK_SECRET",
                "must be set when "
                "ENVSCHED_WEBHOOK_URLS is: receivers check every delivery's "
                "signature with it",
            )
        if self.smtp_username and not self.smtp_starttls:
            raise ConfigError(
                "ENVSCHED_SMTP_USERNAME",
                "needs ENVSCHED_SMTP_STARTTLS=true: a mail password is never sent unencrypted",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``ENVSCHED_*`` variable that is set; the rest keep their defaults."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = PREFIX + spec.name.upper()
            if name in source:
                values[spec.name] = _parse(name, source[name], spec.metadata["parse"])
        return cls(**values)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _check_oidc(settings: Settings) -> None:
    """Single sign-on is all or nothing: an issuer needs a client id and one secret."""
    if not settings.oidc_issuer:
        return
    if not settings.oidc_client_id:
        raise ConfigError("ENVSCHED_OIDC_CLIENT_ID", "must be set when ENVSCHED_OIDC_ISSUER is")
    if bool(settings.oidc_client_secret) == bool(settings.oidc_client_secret_file):
        raise ConfigError(
            "ENVSCHED_OIDC_CLIENT_SECRET",
            "set it or "
            "ENVSCHED_OIDC_CLIENT_SECRET_FILE (one of them) when "
            "ENVSCHED_OIDC_ISSUER is set",
        )


def _parse(variable: str, text: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigError(variable, f"{text!r} is not valid: {exc}") from None
