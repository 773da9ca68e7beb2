"""Self-service password reset (issue 13): an emailed single-use link that expires.

* The token is 256-bit random; only its SHA-256 is stored (``password_resets``).
* The answer to a request is the same whether or not the address has an account.
* Requests are limited per address (``PASSWORD_RESET_REQUESTS_PER_HOUR``, shared store).
* Using the link sets the password, ends every session of the account, lifts a guessing delay,
  retires the account's other reset links, and does not sign in: the next sign-in asks for the
  password (and any second factor) as usual.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app, request
from sqlalchemy import select, update

from . import audit, mail, throttle
from .db import db, utcnow
from .models import PasswordReset, User
from .security import end_all_sessions, hash_password

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def request_reset(email: str) -> None:
    """Send a reset link if ``email`` belongs to an active account; say nothing either way."""
    cfg = current_app.config
    count = throttle.store().fail(throttle._key("reset", email.lower()), free=cfg["PASSWORD_RESET_REQUESTS_PER_HOUR"],
                                  window=dt.timedelta(hours=1), delay_for=lambda _n: dt.timedelta(hours=1))
    if count > cfg["PASSWORD_RESET_REQUESTS_PER_HOUR"]:
        audit.record("auth.reset_throttled", actor="anonymous")
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        audit.record("auth.reset_requested", actor="anonymous", detail={"sent": False})
        return
    token = secrets.token_urlsafe(TOKEN_BYTES)
    minutes = cfg["PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordReset(user_id=user.id, token_hash=token_hash(token), ip=request.remote_addr,
                                 expires_at=utcnow() + dt.timedelta(minutes=minutes)))
    subject, body = mail.password_reset_email(mail.public_url("auth.reset_password_link", token=token), minutes)
    # Through the job queue: retried, failures listed for administrators, and the request takes the
    # same time whether or not the address has an account (no SMTP conversation inside it).
    from . import jobs

    via = jobs.queue_email(user.clinic_id, user.email, subject, body, user_id=user.id)
    audit.record("auth.reset_requested", object_type="user", object_id=user.id, clinic_id=user.clinic_id,
                 actor="anonymous", detail={"sent": True, "via": via})


def find(token: str | None) -> PasswordReset | None:
    """The live reset for ``token`` (unused, unexpired, account active), else None."""
    if not token or not 20 <= len(token) <= 100:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    user = db.session.get(User, reset.user_id)
    return reset if user is not None and user.active else None


def complete(reset: PasswordReset, new_password: str) -> bool:
    """Use the link once (conditional UPDATE) and set the password.  False if it was used meanwhile."""
    now = utcnow()
    done = db.session.execute(
        update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
                                    PasswordReset.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        return False
    user = db.session.get(User, reset.user_id)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    # Every other live link of the account stops working too.
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    end_all_sessions(user.id)
    throttle.succeeded(user.email)
    audit.record("auth.password_reset_self", object_type="user", object_id=user.id, user_id=user.id,
                 clinic_id=user.clinic_id)
    return True
