"""Configuration: defaults -> instance config -> environment variables -> test mapping.

Outside development and testing the app refuses to start with a missing or weak SECRET_KEY.
Local development runs generate a random key once and keep it in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")
KNOWN_WEAK_KEYS = {"dev", "development", "secret", "changeme", "change-me", "test", "testing"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "PHAT_ENV": "production",
        "SECRET_KEY": None,
        "DATABASE_URL": "sqlite:///" + str(Path(instance_path) / "phat.sqlite3"),
        "SQL_ECHO": False,
        # Sessions: no remember-me, idle timeout, absolute lifetime.
        "IDLE_TIMEOUT_MINUTES": 30,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-phat",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "USE_SESSION_FOR_NEXT": True,
        # CSRF on every POST (Flask-WTF CSRFProtect); the token lives as long as a session.
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # Login throttling (Flask-Limiter). Use redis://127.0.0.1:6379 with several workers.
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_IP": "20 per 10 minutes",
        "LOGIN_LIMIT_PER_USER": "5 per 10 minutes",
        # Uploads are never needed; bound every request body.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "PATIENTS_PER_PAGE": 25,
        # A name search lists at most this many patients and asks for more letters beyond it.
        "PATIENT_SEARCH_CAP": 1000,
        # Clinic branding on reports (logo: path to a PNG/SVG/JPEG in the instance folder).
        "CLINIC_LOGO": None,
        # The clinic's phone number, printed in "contact us" on patient summaries (read through
        # clinic.summaries.clinic_phone(); a clinic-settings page may take it over).
        "CLINIC_PHONE": "",
        # Licensed questionnaire wording a clinic may drop in (one JSON per instrument id).
        "TEXT_PACK_FOLDER": str(Path(instance_path) / "textpacks"),
        # Assessment engine thresholds (see assessments/config.py); a mapping of Config fields.
        "ASSESSMENT_CONFIG": {},
        # Patient invitations.
        "INVITATION_DAYS": 14,
        "INTAKE_SESSION_MINUTES": 60,
        "DOB_MAX_ATTEMPTS": 5,
        "DOB_LOCK_MINUTES": 15,
        # Email: SMTP when MAIL_SERVER is set, else the development outbox.
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "no-reply@localhost",
        # Trust X-Forwarded-* from this many proxies (0 = serve directly).
        "PROXY_FIX_HOPS": 0,
    }


_ENV_INT = {"IDLE_TIMEOUT_MINUTES", "PATIENTS_PER_PAGE", "PATIENT_SEARCH_CAP", "INVITATION_DAYS",
            "INTAKE_SESSION_MINUTES", "DOB_MAX_ATTEMPTS", "DOB_LOCK_MINUTES", "MAIL_PORT", "PROXY_FIX_HOPS",
            "MAX_CONTENT_LENGTH"}
_ENV_BOOL = {"SQL_ECHO", "SESSION_COOKIE_SECURE", "MAIL_USE_TLS", "WTF_CSRF_ENABLED"}
_ENV_STR = {"PHAT_ENV", "SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "CLINIC_LOGO", "CLINIC_PHONE",
            "TEXT_PACK_FOLDER", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM",
            "LOGIN_LIMIT_PER_IP", "LOGIN_LIMIT_PER_USER", "SESSION_COOKIE_NAME"}


def from_environment(environ: os._Environ | dict[str, str]) -> dict[str, Any]:
    """Read ``DATABASE_URL`` / ``SECRET_KEY`` and ``PHAT_<NAME>`` variables."""
    out: dict[str, Any] = {}
    for name in _ENV_INT | _ENV_BOOL | _ENV_STR:
        raw = environ.get(name if name in ("DATABASE_URL", "SECRET_KEY", "PHAT_ENV") else f"PHAT_{name}")
        if raw is None:
            continue
        if name in _ENV_INT:
            try:
                out[name] = int(raw)
            except ValueError:
                raise ConfigError(f"PHAT_{name} must be a whole number") from None
        elif name in _ENV_BOOL:
            out[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            out[name] = raw
    return out


def finalise(config: dict[str, Any], instance_path: str) -> None:
    """Apply environment-dependent settings and refuse unsafe ones (mutates ``config``)."""
    env = config.get("PHAT_ENV")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PHAT_ENV must be one of {ENVIRONMENTS}, not {env!r}")
    if env in ("development", "testing"):
        # Plain http on 127.0.0.1: a __Host- cookie needs Secure, which needs https.
        config["SESSION_COOKIE_SECURE"] = False
        if config.get("SESSION_COOKIE_NAME", "").startswith("__Host-"):
            config["SESSION_COOKIE_NAME"] = "phat_session"
    key = config.get("SECRET_KEY")
    if env == "development" and not key:
        config["SECRET_KEY"] = _instance_secret_key(instance_path)
    elif env == "testing" and not key:
        config["SECRET_KEY"] = secrets.token_hex(32)
    key = config.get("SECRET_KEY")
    if not key:
        raise ConfigError("SECRET_KEY is not set. Generate one with "
                          "`python -c 'import secrets; print(secrets.token_hex(32))'` and set it in the "
                          "environment or the instance config.")
    if str(key).strip().lower() in KNOWN_WEAK_KEYS or len(str(key)) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters.")
    if config.get("IDLE_TIMEOUT_MINUTES", 0) <= 0:
        raise ConfigError("IDLE_TIMEOUT_MINUTES must be positive")
    if config.get("PATIENTS_PER_PAGE", 0) <= 0:
        raise ConfigError("PATIENTS_PER_PAGE must be positive")
    if config.get("PATIENT_SEARCH_CAP", 0) < config["PATIENTS_PER_PAGE"]:
        raise ConfigError("PATIENT_SEARCH_CAP must be at least PATIENTS_PER_PAGE")


def _instance_secret_key(instance_path: str) -> str:
    path = Path(instance_path) / "secret_key"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
