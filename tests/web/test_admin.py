"""Clinic administrators manage users of their own clinic only."""

from __future__ import annotations

from sqlalchemy import select

from clinic.db import db
from clinic.models import User

from .support import login, make_account, post


def test_admin_creates_a_clinician_who_must_change_password(app, client):
    admin = make_account(app, role="admin")
    login(client, admin)
    resp = post(client, "/admin/users/new", {"name": "New Physio", "email": "New.Physio@Example.org",
                                             "job_title": "Physiotherapist", "role": "clinician",
                                             "password": "temporary pass phrase 9"})
    assert resp.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.physio@example.org"))
        assert user.must_change_password and user.clinic_id == admin.clinic_id


def test_create_user_validation_keeps_values(app, client):
    admin = make_account(app, role="admin")
    login(client, admin)
    resp = post(client, "/admin/users/new", {"name": "Dup", "email": admin.email, "role": "clinician",
                                             "password": "temporary pass phrase 9"})
    assert resp.status_code == 200 or resp.status_code == 422
    assert "Someone already uses this email address." in resp.get_data(as_text=True)
    resp = post(client, "/admin/users/new", {"name": "Weak", "email": "weak@example.org", "role": "clinician",
                                             "password": "short"})
    text = resp.get_data(as_text=True)
    assert "Use at least 15 characters." in text and 'value="weak@example.org"' in text


def test_deactivation_ends_the_users_sessions(app):
    admin = make_account(app, role="admin")
    victim = make_account(app, clinic="Clinic A")
    admin_client, victim_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(victim_client, victim)
    assert victim_client.get("/patients").status_code == 200
    resp = post(admin_client, f"/admin/users/{victim.id}/deactivate")
    assert resp.status_code == 303
    assert victim_client.get("/patients").status_code == 302
    assert login(app.test_client(), victim).status_code == 200  # refused, form shown again
    assert post(admin_client, f"/admin/users/{victim.id}/activate").status_code == 303
    assert login(app.test_client(), victim).status_code == 303


def test_admin_cannot_deactivate_themselves(app, client):
    admin = make_account(app, role="admin")
    login(client, admin)
    assert post(client, f"/admin/users/{admin.id}/deactivate").status_code == 409


def test_audit_log_page_lists_events(app, client):
    admin = make_account(app, role="admin")
    login(client, admin)
    text = client.get("/admin/audit").get_data(as_text=True)
    assert "auth.login" in text


def test_audit_events_cannot_be_changed_or_deleted(app):
    import pytest
    from sqlalchemy import text

    make_account(app, role="admin")
    login(app.test_client(), make_account(app))
    with app.app_context():
        engine = app.extensions["phat_engine"]
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))


def test_admin_resets_a_forgotten_password(app):
    admin = make_account(app, role="admin")
    user = make_account(app, clinic="Clinic A")
    admin_client, user_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(user_client, user)
    resp = post(admin_client, f"/admin/users/{user.id}/password", {"password": "short"})
    assert resp.status_code == 422 and "Use at least 15 characters." in resp.get_data(as_text=True)
    resp = post(admin_client, f"/admin/users/{user.id}/password", {"password": "temporary reset phrase 7"})
    assert resp.status_code == 303
    assert user_client.get("/patients").status_code == 302  # their session ended
    from .support import Account
    again = app.test_client()
    resp = login(again, Account(user.id, user.clinic_id, user.email, "temporary reset phrase 7"))
    assert resp.headers["Location"].endswith("/account/password")  # must choose their own
    other_admin = make_account(app, clinic="Clinic B", role="admin")
    outsider = app.test_client()
    login(outsider, other_admin)
    resp = post(outsider, f"/admin/users/{user.id}/password", {"password": "temporary reset phrase 8"})
    assert resp.status_code == 404
