"""Command line: ``phat <command>`` or ``flask --app clinic <command>``."""

from __future__ import annotations

import getpass
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from .db import db, upgrade


def init_app(app: Flask) -> None:
    from . import report_cli

    for command in (db_upgrade, db_optimize, create_user, demo_data, routes_access):
        app.cli.add_command(command)
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
    click.echo("Demo data loaded (every demo patient is marked DEMO).")
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
