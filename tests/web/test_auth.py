"""Sign-in, sessions, sign-out, idle timeout, rate limits and password changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from clinic.db import db
from clinic.models import AuditEvent, LoginSession, User

from .support import DEFAULT_PASSWORD, audit_actions, csrf_token, login, make_account, post


def test_login_page_is_public_and_sets_no_store(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"


def test_login_success_redirects_to_dashboard_and_audits(app, client):
    acct = make_account(app)
    resp = login(client, acct)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200
    assert "auth.login" in audit_actions(app)


def test_wrong_password_and_unknown_user_answer_identically(app, client):
    acct = make_account(app)
    token = csrf_token(client)
    wrong = client.post("/login", data={"email": acct.email, "password": "not the password", "csrf_token": token})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password",
                                          "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 200
    wrong_text = wrong.get_data(as_text=True).replace(acct.email, "EMAIL")
    unknown_text = unknown.get_data(as_text=True).replace("nobody@example.org", "EMAIL")
    strip = lambda t: "\n".join(line for line in t.splitlines() if "csrf_token" not in line)  # noqa: E731
    assert strip(wrong_text) == strip(unknown_text)
    assert "The email address or password is not right." in wrong_text


def test_deactivated_user_cannot_sign_in(app, client):
    acct = make_account(app)
    with app.app_context():
        db.session.execute(update(User).where(User.id == acct.id).values(active=False))
        db.session.commit()
    resp = login(client, acct)
    assert resp.status_code == 200
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(app, client):
    acct = make_account(app)
    resp = client.post("/login", data={"email": acct.email, "password": acct.password})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302


def test_new_session_id_on_login(app, client):
    acct = make_account(app)
    client.get("/login")
    before = client.get_cookie("phat_session")
    login(client, acct)
    after = client.get_cookie("phat_session")
    assert before is not None and after is not None and before.value != after.value


def test_logout_then_replaying_the_old_cookie_is_refused(app, client):
    acct = make_account(app)
    login(client, acct)
    cookie = client.get_cookie("phat_session").value
    assert client.get("/patients").status_code == 200
    resp = post(client, "/logout")
    assert resp.status_code == 303
    # An attacker who copied the cookie before logout replays it.
    replay = app.test_client()
    replay.set_cookie("phat_session", cookie)
    resp = replay.get("/patients")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_logout_is_post_only(app, client):
    acct = make_account(app)
    login(client, acct)
    assert client.get("/logout").status_code == 405


def test_idle_timeout_ends_the_session(app, client):
    acct = make_account(app)
    login(client, acct)
    assert client.get("/patients").status_code == 200
    idle = app.config["IDLE_TIMEOUT_MINUTES"]
    with app.app_context():
        db.session.execute(update(LoginSession).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=idle, seconds=1)))
        db.session.commit()
    resp = client.get("/patients")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(LoginSession.ended_at)) is not None


def test_activity_just_inside_the_idle_timeout_keeps_the_session(app, client):
    acct = make_account(app)
    login(client, acct)
    idle = app.config["IDLE_TIMEOUT_MINUTES"]
    with app.app_context():
        db.session.execute(update(LoginSession).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=idle) + dt.timedelta(seconds=20)))
        db.session.commit()
    assert client.get("/patients").status_code == 200


def test_successful_logins_do_not_count_towards_the_limit(app):
    acct = make_account(app)
    limit = app.config["LOGIN_ACCOUNT_FREE_FAILURES"]
    for _ in range(limit + 2):
        c = app.test_client()
        assert login(c, acct).status_code == 303


def test_failed_login_is_audited_without_the_password(app, client):
    acct = make_account(app)
    token = csrf_token(client)
    client.post("/login", data={"email": acct.email, "password": "Secret-Attempt-123", "csrf_token": token})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.fail")).all()
        assert len(events) == 1
        assert "Secret-Attempt-123" not in repr(events[0].detail)
        assert events[0].at.tzinfo is not None


def test_open_redirect_is_refused(app, client):
    from clinic.views.auth import safe_next

    assert safe_next("/patients") == "/patients"
    for bad in ("//evil.example", "/\\evil.example", "https://evil.example", "/x\ny", "", None, "javascript:x"):
        assert safe_next(bad) is None


def test_next_page_is_kept_in_the_session_not_the_url(app, client):
    acct = make_account(app)
    resp = client.get("/patients")
    assert resp.status_code == 302
    assert "next=" not in resp.headers["Location"]
    resp = login(client, acct)
    assert resp.headers["Location"].endswith("/patients")


def test_must_change_password_blocks_other_pages_until_changed(app, client):
    acct = make_account(app, must_change=True)
    resp = login(client, acct)
    assert resp.headers["Location"].endswith("/account/password")
    assert client.get("/patients").headers["Location"].endswith("/account/password")
    resp = post(client, "/account/password", {"current_password": acct.password,
                                              "new_password": "a brand new long passphrase",
                                              "confirm_password": "a brand new long passphrase"})
    assert resp.status_code == 303
    assert client.get("/patients").status_code == 200


def test_password_change_validates_and_ends_other_sessions(app):
    acct = make_account(app)
    first, second = app.test_client(), app.test_client()
    login(first, acct)
    login(second, acct)
    resp = post(first, "/account/password", {"current_password": "wrong", "new_password": "short",
                                             "confirm_password": "other"})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "The two new passwords do not match." in text
    resp = post(first, "/account/password", {"current_password": acct.password, "new_password": "password12345678",
                                             "confirm_password": "password12345678"})
    assert "too easy to guess" in resp.get_data(as_text=True)
    resp = post(first, "/account/password", {"current_password": acct.password,
                                             "new_password": "river stone lantern 42",
                                             "confirm_password": "river stone lantern 42"})
    assert resp.status_code == 303
    assert first.get("/patients").status_code == 200
    assert second.get("/patients").status_code == 302


def test_password_hash_is_argon2id(app):
    acct = make_account(app)
    with app.app_context():
        stored = db.session.get(User, acct.id).password_hash
    assert stored.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in stored


def test_session_cookie_flags(app, client):
    acct = make_account(app)
    resp = login(client, acct)
    cookie = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("phat_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert not any(h.startswith("remember_token") for h in resp.headers.getlist("Set-Cookie"))


def test_password_policy_length_strength_and_no_truncation(app, client):
    """AUTH-02: 15+ characters, common passwords and patterns refused, 64+ characters accepted
    exactly (Unicode and spaces kept, nothing truncated)."""
    from clinic.security import PASSWORD_MIN, password_problem

    assert PASSWORD_MIN == 15
    assert "at least 15" in password_problem("fourteen chars")
    for common in ("1q2w3e4r5t6y7u8i", "password12345678", "qwertyuiopasdfgh", "iloveyou12345678",
                   "Password1!Password1!", "aaaaaaaaaaaaaaaaaaaa"):
        assert password_problem(common) is not None, common
    assert password_problem("my jane.doe@clinic.example", email="jane.doe@clinic.example") is not None
    long_one = "Sömmer 🏃 river lantern " * 3  # 72 characters, Unicode and spaces
    assert password_problem(long_one) is None
    acct = make_account(app)
    login(client, acct)
    resp = post(client, "/account/password", {"current_password": acct.password, "new_password": long_one,
                                              "confirm_password": long_one})
    assert resp.status_code == 303
    other = app.test_client()
    from .support import Account
    changed_last = long_one[:-2] + "X" + long_one[-1]
    assert login(other, Account(acct.id, acct.clinic_id, acct.email, changed_last)).status_code == 200
    assert login(other, Account(acct.id, acct.clinic_id, acct.email, long_one)).status_code == 303
