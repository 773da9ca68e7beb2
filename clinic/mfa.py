"""TOTP second factor (RFC 6238, pyotp) with one-time backup codes (issue 13).

* A code is accepted for the current 30-second step and one step either side (clock drift);
  each step is usable once: the last accepted step is stored and a conditional UPDATE refuses a
  replay, even from two requests at once.
* Ten backup codes are shown once at enrolment; each is stored as a salted Argon2id hash
  (ASVS 6.5.2: a secret below 112 bits gets an approved password hash) and works once.
* Wrong codes count in the same shared limiter as passwords (clinic.throttle).
"""

from __future__ import annotations

import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update

from .db import db, utcnow
from .models import MfaBackupCode, User

ISSUER = "Pelvic Health Toolkit"
STEP_SECONDS = 30
BACKUP_CODES = 10
# Backup codes are 60-bit random, looked up by trying each unused one: a lighter Argon2id.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits from the secrets module


def provisioning_uri(email: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (allowed by the page's CSP: img-src 'self' data:)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str | None) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:32]


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (now, or one either side) whose code is ``code``; None if none matches."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = current_step(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def verify_totp(user: User, code: str) -> bool:
    """True once per time step: the step is recorded with a conditional UPDATE (no replay)."""
    if not user.has_mfa:
        return False
    step = matching_step(user.totp_secret, code)
    if step is None:
        return False
    done = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if done.rowcount == 1:
        user.totp_last_step = step
        return True
    return False


def verify_backup_code(user: User, code: str) -> bool:
    code = _clean(code)
    if len(code) != 12:
        return False
    for row in db.session.scalars(select(MfaBackupCode).where(MfaBackupCode.user_id == user.id,
                                                             MfaBackupCode.used_at.is_(None))):
        try:
            _code_hasher.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        used = db.session.execute(update(MfaBackupCode).where(MfaBackupCode.id == row.id,
                                                              MfaBackupCode.used_at.is_(None))
                                  .values(used_at=utcnow()).execution_options(synchronize_session=False))
        return used.rowcount == 1
    return False


def verify(user: User, code: str) -> str | None:
    """'totp' or 'backup' when ``code`` is a valid unused second factor, else None."""
    if verify_totp(user, code):
        return "totp"
    if verify_backup_code(user, code):
        return "backup"
    return None


def new_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes; returns them in plain text, to be shown once."""
    db.session.execute(delete(MfaBackupCode).where(MfaBackupCode.user_id == user.id))
    codes = []
    for _ in range(BACKUP_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        db.session.add(MfaBackupCode(user_id=user.id, code_hash=_code_hasher.hash(raw)))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def unused_backup_codes(user: User) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(MfaBackupCode).where(
        MfaBackupCode.user_id == user.id, MfaBackupCode.used_at.is_(None))) or 0


def enable(user: User, secret: str, step: int) -> list[str]:
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_backup_codes(user)


def reset(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(MfaBackupCode).where(MfaBackupCode.user_id == user.id))
