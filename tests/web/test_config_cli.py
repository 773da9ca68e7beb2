"""Configuration refuses unsafe settings; the command line creates users and lists routes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clinic import create_app
from clinic.config import ConfigError
from clinic.db import db
from clinic.models import Patient, User


def test_production_refuses_missing_or_weak_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PHAT_ENV", raising=False)
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(base, instance_path=str(tmp_path))
    for weak in ("dev", "short-key", "changeme"):
        with pytest.raises(ConfigError, match="too weak"):
            create_app({**base, "SECRET_KEY": weak}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="PHAT_PUBLIC_BASE_URL is not set"):
        create_app({**base, "SECRET_KEY": "k" * 48}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="must start with https"):
        create_app({**base, "SECRET_KEY": "k" * 48, "PUBLIC_BASE_URL": "http://x.example"}, instance_path=str(tmp_path))
    app = create_app({**base, "SECRET_KEY": "k" * 48, "PUBLIC_BASE_URL": "https://phat.clinic.example/"},
                     instance_path=str(tmp_path))
    assert app.config["PUBLIC_BASE_URL"] == "https://phat.clinic.example"
    assert app.config["TRUSTED_HOSTS"] == ["phat.clinic.example"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    app.extensions["phat_engine"].dispose()


def test_paging_and_search_cap_must_make_sense(tmp_path, monkeypatch):
    monkeypatch.delenv("PHAT_PATIENT_SEARCH_CAP", raising=False)
    base = {"PHAT_ENV": "testing", "SECRET_KEY": "k" * 48, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    with pytest.raises(ConfigError, match="PATIENTS_PER_PAGE must be positive"):
        create_app({**base, "PATIENTS_PER_PAGE": 0}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="PATIENT_SEARCH_CAP must be at least PATIENTS_PER_PAGE"):
        create_app({**base, "PATIENT_SEARCH_CAP": 10}, instance_path=str(tmp_path))
    monkeypatch.setenv("PHAT_PATIENT_SEARCH_CAP", "0")
    with pytest.raises(ConfigError, match="PATIENT_SEARCH_CAP"):
        create_app(base, instance_path=str(tmp_path))


def test_misspelt_or_out_of_range_assessment_config_is_refused_at_start(tmp_path):
    base = {"PHAT_ENV": "testing", "SECRET_KEY": "k" * 48, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    with pytest.raises(ConfigError, match="unknown configuration keys.*haematuria_hours"):
        create_app({**base, "ASSESSMENT_CONFIG": {"haematuria_hours": 72}}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="haematuria_clear_hours"):
        create_app({**base, "ASSESSMENT_CONFIG": {"haematuria_clear_hours": 96}}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="must be a mapping"):
        create_app({**base, "ASSESSMENT_CONFIG": ["nprs_scheme"]}, instance_path=str(tmp_path))
    app = create_app({**base, "ASSESSMENT_CONFIG": {"haematuria_clear_hours": 72}}, instance_path=str(tmp_path))
    app.extensions["phat_engine"].dispose()


def test_development_generates_and_keeps_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    cfg = {"PHAT_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    first = create_app(cfg, instance_path=str(tmp_path))
    second = create_app(cfg, instance_path=str(tmp_path))
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    for a in (first, second):
        a.extensions["phat_engine"].dispose()


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("IDLE_TIMEOUT_MINUTES = 5\nPATIENTS_PER_PAGE = 7\n")
    monkeypatch.setenv("PHAT_IDLE_TIMEOUT_MINUTES", "12")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
                     instance_path=str(tmp_path))
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 12
    assert app.config["PATIENTS_PER_PAGE"] == 7
    app.extensions["phat_engine"].dispose()


def test_cli_create_user_and_no_default_accounts(app):
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "Boss@Example.org", "--name", "Boss Person",
                                 "--clinic", "Harbour Physio", "--password-stdin"],
                           input="a long admin pass phrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "boss@example.org" and user.role == "admin"
    again = runner.invoke(args=["create-user", "--email", "boss@example.org", "--name", "X", "--clinic", "Y",
                                "--password-stdin"], input="a long admin pass phrase\n")
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(args=["create-user", "--email", "w@example.org", "--name", "W", "--clinic", "Y",
                               "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "at least" in weak.output


def test_cli_routes_access_lists_every_route(app):
    result = app.test_cli_runner().invoke(args=["routes-access"])
    assert result.exit_code == 0
    for rule in app.url_map.iter_rules():
        assert rule.rule in result.output
    assert "public" in result.output and "own clinic's objects only" in result.output


def test_cli_demo_data_loads_once_and_is_marked(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0 and "Demo sign-in:" in result.output
    with app.app_context():
        patients = db.session.scalars(select(Patient)).all()
        assert patients and all(p.is_demo and "Demo" in p.family_name for p in patients)
    second = runner.invoke(args=["demo-data"])
    assert "already has users" in second.output
    forced = runner.invoke(args=["demo-data", "--force"])  # a test system with other users: no duplicate
    assert forced.exit_code == 0 and "already loaded" in forced.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Patient.id))) == len(patients)


def test_demo_login_works(app):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    from .support import Account, login

    app.test_cli_runner().invoke(args=["demo-data"])
    client = app.test_client()
    assert login(client, Account(0, 0, DEMO_EMAIL, DEMO_PASSWORD)).status_code == 303
    assert "Demo-Harper" in client.get("/patients").get_data(as_text=True)


def test_db_backup_writes_a_checked_private_snapshot_and_never_overwrites_by_accident(app, tmp_path):
    import sqlite3

    from clinic.models import AuditEvent

    runner = app.test_cli_runner()
    target = tmp_path / "backups" / "phat-backup.sqlite3"
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect != "sqlite":
        result = runner.invoke(args=["db-backup", str(target)])
        assert result.exit_code != 0 and "pg_dump" in result.output and not target.exists()
        return
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    result = runner.invoke(args=["db-backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "15 patients" in result.output and "integrity check ok" in result.output
    assert "Demo-" not in result.output  # counts only
    assert target.stat().st_mode & 0o077 == 0
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM patients").fetchone()[0] == 15
    assert copy.execute("SELECT count(*) FROM patient_name_parts").fetchone()[0] > 15
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # a single self-contained file
    copy.close()
    before = target.read_bytes()
    again = runner.invoke(args=["db-backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output and target.read_bytes() == before
    assert runner.invoke(args=["db-backup", str(target), "--overwrite"]).exit_code == 0
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial files left
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "database.backup")).all()
        assert len(events) == 2 and events[0].actor == "cli" and events[0].detail["patients"] == 15



def _restored_database_signs_in_and_finds_the_demo(url: str, instance) -> None:
    """A restored copy serves the app: the demo clinician signs in and finds a demo patient."""
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    from .support import Account, login, search

    restored = create_app({"PHAT_ENV": "testing", "SECRET_KEY": "r" * 48, "DATABASE_URL": url},
                          instance_path=str(instance))
    try:
        client = restored.test_client()
        assert login(client, Account(0, 0, DEMO_EMAIL, DEMO_PASSWORD)).status_code == 303
        assert "Castillo" in search(client, "castillo").get_data(as_text=True)
    finally:
        restored.extensions["phat_engine"].dispose()


def test_a_backup_restores_into_a_working_installation(app, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite backups")
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data"])
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["db-backup", str(backup)]).exit_code == 0
    restored_file = tmp_path / "restored" / "phat.sqlite3"  # what the README's restore steps do: copy it in place
    restored_file.parent.mkdir()
    restored_file.write_bytes(backup.read_bytes())
    _restored_database_signs_in_and_finds_the_demo(f"sqlite:///{restored_file}", tmp_path / "restored")


def test_a_postgresql_backup_made_with_pg_dump_restores_with_the_same_rows(app, tmp_path):
    """DATA-08 on PostgreSQL: the README's recipe (pg_dump --format=custom, pg_restore into an empty
    database) on a seeded schema; every table's row count matches and the restored copy works."""
    import secrets
    import shutil
    import subprocess

    import sqlalchemy as sa

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL backups (set TEST_DATABASE_URL to a PostgreSQL database)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed (Debian: postgresql-client)")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    source = sa.engine.make_url(app.config["DATABASE_URL"])
    schema = source.query["options"].split("search_path=")[1]
    # pg_dump and pg_restore take a libpq URL: without SQLAlchemy's "+psycopg" driver suffix.
    server = source.set(drivername="postgresql", query={})
    libpq = server.render_as_string(hide_password=False)
    dump = tmp_path / "phat.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", libpq],  # noqa: S603, S607
                   check=True, timeout=300)
    scratch = f"phat_restore_{secrets.token_hex(4)}"
    admin = sa.create_engine(libpq.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
    restored_url = server.set(database=scratch)
    try:
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored_url.render_as_string(hide_password=False)}",  # noqa: S603, S607
                        str(dump)], check=True, timeout=300)
        restored_sa = restored_url.set(drivername="postgresql+psycopg",
                                       query={"options": f"-csearch_path={schema}"})
        counts = {}
        for label, url in (("original", source), ("restored", restored_sa)):
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                tables = [r[0] for r in conn.execute(sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"))]
                counts[label] = {t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar()
                                 for t in tables}
            engine.dispose()
        assert counts["restored"] == counts["original"]
        assert counts["original"]["patients"] >= 10 and counts["original"]["audit_events"] > 0
        assert counts["original"]["alembic_version"] == 1
        _restored_database_signs_in_and_finds_the_demo(restored_sa.render_as_string(hide_password=False),
                                                       tmp_path / "restored")
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def test_reindex_names_makes_sql_imported_patients_findable(app, client):
    from sqlalchemy import text

    from .support import login, make_account, search

    account = make_account(app)
    login(client, account)
    with app.app_context():  # an import straight into the table, as a migration from another system might do
        db.session.execute(text(
            "INSERT INTO patients (id, clinic_id, given_name, family_name, given_key, family_key, date_of_birth, "
            "sex, is_demo, created_at, updated_at) VALUES ('imported1', :c, 'Aoife', 'Ní Bhriain', 'aoife', "
            "'ni bhriain', '1985-02-03', 'female', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
            {"c": account.clinic_id})
        db.session.commit()
    assert "No patients match" in search(client, "bhriain").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["reindex-names"])
    assert result.exit_code == 0 and "1 needed rebuilding" in result.output
    assert "Ní Bhriain, Aoife" in search(client, "bhriain").get_data(as_text=True)
    again = app.test_cli_runner().invoke(args=["reindex-names"])
    assert "0 needed rebuilding" in again.output
