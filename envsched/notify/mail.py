"""Mail attempts over SMTP: plain, or upgraded with STARTTLS and then logged in.

With ``ENVSCHED_SMTP_STARTTLS`` the connection is encrypted before anything else is
said, the server's certificate checked against the system's CAs (or
``ENVSCHED_SMTP_CA_FILE``) and its host name; a server that does not offer STARTTLS is a
failed attempt, never a fallback to plain text. ``ENVSCHED_SMTP_USERNAME`` and
``ENVSCHED_SMTP_PASSWORD`` log in after that (the settings refuse a login without
STARTTLS). The password is only read from the environment and never written anywhere.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from envsched.models import Delivery
from envsched.notify.outbox import Outcome
from envsched.settings import Settings

TIMEOUT_S = 10


def send_mail(delivery: Delivery, settings: Settings) -> Outcome:
    """One attempt to hand the delivery's message to the mail server."""
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
            _secure(smtp, settings)
            smtp.send_message(message(delivery, settings))
    except smtplib.SMTPResponseException as exc:
        return Outcome(ok=False, status_code=exc.smtp_code, error=_reply(exc))
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}")
    return Outcome(ok=True)


def message(delivery: Delivery, settings: Settings) -> EmailMessage:
    """The mail: its Message-ID carries the delivery's id, so a resent one is known."""
    mail = EmailMessage()
    mail["From"], mail["To"] = settings.smtp_from, delivery.target
    mail["Subject"] = delivery.subject
    mail["Message-ID"] = make_msgid(idstring=delivery.uid, domain="envsched")
    mail.set_content(delivery.text)
    return mail


def _secure(smtp: smtplib.SMTP, settings: Settings) -> None:
    if settings.smtp_starttls:
        smtp.starttls(context=_tls_context(settings))
    if settings.smtp_username:
        smtp.login(settings.smtp_username, settings.smtp_password)


def _tls_context(settings: Settings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.smtp_ca_file or None)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = (
        exc.smtp_error.decode(errors="replace")
        if isinstance(exc.smtp_error, bytes)
        else str(exc.smtp_error)
    )
    return f"{type(exc).__name__}: {exc.smtp_code} {text}"
