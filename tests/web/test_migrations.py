"""The migrations build the schema from empty, match the models, and go down and up again."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from clinic.db import alembic_config, upgrade

from ..conftest import TEST_DATABASE_URL, _pg_schema_url


@pytest.fixture
def empty_url(tmp_path):
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    schema = f"phat_mig_{os.getpid()}_{tmp_path.name[-6:]}".lower().replace("-", "_")
    admin = sa.create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield _pg_schema_url(TEST_DATABASE_URL, schema)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_single_head_and_date_prefixed_files():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        name = os.path.basename(rev.path)
        assert name[:4].isdigit() and name[4] == "_", name


def test_upgrade_from_empty_matches_the_models(empty_url):
    upgrade(empty_url)
    command.check(alembic_config(empty_url))  # raises when autogenerate finds a difference


def test_stairway_down_and_up(empty_url):
    cfg = alembic_config(empty_url)
    script = ScriptDirectory.from_config(cfg)
    revisions = list(reversed(list(script.walk_revisions())))
    for rev in revisions:
        command.upgrade(cfg, rev.revision)
        command.downgrade(cfg, rev.down_revision or "base")
        command.upgrade(cfg, rev.revision)
    command.check(cfg)


def test_0002_backfills_the_name_parts_of_existing_patients(empty_url):
    cfg = alembic_config(empty_url)
    command.upgrade(cfg, "0001")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO clinics (name, created_at) VALUES ('C', CURRENT_TIMESTAMP)"))
        clinic = conn.execute(sa.text("SELECT id FROM clinics")).scalar()
        conn.execute(sa.text(
            "INSERT INTO patients (id, clinic_id, given_name, family_name, given_key, family_key, date_of_birth, "
            "sex, is_demo, created_at, updated_at) VALUES ('p1', :c, 'Mary Ann', 'O''Neill-Ørsted', 'mary ann', "
            "'o''neill-ørsted', '1980-01-02', 'female', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"c": clinic})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        parts = set(conn.execute(sa.text("SELECT part FROM patient_name_parts WHERE patient_id = 'p1'")).scalars())
    engine.dispose()
    assert {"mary", "ann", "mary ann", "o'neill", "oneill", "ørsted", "orsted", "o'neill-ørsted"} <= parts
    from clinic.models import name_parts

    assert parts == name_parts("Mary Ann", "O'Neill-Ørsted")  # the migration's frozen copy agrees


def test_sqlite_pragmas(tmp_path):
    if TEST_DATABASE_URL:
        pytest.skip("SQLite-specific")
    from clinic.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_a_read_then_write_transaction_does_not_hit_sqlite_busy(tmp_path):
    """BEGIN IMMEDIATE: concurrent read-then-write transactions queue instead of failing."""
    if TEST_DATABASE_URL:
        pytest.skip("SQLite-specific")
    import threading

    from clinic.db import make_engine

    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    errors = []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            for _ in range(25):
                with engine.begin() as conn:
                    n = conn.exec_driver_sql("SELECT n FROM counter").scalar()
                    conn.exec_driver_sql("UPDATE counter SET n = ?", (n + 1,))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 200
    engine.dispose()
    assert errors == []
