"""Fixtures shared by the web and browser layers.

The schema is always built by running the Alembic migrations.  SQLite is the default; set
``TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test`` to run the same tests
against PostgreSQL (each run uses its own schema, dropped at the end).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from pathlib import Path

import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_SECRET = "test-secret-" + "x" * 40


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database: a SQLite file to copy per test, or a PostgreSQL schema to truncate."""
    from clinic.db import upgrade

    if TEST_DATABASE_URL:
        import sqlalchemy as sa

        schema = f"phat_test_{os.getpid()}_{secrets.token_hex(3)}"
        admin = sa.create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _pg_schema_url(TEST_DATABASE_URL, schema)
        upgrade(url)
        yield ("postgresql", url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        upgrade(f"sqlite:///{path}")
        yield ("sqlite", path)


@pytest.fixture
def database_url(database_template, tmp_path):
    kind, where = database_template
    if kind == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(where, target)
        return f"sqlite:///{target}"
    import sqlalchemy as sa

    engine = sa.create_engine(where)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return where


@pytest.fixture
def app_config(database_url, tmp_path):
    return {
        "TESTING": True,
        "PHAT_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "TEXT_PACK_FOLDER": str(tmp_path / "textpacks"),
    }


@pytest.fixture
def app(app_config, tmp_path):
    from clinic import create_app

    application = create_app(app_config, instance_path=str(tmp_path / "instance"))
    from tests.web.support import CheckingClient

    application.test_client_class = CheckingClient
    yield application
    application.extensions["phat_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def no_weasyprint_warnings():
    """Every test, in every layer, fails if WeasyPrint logs a warning (missing font, bad CSS, a
    refused URL): reports rendered by the web tests are covered as well as the PDF unit tests."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == []


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
