"""Outgoing email: SMTP when MAIL_SERVER is configured, otherwise the in-app development outbox.

Messages carry no patient data: only the clinic's name, the link and its expiry.
"""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

from flask import current_app

from .db import db
from .models import OutboxMessage


def send(clinic_id: int, to: str, subject: str, body: str) -> str:
    """Send (or file in the outbox) and return where it went: 'smtp' or 'outbox'."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        if cfg.get("PHAT_ENV") == "production":
            # No development outbox in production: nothing is stored, the caller says "not sent".
            return "none"
        # The development outbox never keeps a usable link (issue 13): links are redacted.
        db.session.add(OutboxMessage(clinic_id=clinic_id, to_address=to, subject=subject, body=redact_links(body)))
        return "outbox"
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
    return "smtp"


LINK_RE = re.compile(r"https?://\S+")


def redact_links(body: str) -> str:
    return LINK_RE.sub("[link removed: the outbox never keeps a working link]", body)


def invitation_email(clinic_name: str, link: str, expires: str, phone: str = "") -> tuple[str, str]:
    subject = f"{clinic_name}: questions before your appointment"
    body = (
        f"Hello,\n\n"
        f"{clinic_name} has asked you to answer some questions before your appointment. "
        f"It takes about 10 to 20 minutes and you can stop and come back to it.\n\n"
        f"Open this link on your phone or computer:\n{link}\n\n"
        f"You will be asked for your date of birth first. The link works until {expires}.\n\n"
        f"If you were not expecting this message, you can ignore it or contact the clinic"
        f"{' on ' + phone if phone else ''}.\n"
    )
    return subject, body


# --------------------------------------------------------------------------- issue 13 (helper C)

def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built from PUBLIC_BASE_URL: never from the request's Host
    header, which a client controls (host-header poisoning)."""
    from flask import url_for

    return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint, **values)


def password_reset_email(link: str, minutes: int) -> tuple[str, str]:
    subject = "Reset your password"
    body = (
        "Hello,\n\n"
        "Someone (we hope you) asked to reset the password of your account in the Pelvic Health "
        "Assessment Toolkit. Open this link to choose a new password:\n"
        f"{link}\n\n"
        f"The link works once, for {minutes} minutes. If you did not ask for it, ignore this message: "
        "your password stays as it is.\n"
    )
    return subject, body
