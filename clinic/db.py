"""Database engine and per-request session (SQLAlchemy 2.x, no Flask-SQLAlchemy).

SQLite (the embedded default) runs with WAL, ``busy_timeout``, ``foreign_keys=ON`` and
``synchronous=FULL``; every transaction starts with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented
pysqlite recipe) so a request that reads and then writes never hits SQLITE_BUSY on upgrade.
PostgreSQL is used through ``DATABASE_URL=postgresql+psycopg://...``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, before_render_template, current_app, g, has_request_context, template_rendered
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use clinic.db.utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# How long a transaction waits for SQLite's write lock, and how often it asks meanwhile.
SQLITE_LOCK_WAIT_SECONDS = 10.0
_SQLITE_LOCK_POLL_SECONDS = 0.002


def _begin_immediate(conn: Any) -> None:
    """``BEGIN IMMEDIATE``, asking for the write lock every 2 ms for up to 10 s.

    SQLite's own busy handler (``busy_timeout``) sleeps 1, 2, 5 … then 100 ms between tries, so
    a request that has waited a little polls rarely and is overtaken by newcomers: under load a
    few requests waited half a second for a lock that was free most of the time
    (``bench/bench_load.py``).  Each try here is a few microseconds; the last one goes through
    SQLAlchemy so a lock that never frees raises its usual OperationalError."""
    raw = conn.connection.dbapi_connection
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
                time.sleep(_SQLITE_LOCK_POLL_SECONDS)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(SQLITE_LOCK_WAIT_SECONDS * 1000)}")


def make_engine(url: str, echo: bool = False, *, pool_size: int = 5, max_overflow: int = 5,
                pool_timeout: int = 10) -> Engine:
    """The engine for ``url``.  The pool limits apply to PostgreSQL; SQLite ignores them (its one
    writer waits for the lock in :func:`_begin_immediate` instead)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control away from pysqlite (SQLAlchemy pysqlite recipe).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(SQLITE_LOCK_WAIT_SECONDS * 1000)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            if _RENDERING.get():
                conn.exec_driver_sql("BEGIN")  # reads only: a snapshot, no write lock
            else:
                _begin_immediate(conn)

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                         pool_timeout=pool_timeout)


def _track_writes(engine: Engine) -> None:
    """Mark a connection's transaction once it runs anything but a SELECT (see ``Database``)."""

    @event.listens_for(engine, "begin")
    def _clean(conn: Any) -> None:
        conn.info["phat_wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _mark(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info["phat_wrote"] = True


def set_statement_timeout(engine: Engine, milliseconds: int | None) -> None:
    """PostgreSQL: every pooled connection cancels statements running longer than this (issue 13)."""
    if engine.dialect.name != "postgresql" or not milliseconds:
        return

    @event.listens_for(engine, "connect")
    def _timeout(dbapi_conn: Any, _record: Any) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(milliseconds)}")
        dbapi_conn.autocommit = autocommit


# True while a page renders: the transactions it starts only read.
_RENDERING: contextvars.ContextVar[bool] = contextvars.ContextVar("phat_rendering", default=False)


class Database:
    """Per-app engine (in ``app.extensions``); one session per application context.

    Rendering a page only reads, yet a transaction begun for it (the header's alert count, a lazy
    load in a template) used to keep SQLite's write lock until the request ended, so every page
    render queued all writes of every worker behind it.  When a template starts rendering, the
    request's transaction is ended if it has written nothing (a commit that stores nothing; with
    ``expire_on_commit=False`` nothing is reloaded), transactions begun while it renders are
    plain deferred ``BEGIN`` on SQLite (a snapshot, no lock), and when it ends such a read
    transaction is ended too.  A transaction that has written (a flush, an UPDATE) or has pending
    changes is never touched: it is committed or rolled back by its view as before."""

    def init_app(self, app: Flask) -> None:
        cfg = app.config
        engine = make_engine(cfg["DATABASE_URL"], echo=cfg.get("SQL_ECHO", False),
                             pool_size=cfg.get("DB_POOL_SIZE", 5), max_overflow=cfg.get("DB_MAX_OVERFLOW", 5),
                             pool_timeout=cfg.get("DB_POOL_TIMEOUT_SECONDS", 10))
        set_statement_timeout(engine, app.config.get("STATEMENT_TIMEOUT_MS"))
        _track_writes(engine)
        app.extensions["phat_engine"] = engine
        app.extensions["phat_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
        app.teardown_appcontext(self._teardown)
        before_render_template.connect(self._render_starts, app, weak=False)
        template_rendered.connect(self._render_ends, app, weak=False)

    @staticmethod
    def _end_if_clean() -> bool:
        """Commit the request's transaction when it has written nothing and nothing is pending."""
        sess = g.get("_phat_session")
        if sess is None or not sess.in_transaction():
            return True
        if sess.new or sess.dirty or sess.deleted or sess.connection().info.get("phat_wrote", True):
            return False
        sess.commit()
        return True

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A stretch of a request that only reads (a page's header counts): no write lock held."""
        entered = has_request_context() and self._enter_reading()
        try:
            yield
        finally:
            if entered:
                self._leave_reading()

    def _enter_reading(self) -> bool:
        depth = g.get("_phat_reading_depth", 0)
        g._phat_reading_depth = depth + 1
        if depth:
            return True
        # Load the signed-in user first: loading may write (last seen), which must not happen
        # inside a deferred transaction.
        from flask_login import current_user
        _ = current_user.is_authenticated
        if self._end_if_clean():
            g._phat_reading_token = _RENDERING.set(True)
        return True

    def _leave_reading(self) -> None:
        g._phat_reading_depth -= 1
        if g._phat_reading_depth:
            return
        token = g.pop("_phat_reading_token", None)
        if token is not None:
            _RENDERING.reset(token)
            self._end_if_clean()

    def _render_starts(self, _app: Flask, **_extra: Any) -> None:
        if has_request_context():
            self._enter_reading()

    def _render_ends(self, _app: Flask, **_extra: Any) -> None:
        if has_request_context() and g.get("_phat_reading_depth"):
            self._leave_reading()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["phat_engine"]

    @property
    def session(self) -> Session:
        sess = g.get("_phat_session")
        if sess is None:
            sess = current_app.extensions["phat_sessionmaker"]()
            g._phat_session = sess
        return sess

    @staticmethod
    def _teardown(_exc: BaseException | None) -> None:
        token = g.pop("_phat_reading_token", None)
        if token is not None:  # a render that raised: worker threads keep their context
            try:
                _RENDERING.reset(token)
            except ValueError:
                _RENDERING.set(False)
        g.pop("_phat_reading_depth", None)
        sess = g.pop("_phat_session", None)
        if sess is not None:
            sess.rollback()
            sess.close()


db = Database()


def alembic_config(url: str):
    """An Alembic Config for the migrations shipped in ``clinic/migrations`` (CLI and tests)."""
    from alembic.config import Config

    folder = Path(__file__).resolve().parent / "migrations"
    cfg = Config(str(folder / "alembic.ini"))
    cfg.set_main_option("script_location", str(folder))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)
