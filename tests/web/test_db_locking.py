"""Transactions and SQLite's write lock: rendering a page holds no lock (bench/bench_load.py)."""

from __future__ import annotations

import sqlite3

import pytest
from flask import template_rendered
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from clinic.db import db
from clinic.models import AuditEvent, Patient

from .support import login, make_account, make_patient, post


def _sqlite_path(app) -> str:
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    return url.database


def _lock_is_free(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_a_page_renders_without_holding_the_write_lock_and_its_read_is_audited(app, client):
    path = _sqlite_path(app)
    acct = make_account(app)
    login(client, acct)
    patient_id = make_patient(app, acct)
    seen: list[bool] = []

    def _while_rendering(_sender, template, context, **_kw):
        seen.append(_lock_is_free(path))

    template_rendered.connect(_while_rendering, app)
    try:
        page = client.get(f"/patients/{patient_id}")
    finally:
        template_rendered.disconnect(_while_rendering, app)
    assert page.status_code == 200
    assert seen and all(seen)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "patient.view")) == 1


def test_the_lock_is_held_while_a_transaction_that_wrote_is_open(app):
    path = _sqlite_path(app)
    acct = make_account(app)
    patient_id = make_patient(app, acct)
    with app.test_request_context("/"):
        patient = db.session.get(Patient, patient_id)
        patient.given_name = "Changed"
        db.session.flush()
        with db.reading():  # a written transaction is never ended early
            assert not _lock_is_free(path)
        assert not _lock_is_free(path)
        db.session.rollback()
        assert _lock_is_free(path)
        assert db.session.get(Patient, patient_id).given_name != "Changed"


def test_an_invalid_form_rendered_again_stores_nothing(app, client):
    acct = make_account(app)
    login(client, acct)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Patient))
    resp = post(client, "/patients/new", {"given_name": "Alex", "family_name": "",
                                           "date_of_birth": "1990-02-30", "sex": "female"})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Patient)) == before
