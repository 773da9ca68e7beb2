"""Command line: ``phat <command>`` or ``flask --app clinic <command>``."""

from __future__ import annotations

import getpass
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from .db import db, upgrade


def init_app(app: Flask) -> None:
    from . import report_cli

    for command in (db_upgrade, db_optimize, db_backup, reindex_names, create_user, demo_data, routes_access):
        app.cli.add_command(command)
    app.cli.add_command(alerts_command)  # issue 12
    app.cli.add_command(verify_archive)  # issue 12
    app.cli.add_command(archive_signed)  # issue 12
    report_cli.init_app(app)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    url = current_app.config["DATABASE_URL"]
    upgrade(url)
    optimize()
    click.echo("Database is at the latest schema revision.")


def optimize() -> None:
    """Refresh the query planner's statistics (SQLite ANALYZE; PostgreSQL autovacuum does this)."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=2000")
            conn.exec_driver_sql("ANALYZE")


@click.command("db-optimize")
@with_appcontext
def db_optimize() -> None:
    """Refresh planner statistics; run it after large imports and, say, nightly from cron."""
    optimize()
    click.echo("Planner statistics refreshed.")


def backup_sqlite(source: str, target: Path, *, overwrite: bool = False) -> dict:
    """Copy the SQLite database at ``source`` to ``target`` with SQLite's online backup (a
    consistent snapshot, safe while the app writes), check the copy, then move it into place.

    The file is readable by its owner only; a failure leaves no partial file and an existing
    ``target`` untouched.  Returns what the copy holds (counts only: no patient data)."""
    if target.exists() and not overwrite:
        raise click.ClickException(f"{target} exists; choose a new file name or pass --overwrite.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    os.chmod(tmp, 0o600)
    try:
        src = sqlite3.connect(Path(source).resolve().as_uri() + "?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=1024)  # in steps: the app's writers wait at most one step
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (the app sets WAL again)
            integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
            facts = {"revision": dst.execute("SELECT version_num FROM alembic_version").fetchone()[0],
                     "patients": dst.execute("SELECT count(*) FROM patients").fetchone()[0],
                     "assessments": dst.execute("SELECT count(*) FROM assessments").fetchone()[0],
                     "audit_events": dst.execute("SELECT count(*) FROM audit_events").fetchone()[0]}
        finally:
            dst.close()
            src.close()
        if integrity != "ok":
            raise click.ClickException(f"The copy failed SQLite's integrity check ({integrity}); nothing was written.")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {**facts, "bytes": target.stat().st_size}


@click.command("db-backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace TARGET if it exists.")
def db_backup(target: Path, overwrite: bool) -> None:
    """Back up the embedded SQLite database to TARGET while the app runs (for PostgreSQL use pg_dump)."""
    from . import audit

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException("db-backup copies the embedded SQLite database; back up PostgreSQL with "
                                   "pg_dump (see the README).")
    source = db.engine.url.database
    if not source or source == ":memory:":
        raise click.ClickException("This database lives in memory; there is nothing to back up.")
    facts = backup_sqlite(source, target, overwrite=overwrite)
    audit.record("database.backup", actor="cli", detail={k: v for k, v in facts.items() if k != "bytes"})
    db.session.commit()
    click.echo(f"Backed up to {target} ({facts['bytes'] / 1_048_576:.1f} MB, readable by its owner only): "
               f"schema {facts['revision']}, {facts['patients']} patients, {facts['assessments']} assessments, "
               f"{facts['audit_events']} audit events; integrity check ok.")


@click.command("reindex-names")
@with_appcontext
def reindex_names() -> None:
    """Rebuild every patient's searchable name parts (after patients were imported with SQL)."""
    from sqlalchemy.orm import selectinload

    from .models import Patient

    changed = total = 0
    last_id = ""
    while True:
        batch = db.session.scalars(select(Patient).options(selectinload(Patient.name_parts))
                                   .where(Patient.id > last_id).order_by(Patient.id).limit(500)).all()
        if not batch:
            break
        for patient in batch:
            before = {p.part for p in patient.name_parts}
            patient.set_name(patient.given_name, patient.family_name)
            changed += before != {p.part for p in patient.name_parts}
        total += len(batch)
        last_id = batch[-1].id
        db.session.commit()
    db.session.commit()  # end the last (empty) read before ANALYZE takes SQLite's write lock
    optimize()
    click.echo(f"Checked the searchable names of {total} patients; {changed} needed rebuilding.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", required=True, help="Full name, printed on signed reports.")
@click.option("--clinic", "clinic_name", required=True, help="Clinic name (created if it does not exist).")
@click.option("--role", type=click.Choice(["admin", "clinician"]), default="admin", show_default=True)
@click.option("--job-title", default=None, help="For example 'Pelvic health physiotherapist'.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, clinic_name: str, role: str, job_title: str | None,
                password_stdin: bool) -> None:
    """Create a user (the first administrator comes from here: there are no default accounts)."""
    from .models import Clinic, User
    from .security import hash_password, password_problem

    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"A user with the email {email} already exists.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise click.ClickException("The passwords do not match.")
    if problem := password_problem(password, email=email, name=name):
        raise click.ClickException(problem)
    clinic = db.session.scalar(select(Clinic).where(Clinic.name == clinic_name))
    if clinic is None:
        clinic = Clinic(name=clinic_name)
        db.session.add(clinic)
        db.session.flush()
    db.session.add(User(clinic_id=clinic.id, email=email, name=name, role=role, job_title=job_title,
                        password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Created {role} {email} in clinic '{clinic.name}'.")


@click.command("demo-data")
@with_appcontext
@click.option("--force", is_flag=True, help="Load even when the database already has data.")
def demo_data(force: bool) -> None:
    """Load clearly-marked demo data into an empty database and print the demo sign-in."""
    from . import demo
    from .models import User

    if current_app.config["PHAT_ENV"] == "production" and not force:
        raise click.ClickException("Refusing to load demo data in production (use --force on a test system).")
    if db.session.scalar(select(func.count(User.id))) and not force:
        click.echo("The database already has users; demo data not loaded.")
        click.echo(demo.LOGIN_HINT)
        return
    if db.session.scalar(select(User.id).where(User.email == demo.DEMO_EMAIL)):
        click.echo("Demo data is already loaded.")
        click.echo(demo.LOGIN_HINT)
        return
    demo.load()
    optimize()
    from .signing import archive_missing

    archived, _failed = archive_missing()  # the signed demo visits download from the archive like real ones
    click.echo(f"Demo data loaded (every demo patient is marked DEMO; {archived} signed visits archived).")
    click.echo(demo.LOGIN_HINT)


@click.command("routes-access")
@with_appcontext
def routes_access() -> None:
    """Print every route with its access rule."""
    from .access import NON_RECORD_ARGS, is_public

    app = current_app
    rows = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = ",".join(sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS")))
        if is_public(rule.endpoint):
            access = "public"
        elif rule.endpoint.startswith("admin."):
            access = "clinic admin"
        else:
            access = "signed-in clinician"
        if rule.arguments - NON_RECORD_ARGS:
            access += ", own clinic's objects only (else 404 + audit)"
        rows.append((rule.rule, methods, rule.endpoint, access))
    width = max(len(r[0]) for r in rows)
    for path, methods, endpoint, access in rows:
        click.echo(f"{path:<{width}}  {methods:<10}  {endpoint:<32}  {access}")


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="Pelvic Health Assessment Toolkit")
    cli.main(prog_name="phat")


# --------------------------------------------------------------------------- red-flag alerts (issue 12)

@click.command("alerts")
@with_appcontext
@click.option("--resend-due", is_flag=True,
              help="Retry failed alert emails that are due and re-send alerts unacknowledged for "
                   "ALERT_RESEND_MINUTES (run from cron every few minutes).")
def alerts_command(resend_due: bool) -> None:
    """List open red-flag alerts (for a monitoring cron); no patient data is printed."""
    from . import alerts
    from .models import Alert, AlertDelivery, Clinic

    if resend_due:
        counts = alerts.resend_due()
        click.echo(f"{counts['resent']} alerts re-sent, {counts['retried']} failed emails retried; "
                   f"{counts['sent']} emails sent, {counts['failed']} failed.")
    from .db import utcnow

    now = utcnow()
    rows = db.session.execute(select(Alert, Clinic.name).join(Clinic, Clinic.id == Alert.clinic_id)
                              .where(Alert.acknowledged_at.is_(None)).order_by(Alert.created_at)).all()
    for alert, clinic_name in rows:
        minutes = int((now - alert.created_at).total_seconds() // 60)
        click.echo(f"{alert.id}  {alert.tier}  {clinic_name}  open {minutes} min  emails sent {alert.send_count}x")
    failed = db.session.scalar(select(func.count()).select_from(AlertDelivery)
                               .where(AlertDelivery.status == "failed")) or 0
    click.echo(f"{len(rows)} open alerts, {failed} failed alert emails")


@click.command("verify-archive")
@with_appcontext
def verify_archive() -> None:
    """Check every archived signed document against its SHA-256; exit non-zero on any failure."""
    from sqlalchemy.orm import undefer

    from .archive import sha256
    from .models import SignedDocument

    ids = list(db.session.scalars(select(SignedDocument.id).order_by(SignedDocument.id)))
    verified = failed = 0
    for doc_id in ids:
        doc = db.session.scalar(select(SignedDocument).options(undefer(SignedDocument.pdf))
                                .where(SignedDocument.id == doc_id))
        if doc.pdf is not None and len(doc.pdf) == doc.size and sha256(doc.pdf) == doc.sha256:
            verified += 1
        else:
            failed += 1
            click.echo(f"FAILED: signed document {doc.id} ({doc.report_id}, {doc.kind}, version {doc.version})",
                       err=True)
        db.session.expunge(doc)  # one document's bytes in memory at a time
    click.echo(f"{verified} signed documents verified, {failed} failed")
    if failed:
        sys.exit(1)


@click.command("archive-signed")
@with_appcontext
def archive_signed() -> None:
    """Archive the PDFs of signed assessments that have none yet (signed before the archive
    existed): rendered now from the stored record and marked as archived after signing."""
    from .signing import archive_missing

    archived, failed = archive_missing()
    click.echo(f"{archived} signed assessments archived, {failed} failed")
    if failed:
        sys.exit(1)
