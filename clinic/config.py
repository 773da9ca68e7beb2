"""Configuration: defaults -> instance config -> environment variables -> test mapping.

Outside development and testing the app refuses to start with a missing or weak SECRET_KEY.
Local development runs generate a random key once and keep it in the instance folder.
"""

from __future__ import annotations

import os
import re
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
        # Former Flask-Limiter store, still read for compatibility: a redis:// value here is used as
        # THROTTLE_STORAGE_URI (clinic.throttle); memory:// is ignored (counts are always shared).
        "RATELIMIT_STORAGE_URI": None,
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
        # --- red-flag alerts, signing and archive (issue 12) ---
        # Re-send an unacknowledged alert after this many minutes (`phat alerts --resend-due`).
        "ALERT_RESEND_MINUTES": 60,
        # A failed alert email is retried this many times in all.
        "ALERT_MAX_ATTEMPTS": 5,
        # Send alert emails in the request (True) instead of a background thread when SMTP is set.
        "ALERT_MAIL_INLINE": False,
        # Signing asks for the password again when the sign-in is older than this.
        "SIGN_REAUTH_MINUTES": 15,
        # Report rendering runs in a separate process: killed after this many seconds, and
        # capped at this much address space (MB).
        "RENDER_TIMEOUT_SECONDS": 60,
        "RENDER_MEMORY_MB": 1536,
        **_export_and_job_defaults(instance_path),
        **security_defaults(),
    }


def _export_and_job_defaults(instance_path: str) -> dict[str, Any]:
    """Data exports and the job queue (issue 14)."""
    return {
        # Jobs run on RQ over this Redis server (workers: `phat jobs-worker` on any host); unset, a
        # local worker process started with the app runs them (the embedded default).
        "REDIS_URL": None,
        "JOBS_QUEUE": "phat",
        # rq | local | eager (run in-process after commit: the test default); unset = rq with REDIS_URL,
        # eager when TESTING, else local.
        "JOBS_MODE": None,
        # Start the local worker process with the app (`make run` sets it); otherwise it starts with
        # the first job.
        "JOBS_LOCAL_WORKER": False,
        "EMAIL_MAX_ATTEMPTS": 4,
        # Signed assessments one bulk export may hold.
        "BULK_EXPORT_MAX": 1000,
        # Years a record is kept after the last clinical contact; then `phat purge-retention` (and the
        # nightly purge_retention job) deletes it.  8: the NHS records code's period for adult health records.
        "RETENTION_YEARS": 8,
        # Nightly backups made by the backup job (SQLite).
        "BACKUP_FOLDER": str(Path(instance_path) / "backups"),
        # Canonical base of the FHIR Questionnaires and CodeSystems; the patient identifier's system
        # (for example https://fhir.nhs.uk/Id/nhs-number).
        "FHIR_BASE": None,
        "PATIENT_IDENTIFIER_SYSTEM": None,
    }


# --------------------------------------------------------------------------- issue 13: security (helper C)

def security_defaults() -> dict[str, Any]:
    return {
        # Password guessing (clinic.throttle): shared store, per account and per address.
        "THROTTLE_STORAGE_URI": None,  # None: the database; or redis://host:6379/0
        "REDIS_URL": None,
        "LOGIN_ACCOUNT_FREE_FAILURES": 5,
        "LOGIN_ACCOUNT_BASE_DELAY_SECONDS": 60,
        "LOGIN_ACCOUNT_MAX_DELAY_MINUTES": 60,
        "LOGIN_FAILURE_MEMORY_HOURS": 24,
        "LOGIN_IP_MAX_FAILURES": 100,
        "LOGIN_IP_WINDOW_MINUTES": 15,
        # The inline re-sign-in on assessment pages signs out after this many failures.
        "REAUTH_MAX_FAILURES": 5,
        # Opening a patient link (token guessing), per address, in the shared store of
        # clinic.throttle: a fixed window, "N per minute" (also "N per 5 minutes", "N/hour").
        "PATIENT_LINK_RATE_LIMIT": "30 per minute",
        # Unknown, expired, revoked or used tokens one address may open before it waits the window.
        "PATIENT_LINK_BAD_TOKEN_MAX": 10,
        "PATIENT_LINK_BAD_TOKEN_WINDOW_MINUTES": 15,
        # Emailed links (patient links, password resets) start with this, never with the Host
        # header.  Required in production; TRUSTED_HOSTS defaults to its host there.
        "PUBLIC_BASE_URL": None,
        "TRUSTED_HOSTS": None,
        # Self-service password reset links.
        "PASSWORD_RESET_MINUTES": 30,
        "PASSWORD_RESET_REQUESTS_PER_HOUR": 3,
        # TOTP second factor: required of everyone when true (to become a clinic setting later).
        "MFA_REQUIRED": False,
        # Creating users and resetting passwords or second factors need a sign-in this recent.
        "REAUTH_FRESH_MINUTES": 10,
        # A patient link is revoked after this many date-of-birth lock cycles (DOB_LOCK_MINUTES each).
        "DOB_MAX_LOCKS": 3,
        # PostgreSQL cancels any statement running longer than this (a stuck query frees its worker).
        "STATEMENT_TIMEOUT_MS": 30000,
        # PostgreSQL connection pool per worker process (SQLite ignores these): connections kept open,
        # extra ones allowed under load, and how long a request waits for one before it is answered
        # 503 "busy, try again" instead of hanging.
        "DB_POOL_SIZE": 5,
        "DB_MAX_OVERFLOW": 5,
        "DB_POOL_TIMEOUT_SECONDS": 10,
    }


_SECURITY_INT = {"LOGIN_ACCOUNT_FREE_FAILURES", "LOGIN_ACCOUNT_BASE_DELAY_SECONDS", "LOGIN_ACCOUNT_MAX_DELAY_MINUTES",
                 "LOGIN_FAILURE_MEMORY_HOURS", "LOGIN_IP_MAX_FAILURES", "LOGIN_IP_WINDOW_MINUTES",
                 "REAUTH_MAX_FAILURES", "PASSWORD_RESET_MINUTES", "PASSWORD_RESET_REQUESTS_PER_HOUR",
                 "REAUTH_FRESH_MINUTES", "DOB_MAX_LOCKS", "STATEMENT_TIMEOUT_MS", "PATIENT_LINK_BAD_TOKEN_MAX",
                 "PATIENT_LINK_BAD_TOKEN_WINDOW_MINUTES"}
_SECURITY_STR = {"THROTTLE_STORAGE_URI", "REDIS_URL", "PATIENT_LINK_RATE_LIMIT", "PUBLIC_BASE_URL"}
_SECURITY_LIST = {"TRUSTED_HOSTS"}  # comma-separated in the environment (PHAT_TRUSTED_HOSTS)


_RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE_RE = re.compile(r"^\s*(\d{1,9})\s*(?:per|/)\s*(?:(\d{1,6})\s*)?(second|minute|hour|day)s?\s*$", re.I)


def parse_rate(text: Any) -> tuple[int, timedelta]:
    """``"30 per minute"`` -> (30, 1 minute); also ``"100 per 5 minutes"`` and ``"30/minute"``.

    The syntax Flask-Limiter used for ``PATIENT_LINK_RATE_LIMIT`` (one limit); anything else is a
    ConfigError, so a typo stops the app at start rather than disabling the limit."""
    match = _RATE_RE.match(str(text or ""))
    if not match:
        raise ConfigError(f"PATIENT_LINK_RATE_LIMIT must look like '30 per minute', not {text!r}")
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3].lower()
    if count <= 0 or multiple <= 0:
        raise ConfigError("PATIENT_LINK_RATE_LIMIT must allow at least 1 request in a window of at least 1 second")
    return count, timedelta(seconds=multiple * _RATE_UNITS[unit])


def check_security(config: dict[str, Any]) -> None:
    from urllib.parse import urlsplit

    for name in _SECURITY_INT:
        if int(config.get(name) or 0) <= 0:
            raise ConfigError(f"{name} must be positive")
    check_pool(config)
    parse_rate(config.get("PATIENT_LINK_RATE_LIMIT"))  # refuse a typo at start (read again per request)
    env = config.get("PHAT_ENV")
    base = config.get("PUBLIC_BASE_URL")
    if not base:
        if env == "production":
            raise ConfigError("PHAT_PUBLIC_BASE_URL is not set: emailed links (patient links, password resets) "
                              "are built from it, never from the request's Host header. Set it to the address "
                              "patients and staff use, for example https://phat.your-clinic.example")
        base = config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000" if env == "development" else "http://localhost"
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError("PUBLIC_BASE_URL must look like https://phat.your-clinic.example")
    if env == "production" and parts.scheme != "https":
        raise ConfigError("PUBLIC_BASE_URL must start with https:// in production")
    config["PUBLIC_BASE_URL"] = base.rstrip("/")
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if not hosts and env == "production":
        hosts = [parts.hostname]  # Flask refuses any other Host header with 400
    config["TRUSTED_HOSTS"] = hosts or None


_POOL_LIMITS = {"DB_POOL_SIZE": (1, 1000), "DB_MAX_OVERFLOW": (0, 1000), "DB_POOL_TIMEOUT_SECONDS": (1, 600)}


def check_pool(config: dict[str, Any]) -> None:
    """The PostgreSQL pool settings are whole numbers in range (checked on SQLite too, so a typo
    never waits for the move to PostgreSQL)."""
    for name, (low, high) in _POOL_LIMITS.items():
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"PHAT_{name} must be a whole number from {low} to {high}, not {value!r}")


_ENV_INT = _SECURITY_INT | set(_POOL_LIMITS) | {
            "IDLE_TIMEOUT_MINUTES", "PATIENTS_PER_PAGE", "PATIENT_SEARCH_CAP", "INVITATION_DAYS",
            "INTAKE_SESSION_MINUTES", "DOB_MAX_ATTEMPTS", "DOB_LOCK_MINUTES", "MAIL_PORT", "PROXY_FIX_HOPS",
            "MAX_CONTENT_LENGTH", "ALERT_RESEND_MINUTES", "ALERT_MAX_ATTEMPTS",
            "SIGN_REAUTH_MINUTES", "RENDER_TIMEOUT_SECONDS", "RENDER_MEMORY_MB", "EMAIL_MAX_ATTEMPTS",
            "BULK_EXPORT_MAX", "RETENTION_YEARS"}
_ENV_BOOL = {"MFA_REQUIRED", "SQL_ECHO", "SESSION_COOKIE_SECURE", "MAIL_USE_TLS", "WTF_CSRF_ENABLED",
             "JOBS_LOCAL_WORKER"}
_ENV_STR = _SECURITY_STR | _SECURITY_LIST | {
            "PHAT_ENV", "SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "CLINIC_LOGO", "CLINIC_PHONE",
            "TEXT_PACK_FOLDER", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM",
            "SESSION_COOKIE_NAME", "REDIS_URL", "JOBS_QUEUE", "JOBS_MODE", "BACKUP_FOLDER", "FHIR_BASE",
            "PATIENT_IDENTIFIER_SYSTEM"}


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
    if not 1 <= int(config.get("RETENTION_YEARS", 8)) <= 100:
        raise ConfigError("PHAT_RETENTION_YEARS must be between 1 and 100")
    if config.get("JOBS_MODE") not in (None, "", "rq", "local", "eager"):
        raise ConfigError("PHAT_JOBS_MODE must be rq, local or eager")
    if config.get("JOBS_MODE") == "rq" and not config.get("REDIS_URL"):
        raise ConfigError("PHAT_JOBS_MODE=rq needs PHAT_REDIS_URL")
    _check_assessment_config(config.get("ASSESSMENT_CONFIG"))
    check_security(config)


def _check_assessment_config(value: Any) -> None:
    """Refuse a misspelt or out-of-range clinical threshold at start, not at the first save."""
    from assessments.config import Config

    if value is None:
        return
    if not isinstance(value, dict):
        raise ConfigError("ASSESSMENT_CONFIG must be a mapping of threshold names to values")
    try:
        Config.from_mapping(dict(value))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"ASSESSMENT_CONFIG: {exc}") from None


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
