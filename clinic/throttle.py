"""Password and link guessing limits shared by every worker and host (issue 13).

Every form that takes a password (sign-in, the inline re-sign-in of clinic.access, password
change) asks :func:`wait_seconds` before checking a password and calls :func:`failed` after a
wrong one.  Failures are counted twice:

* per **account** (the email typed, known or not, so the answer never reveals whether an
  account exists): the first ``LOGIN_ACCOUNT_FREE_FAILURES`` cost nothing, then every further
  failure delays the next attempt progressively (``LOGIN_ACCOUNT_BASE_DELAY_SECONDS`` doubling up
  to ``LOGIN_ACCOUNT_MAX_DELAY_MINUTES``).  The delay applies to the right password too.  The
  owner lifts it at once by resetting the password (self-service or by an administrator);
  success clears the count.
* per **address**: a high limit (``LOGIN_IP_MAX_FAILURES`` per ``LOGIN_IP_WINDOW_MINUTES``), so
  one person's typos never lock out colleagues behind the same clinic router, while one
  address trying many accounts is stopped.

Counts live in the database (table ``auth_throttle``, one atomic upsert per failure) by default,
or in Redis when ``THROTTLE_STORAGE_URI`` (``PHAT_REDIS_URL``, or a ``redis://`` rate-limit store)
points there.  Either way they survive worker recycling and restarts and are shared by hosts.

Opening a patient link (``/p/<token>``) is counted here too, per address: a fixed window
(``PATIENT_LINK_RATE_LIMIT``, "30 per minute") and, stricter, the unknown or inactive tokens an
address tried (``PATIENT_LINK_BAD_TOKEN_MAX`` per ``PATIENT_LINK_BAD_TOKEN_WINDOW_MINUTES``).

Between the check and the upsert a few parallel requests can each still test one password: the
bound is the number of requests served at once (workers x threads), not a per-process count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Protocol

from flask import current_app, request
from sqlalchemy import case, delete, literal, select, update

from .db import UTCDateTime, db, utcnow
from .models import AuthThrottle


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


def account_key(email: str) -> str:
    return _key("account", (email or "").strip().lower()[:254])


def ip_key(ip: str | None) -> str:
    return _key("ip", ip or "unknown")


class Store(Protocol):
    def locked_seconds(self, keys: list[str]) -> int: ...
    def failures(self, key: str) -> int: ...
    def fail(self, key: str, *, free: int, window: dt.timedelta, delay_for) -> int: ...
    def clear(self, key: str) -> None: ...
    def hit(self, key: str, *, window: dt.timedelta) -> int: ...


def _insert():
    """The dialect's INSERT with ON CONFLICT (both SQLite and PostgreSQL have it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class DatabaseStore:
    """Rows in ``auth_throttle`` written through the request's session (committed with it)."""

    def locked_seconds(self, keys: list[str]) -> int:
        now = utcnow()
        until = db.session.scalars(select(AuthThrottle.locked_until).where(
            AuthThrottle.key.in_(keys), AuthThrottle.locked_until > now)).all()
        return max((int((u - now).total_seconds()) + 1 for u in until), default=0)

    def failures(self, key: str) -> int:
        return db.session.scalar(select(AuthThrottle.failures).where(AuthThrottle.key == key)) or 0

    def fail(self, key: str, *, free: int, window: dt.timedelta, delay_for) -> int:
        now = utcnow()
        count = self._count(key, now, restart=AuthThrottle.__table__.c.last_failure_at < now - window)
        delay = delay_for(count) if count > free else None
        if delay:
            # Only the request that made this count sets the lock (a conditional update).
            db.session.execute(update(AuthThrottle).where(AuthThrottle.key == key, AuthThrottle.failures == count)
                               .values(locked_until=now + delay).execution_options(synchronize_session=False))
        return count

    def clear(self, key: str) -> None:
        db.session.execute(delete(AuthThrottle).where(AuthThrottle.key == key)
                           .execution_options(synchronize_session=False))

    def hit(self, key: str, *, window: dt.timedelta) -> int:
        """Count one request in a fixed window that starts with the first request after the last
        window ended (``first_failure_at``); one atomic upsert, returns the count so far."""
        now = utcnow()
        return self._count(key, now, restart=AuthThrottle.__table__.c.first_failure_at <= now - window)

    @staticmethod
    def _count(key: str, now: dt.datetime, *, restart) -> int:
        """One atomic upsert: add one to the key's count, or start again at 1 when ``restart``
        (a condition on the stored row) holds; returns the new count."""
        table = AuthThrottle.__table__
        stmt = _insert()(table).values(key=key, failures=1, first_failure_at=now, last_failure_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
            "failures": case((restart, 1), else_=table.c.failures + 1),
            "first_failure_at": case((restart, literal(now, UTCDateTime)), else_=table.c.first_failure_at),
            "last_failure_at": now,
        }).returning(table.c.failures)
        return db.session.execute(stmt).scalar_one()


class RedisStore:
    """INCR + EXPIRE for the count, a key with a time-to-live for the lock."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def locked_seconds(self, keys: list[str]) -> int:
        ttls = [self.redis.pttl(f"phat:lock:{k}") for k in keys]
        return max((int(t // 1000) + 1 for t in ttls if t and t > 0), default=0)

    def failures(self, key: str) -> int:
        return int(self.redis.get(f"phat:fail:{key}") or 0)

    def fail(self, key: str, *, free: int, window: dt.timedelta, delay_for) -> int:
        pipe = self.redis.pipeline()
        pipe.incr(f"phat:fail:{key}")
        pipe.expire(f"phat:fail:{key}", int(window.total_seconds()))
        count = int(pipe.execute()[0])
        delay = delay_for(count) if count > free else None
        if delay:
            self.redis.set(f"phat:lock:{key}", count, px=int(delay.total_seconds() * 1000))
        return count

    def clear(self, key: str) -> None:
        self.redis.delete(f"phat:fail:{key}", f"phat:lock:{key}")

    def hit(self, key: str, *, window: dt.timedelta) -> int:
        """A fixed window: the key is created with its time-to-live, then counted (one MULTI)."""
        pipe = self.redis.pipeline()
        pipe.set(f"phat:hit:{key}", 0, ex=max(1, int(window.total_seconds())), nx=True)
        pipe.incr(f"phat:hit:{key}")
        return int(pipe.execute()[1])


def storage_uri(config) -> str:
    uri = config.get("THROTTLE_STORAGE_URI") or config.get("REDIS_URL")
    if not uri and str(config.get("RATELIMIT_STORAGE_URI") or "").startswith(("redis://", "rediss://")):
        uri = config["RATELIMIT_STORAGE_URI"]
    return uri or "database"


def store() -> Store:
    cache = current_app.extensions.setdefault("phat_throttle", {})
    uri = storage_uri(current_app.config)
    if uri not in cache:
        cache[uri] = DatabaseStore() if uri == "database" else RedisStore(uri)
    return cache[uri]


# --------------------------------------------------------------------------- the policy

def _account_delay(count: int) -> dt.timedelta:
    cfg = current_app.config
    over = count - cfg["LOGIN_ACCOUNT_FREE_FAILURES"]
    seconds = cfg["LOGIN_ACCOUNT_BASE_DELAY_SECONDS"] * 2 ** min(max(over - 1, 0), 20)
    return dt.timedelta(seconds=min(seconds, cfg["LOGIN_ACCOUNT_MAX_DELAY_MINUTES"] * 60))


def _ip_delay(_count: int) -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["LOGIN_IP_WINDOW_MINUTES"])


def client_ip() -> str | None:
    return request.remote_addr


def wait_seconds(email: str) -> int:
    """Seconds before this account may try a password from this address (0 = go ahead)."""
    return store().locked_seconds([account_key(email), ip_key(client_ip())])


def failed(email: str) -> int:
    """Count a wrong password for the account and the address; returns the account's count."""
    cfg = current_app.config
    s = store()
    s.fail(ip_key(client_ip()), free=cfg["LOGIN_IP_MAX_FAILURES"] - 1,
           window=dt.timedelta(minutes=cfg["LOGIN_IP_WINDOW_MINUTES"]), delay_for=_ip_delay)
    return s.fail(account_key(email), free=cfg["LOGIN_ACCOUNT_FREE_FAILURES"],
                  window=dt.timedelta(hours=cfg["LOGIN_FAILURE_MEMORY_HOURS"]), delay_for=_account_delay)


def account_failures(email: str) -> int:
    return store().failures(account_key(email))


def succeeded(email: str) -> None:
    """A right password (or a password reset by its owner or an administrator) clears the account."""
    store().clear(account_key(email))


# --------------------------------------------------------------------------- opening patient links

def _link_open_key(ip: str | None) -> str:
    return _key("link-open", ip or "unknown")


def _link_bad_key(ip: str | None) -> str:
    return _key("link-bad", ip or "unknown")


def patient_link_refusal() -> tuple[str, int] | None:
    """Count this opening of a patient link (GET, HEAD or the date-of-birth POST) for the address.

    Returns ``("bad_tokens", seconds)`` while the address waits after too many unknown or inactive
    tokens, ``("rate", seconds)`` past ``PATIENT_LINK_RATE_LIMIT``, else None.  The caller commits
    (the database store writes through the request's session).  Nothing here sees the token."""
    from . import audit
    from .config import parse_rate

    ip = client_ip()
    s = store()
    wait = s.locked_seconds([_link_bad_key(ip)])
    if wait:
        return "bad_tokens", wait
    limit, window = parse_rate(current_app.config["PATIENT_LINK_RATE_LIMIT"])
    count = s.hit(_link_open_key(ip), window=window)
    if count > limit:
        if count == limit + 1:  # once per window, not once per refused request
            audit.record("intake.link_rate_limited", actor="patient_link", detail={"limit": limit})
        return "rate", int(window.total_seconds())
    return None


def patient_link_bad_token() -> int:
    """Count an unknown, expired, revoked or used token from this address; the count reaching
    ``PATIENT_LINK_BAD_TOKEN_MAX`` makes the address wait ``PATIENT_LINK_BAD_TOKEN_WINDOW_MINUTES``
    (audited and logged once, without the token)."""
    from . import audit

    cfg = current_app.config
    most = cfg["PATIENT_LINK_BAD_TOKEN_MAX"]
    window = dt.timedelta(minutes=cfg["PATIENT_LINK_BAD_TOKEN_WINDOW_MINUTES"])
    count = store().fail(_link_bad_key(client_ip()), free=most - 1, window=window, delay_for=lambda _c: window)
    if count == most:
        audit.record("intake.bad_token_lockout", actor="patient_link",
                     detail={"bad_tokens": count, "minutes": cfg["PATIENT_LINK_BAD_TOKEN_WINDOW_MINUTES"]})
    return count


def describe_wait(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
