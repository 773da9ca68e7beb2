"""Command line: ``phat <command>`` or ``flask --app clinic <command>``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from .db import db, upgrade
from .maintenance import BackupError, backup_sqlite, optimize


def commands() -> list[click.Command]:
    """Every ``phat`` command (also registered on the app for ``flask --app clinic``)."""
    from . import export_cli, jobs_cli, report_cli

    return [db_upgrade, db_optimize, db_backup, reindex_names, create_user, demo_data, routes_access,
            alerts_command, verify_archive, archive_signed, purge_expired_drafts, purge_retention,
            *report_cli.COMMANDS, *export_cli.COMMANDS, *jobs_cli.COMMANDS]


def init_app(app: Flask) -> None:
    for command in commands():
        app.cli.add_command(command)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    url = current_app.config["DATABASE_URL"]
    upgrade(url)
    optimize()
    click.echo("Database is at the latest schema revision.")


@click.command("db-optimize")
@with_appcontext
def db_optimize() -> None:
    """Refresh planner statistics; run it after large imports and, say, nightly from cron."""
    optimize()
    click.echo("Planner statistics refreshed.")


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
    try:
        facts = backup_sqlite(source, target, overwrite=overwrite)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
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
            if patient.restricted_at is not None:
                continue  # restricted records stay out of name search
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


@click.command("purge-expired-drafts")
@with_appcontext
def purge_expired_drafts() -> None:
    """Delete the answers patients saved on links that expired or were revoked without being
    submitted (data minimisation); the assessment rows stay, empty, for the audit trail.
    Run it daily from cron."""
    from . import audit
    from .db import utcnow
    from .models import Assessment, Invitation

    now = utcnow()
    rows = db.session.execute(
        select(Assessment, Invitation.id).join(Invitation, Invitation.assessment_id == Assessment.id)
        .where(Invitation.submitted_at.is_(None), Assessment.status == "draft",
               Assessment.source == "patient_link",
               (Invitation.expires_at <= now) | Invitation.revoked_at.is_not(None))).all()
    purged = 0
    for assessment, invitation_id in rows:
        if not assessment.answers and assessment.result is None:
            continue
        assessment.answers = {}
        assessment.result = None
        assessment.current_step = 0
        audit.record("intake.draft_purged", object_type="assessment", object_id=assessment.id,
                     patient_id=assessment.patient_id, clinic_id=assessment.clinic_id, actor="system",
                     detail={"invitation": invitation_id})
        purged += 1
    db.session.commit()
    click.echo(f"Purged {purged} draft{'s' if purged != 1 else ''} of expired or revoked patient links.")


@click.command("purge-retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count the records past retention; delete nothing.")
def purge_retention(dry_run: bool) -> None:
    """Delete every patient record (restricted or not) whose last clinical contact is older than
    RETENTION_YEARS (PHAT_RETENTION_YEARS, default 8), with everything about her; the audit log
    keeps one event per record with ids and counts only.  Also a nightly job
    (`phat jobs-enqueue purge_retention`)."""
    from . import privacy

    counts = privacy.purge_retention(dry_run=dry_run, actor="cli")
    years = privacy.retention_years()
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"{counts['patients']} patient record{'s' if counts['patients'] != 1 else ''} past the "
               f"{years}-year retention period {verb} ({counts['checked']} older than {years} years checked).")


class _PhatGroup(FlaskGroup):
    """Lists and describes its commands without building the app, so ``phat --help`` and every
    ``phat COMMAND --help`` work before a SECRET_KEY or database is configured."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(click.Group.list_commands(self, ctx))


def main() -> None:
    from . import create_app

    cli = _PhatGroup(create_app=create_app, help="Pelvic Health Assessment Toolkit")
    for command in commands():
        cli.add_command(command)
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
