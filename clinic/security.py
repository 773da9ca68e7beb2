"""Passwords, server-side login sessions, response headers and the no-store rule."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from .db import db, utcnow
from .extensions import login_manager
from .models import LoginSession, User

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106 low-memory profile)
# Verified against when the email is unknown, so both paths cost the same (no enumeration).
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

# ASVS 5.0 6.2.1: at least 8 characters, "a minimum of 15 characters is strongly recommended";
# NIST SP 800-63B-4 asks 15 for a password used alone.  64+ allowed (6.2.9); nothing truncated.
PASSWORD_MIN = 15
PASSWORD_MAX = 128
LAST_SEEN_RESOLUTION = timedelta(seconds=30)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Constant-work check; rehashes in place when the hasher's parameters changed.

    The request's transaction is committed first (every caller has only read so far, and the
    session keeps its objects loaded): on SQLite each transaction holds the database's write lock
    from its first statement (``BEGIN IMMEDIATE``), and an Argon2 check takes 0.2-0.3 s of CPU, so
    hashing inside one held up every other request of every worker behind each sign-in."""
    stored = user.password_hash if user is not None else _DUMMY_HASH
    if db.session.in_transaction():
        db.session.commit()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return True


# Context-specific words (ASVS 5.0 6.2.11): a password built on them is easy to guess here.
CONTEXT_WORDS = ["pelvic", "health", "physio", "physiotherapy", "physiotherapist", "clinic", "patient",
                 "assessment", "toolkit", "phat", "pelvicfloor", "running", "runner"]
MIN_STRENGTH = 3  # zxcvbn score 0-4; 3 = "safely unguessable" against an online attack and a slow hash


def password_problem(password: str, *, email: str | None = None, name: str | None = None,
                     clinic: str | None = None) -> str | None:
    """Length policy (no composition rules, no truncation) plus zxcvbn, a maintained strength
    estimator whose frequency lists include the 30,000 most common passwords (ASVS 6.2.4 asks
    for the top 3,000; the issue for 10,000), English words, names, keyboard patterns, dates and
    the words of this person and this clinic."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters. A few unrelated words work well."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    lowered = password.lower()
    if email and email.lower() in lowered:
        return "Do not use your email address in your password."
    if name and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        return "Do not use your name in your password."
    if len(set(lowered)) < 5:
        return "This password is too easy to guess. Try a few unrelated words together."
    from zxcvbn import zxcvbn

    inputs = [*CONTEXT_WORDS, *(w for w in (email or "").replace("@", " ").replace(".", " ").split() if w),
              *((name or "").split()), *((clinic or "").split())]
    # zxcvbn's matching grows with length: the first 100 characters decide (a longer password
    # only gets stronger), which keeps the check fast.
    result = zxcvbn(password[:100], user_inputs=[w.lower() for w in inputs if len(w) > 2])
    if result["score"] < MIN_STRENGTH:
        hint = (result.get("feedback") or {}).get("warning") or ""
        return ("This password is too easy to guess" + (f" ({hint.rstrip('.').lower()})" if hint else "")
                + ". Try a few unrelated words together.")
    return None


# --------------------------------------------------------------------------- login sessions

def _sid_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_session(user: User) -> None:
    """New server-side session on every login (no fixation): clear the cookie, issue a new id."""
    session.clear()
    raw = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=_sid_hash(raw), user_id=user.id, ip=request.remote_addr))
    session["sid"] = raw
    session["fresh_at"] = utcnow().isoformat()  # a sign-in is a fresh authentication (issue 13)
    session.permanent = True
    user.last_login_at = utcnow()
    login_user(user, remember=False)


def end_session() -> None:
    raw = session.get("sid")
    if raw:
        db.session.execute(update(LoginSession).where(LoginSession.id == _sid_hash(raw),
                                                      LoginSession.ended_at.is_(None))
                           .values(ended_at=utcnow()))
    logout_user()
    session.clear()


def end_all_sessions(user_id: int, *, except_current: bool = False) -> None:
    stmt = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    raw = session.get("sid")
    if except_current and raw:
        stmt = stmt.where(LoginSession.id != _sid_hash(raw))
    db.session.execute(stmt.values(ended_at=utcnow()))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    raw = session.get("sid")
    if not raw:
        return None
    row = db.session.execute(
        select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.id == _sid_hash(raw))).first()
    if row is None:
        return None
    record, user = row
    if record.ended_at is not None or str(record.user_id) != user_id:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"]
    if now - record.last_seen_at > idle or now - record.created_at > absolute:
        record.ended_at = now
        db.session.commit()
        g.session_timed_out = True
        return None
    if not user.active:
        return None
    if now - record.last_seen_at > LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        db.session.commit()
    return user


# --------------------------------------------------------------------------- headers

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")

# Endpoints that show no patient data and may be cached by the browser.
CACHEABLE_ENDPOINTS = {"static"}


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h.setdefault("X-Frame-Options", "DENY")
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if app.config["PHAT_ENV"] == "production":
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            # Every page may show patient data or a logged-in view: never store it.
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        return response
