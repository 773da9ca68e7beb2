"""TOTP second factor: enrolment with QR code, one-time codes and backup codes, a required
setting, administrator reset, and a recent sign-in before sensitive actions."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
from sqlalchemy import func, select

from clinic.db import db
from clinic.models import AuditEvent, MfaBackupCode, User

from .support import Account, csrf_token, login, make_account, post


def _enrol(client) -> tuple[str, list[str]]:
    page = client.get("/account/two-step").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", page).group(1)
    resp = post(client, "/account/two-step", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert resp.status_code == 422
    resp = post(client, "/account/two-step", {"code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", resp.get_data(as_text=True))
    return secret, codes


def _password_step(app, acct):
    c = app.test_client()
    resp = login(c, acct)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/login/code")
    return c


def _code(c, code):
    token = csrf_token(c, "/login/code")
    return c.post("/login/code", data={"code": code, "csrf_token": token})


def test_enrol_then_sign_in_needs_the_code_once(app, client):
    acct = make_account(app)
    login(client, acct)
    secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        user = db.session.get(User, acct.id)
        assert user.totp_secret == secret and user.totp_enabled_at is not None
        hashes = db.session.scalars(select(MfaBackupCode.code_hash)).all()
        assert all(h.startswith("$argon2id$") for h in hashes)
        assert not any(c.replace("-", "") in h for c in codes for h in hashes)
    c = _password_step(app, acct)
    assert c.get("/patients").status_code == 302  # a right password alone signs nobody in
    # The enrolment code used up this time step; forget it instead of waiting 30 s for the next.
    with app.app_context():
        db.session.execute(User.__table__.update().values(totp_last_step=None))
        db.session.commit()
    code = pyotp.TOTP(secret).now()
    resp = _code(c, code)
    assert resp.status_code == 303 and c.get("/patients").status_code == 200
    # The same code again (replay) is refused, even with the right password.
    c2 = _password_step(app, acct)
    assert _code(c2, code).status_code == 422
    # A code from 90 seconds ago is refused.
    assert _code(c2, pyotp.TOTP(secret).at(time.time() - 90)).status_code == 422
    # A backup code works once.
    assert _code(c2, codes[0]).status_code == 303
    c3 = _password_step(app, acct)
    assert _code(c3, codes[0]).status_code == 422
    with app.app_context():
        details = [e.detail for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login"))]
        assert {"second_factor": "backup"} in details and {"second_factor": "totp"} in details
        # The codes never reach the audit trail.
        assert code not in repr(db.session.scalars(select(AuditEvent.detail)).all())


def test_wrong_codes_are_limited(app, client):
    acct = make_account(app)
    login(client, acct)
    _enrol(client)
    c = _password_step(app, acct)
    statuses = [_code(c, f"{i:06d}").status_code for i in range(app.config["LOGIN_ACCOUNT_FREE_FAILURES"] + 2)]
    assert statuses[-1] == 429 and statuses[0] == 422


def test_required_setting_sends_everyone_to_enrolment(app, client):
    app.config["MFA_REQUIRED"] = True
    acct = make_account(app)
    login(client, acct)
    resp = client.get("/patients")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/two-step")
    _enrol(client)
    assert client.get("/patients").status_code == 200


def test_password_reset_does_not_bypass_the_second_factor(app, client, monkeypatch):
    import clinic.mail as mail

    acct = make_account(app)
    login(client, acct)
    _enrol(client)
    sent = []
    monkeypatch.setattr(mail, "send", lambda *a: sent.append(a[3]) or "test")
    c = app.test_client()
    page = c.get("/password/forgot").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    c.post("/password/forgot", data={"email": acct.email, "csrf_token": token})
    link = re.search(r"http://localhost(/password/reset/\S+)", sent[0]).group(1)
    c.get(link)
    token = csrf_token(c, "/password/reset")
    new = "lighthouse orchard velvet 19"
    assert c.post("/password/reset", data={"new_password": new, "confirm_password": new,
                                           "csrf_token": token}).status_code == 303
    resp = login(app.test_client(), Account(acct.id, acct.clinic_id, acct.email, new))
    assert resp.headers["Location"].endswith("/login/code")


def _stale(client):
    with client.session_transaction() as s:
        s["fresh_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()


def test_sensitive_admin_actions_need_a_recent_sign_in(app, client):
    admin = make_account(app, role="admin")
    login(client, admin)
    _stale(client)
    resp = client.get("/admin/users/new")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/account/confirm")
    token = csrf_token(client, "/account/confirm")
    resp = client.post("/account/confirm", data={"password": "wrong password", "csrf_token": token})
    assert resp.status_code == 422
    resp = client.post("/account/confirm", data={"password": admin.password, "csrf_token": token})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/admin/users/new")
    assert client.get("/admin/users/new").status_code == 200


def test_admin_resets_a_users_second_factor_audited_and_their_sessions_end(app, client):
    admin = make_account(app, role="admin")
    user = make_account(app)
    uc = app.test_client()
    login(uc, user)
    _enrol(uc)
    login(client, admin)
    assert "Reset two-step sign-in" in client.get("/admin/users").get_data(as_text=True)
    _stale(client)
    resp = post(client, f"/admin/users/{user.id}/mfa/reset", {})
    assert resp.headers["Location"].endswith("/account/confirm")
    with app.app_context():
        assert db.session.get(User, user.id).has_mfa
    token = csrf_token(client, "/account/confirm")
    client.post("/account/confirm", data={"password": admin.password, "csrf_token": token})
    resp = post(client, f"/admin/users/{user.id}/mfa/reset", {})
    assert resp.status_code == 303
    with app.app_context():
        assert not db.session.get(User, user.id).has_mfa
        assert db.session.scalar(select(func.count()).select_from(MfaBackupCode)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "user.mfa_reset")) == 1
    assert uc.get("/patients").status_code == 302
    assert login(app.test_client(), user).status_code == 303  # password alone again
