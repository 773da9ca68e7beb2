"""Database engine and per-request session (SQLAlchemy 2.x, no Flask-SQLAlchemy).

SQLite (the embedded default) runs with WAL, ``busy_timeout``, ``foreign_keys=ON`` and
``synchronous=FULL``; every transaction starts with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented
pysqlite recipe) so a request that reads and then writes never hits SQLITE_BUSY on upgrade.
PostgreSQL is used through ``DATABASE_URL=postgresql+psycopg://...``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
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


def make_engine(url: str, echo: bool = False, *, pool_size: int = 5, max_overflow: int = 5,
                pool_timeout: int = 10) -> Engine:
    """The engine for ``url``.  The pool limits apply to PostgreSQL; SQLite ignores them (its one
    writer is queued by busy_timeout instead)."""
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
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                         pool_timeout=pool_timeout)


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


class Database:
    """Per-app engine (in ``app.extensions``); one session per application context."""

    def init_app(self, app: Flask) -> None:
        cfg = app.config
        engine = make_engine(cfg["DATABASE_URL"], echo=cfg.get("SQL_ECHO", False),
                             pool_size=cfg.get("DB_POOL_SIZE", 5), max_overflow=cfg.get("DB_MAX_OVERFLOW", 5),
                             pool_timeout=cfg.get("DB_POOL_TIMEOUT_SECONDS", 10))
        set_statement_timeout(engine, app.config.get("STATEMENT_TIMEOUT_MS"))
        app.extensions["phat_engine"] = engine
        app.extensions["phat_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
        app.teardown_appcontext(self._teardown)

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
