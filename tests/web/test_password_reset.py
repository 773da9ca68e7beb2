"""Self-service password reset from the sign-in page; emailed links never use the Host header."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from clinic.db import db
from clinic.models import LoginSession, PasswordReset

from .support import csrf_token, login, make_account


@pytest.fixture
def sent(monkeypatch):
    """Capture outgoing email (the development outbox keeps no raw link)."""
    import clinic.mail as mail

    messages = []

    def fake_send(clinic_id, to, subject, body):
        messages.append({"to": to, "subject": subject, "body": body})
        return "test"

    monkeypatch.setattr(mail, "send", fake_send)
    return messages


def _ask(client, email):
    page = client.get("/password/forgot")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def _link(message) -> str:
    return re.search(r"(http\S+/password/reset/\S+)", message["body"]).group(1)


def _set(client, link, password):
    resp = client.get(link.replace("http://localhost", ""))
    if resp.status_code != 303:
        return resp
    page = client.get("/password/reset")
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/password/reset", data={"new_password": password, "confirm_password": password,
                                                "csrf_token": token})


NEW = "lighthouse orchard velvet 19"


def test_sign_in_page_links_to_reset(client):
    assert "/password/forgot" in client.get("/login").get_data(as_text=True)


def test_same_answer_whether_or_not_the_address_has_an_account(app, client, sent):
    acct = make_account(app)
    known = _ask(client, acct.email)
    unknown = _ask(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    a = client.get("/login").get_data(as_text=True)
    b = app.test_client()
    _ask(b, "nobody2@example.org")
    b_text = b.get("/login").get_data(as_text=True)
    strip = lambda t: re.sub(r'value="[^"]+"', "", t)  # noqa: E731 - CSRF tokens differ
    assert strip(a) == strip(b_text)
    assert len(sent) == 1 and sent[0]["to"] == acct.email


def test_reset_link_is_single_use_hashed_ends_sessions_and_does_not_sign_in(app, client, sent):
    acct = make_account(app)
    other = app.test_client()
    login(other, acct)
    assert other.get("/patients").status_code == 200
    _ask(client, acct.email)
    link = _link(sent[0])
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/password/reset/")
    raw = link.rsplit("/", 1)[1]
    assert len(raw) >= 43
    with app.app_context():
        stored = db.session.scalar(select(PasswordReset.token_hash))
        assert stored != raw and raw not in stored
    resp = _set(client, link, NEW)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/login")
    assert client.get("/patients").status_code == 302  # not signed in by the reset
    assert other.get("/patients").status_code == 302  # the old session has ended
    with app.app_context():
        assert db.session.scalar(select(LoginSession.ended_at)) is not None
    again = app.test_client()
    assert _set(again, link, "another orchard velvet 20").status_code == 410  # single use
    from .support import Account
    assert login(app.test_client(), acct).status_code == 200  # old password gone
    assert login(app.test_client(), Account(acct.id, acct.clinic_id, acct.email, NEW)).status_code == 303


def test_opening_the_link_changes_nothing_and_the_token_leaves_the_address_bar(app, client, sent):
    acct = make_account(app)
    _ask(client, acct.email)
    link = _link(sent[0]).replace("http://localhost", "")
    scanner = app.test_client()
    for _ in range(3):
        assert scanner.get(link).status_code == 303
    resp = client.get(link)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/password/reset")
    with app.app_context():
        assert db.session.scalar(select(PasswordReset.used_at)) is None


def test_expired_link_is_410_and_weak_password_is_refused(app, client, sent):
    acct = make_account(app)
    _ask(client, acct.email)
    link = _link(sent[0])
    resp = _set(client, link, "password12345678")
    assert resp.status_code == 422 and "too easy to guess" in resp.get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    assert _set(app.test_client(), link, NEW).status_code == 410


def test_reset_lifts_a_guessing_delay(app, client, sent):
    acct = make_account(app)
    for i in range(app.config["LOGIN_ACCOUNT_FREE_FAILURES"] + 1):
        c = app.test_client()
        c.post("/login", data={"email": acct.email, "password": f"wrong-{i}", "csrf_token": csrf_token(c)})
    from .support import Account
    assert login(app.test_client(), acct).status_code == 429
    _ask(client, acct.email)
    assert _set(client, _link(sent[0]), NEW).status_code == 303
    assert login(app.test_client(), Account(acct.id, acct.clinic_id, acct.email, NEW)).status_code == 303


def test_reset_requests_are_limited_per_address(app, sent):
    acct = make_account(app)
    for _ in range(app.config["PASSWORD_RESET_REQUESTS_PER_HOUR"] + 2):
        assert _ask(app.test_client(), acct.email).status_code == 303
    assert len(sent) == app.config["PASSWORD_RESET_REQUESTS_PER_HOUR"]


def test_links_use_the_public_base_url_and_unknown_hosts_are_refused(app_config, tmp_path, sent):
    from clinic import create_app

    from .support import make_episode, make_patient, post

    app = create_app({**app_config, "PUBLIC_BASE_URL": "https://phat.clinic.example",
                      "TRUSTED_HOSTS": ["phat.clinic.example", "localhost"]}, instance_path=str(tmp_path / "i"))
    try:
        acct = make_account(app)
        client = app.test_client()
        login(client, acct)
        pid = make_patient(app, acct, email="pat@example.org")
        eid = make_episode(app, acct, pid)
        resp = post(client, f"/episodes/{eid}/invite", {"instruments": ["intake-bleeding"], "days": "14",
                                                        "send_email": "1"})
        link = re.search(r'id="invite-link" value="([^"]+)"', resp.get_data(as_text=True)).group(1)
        assert link.startswith("https://phat.clinic.example/p/")
        assert sent[-1]["body"].count("https://phat.clinic.example/p/") == 1
        # Host header poisoning: another host is refused before any view runs.
        evil = client.get("/login", headers={"Host": "evil.example"})
        assert evil.status_code == 400
        resp = client.post(f"/episodes/{eid}/invite", headers={"Host": "evil.example"},
                           data={"instruments": ["intake-bleeding"], "days": "14"})
        assert resp.status_code == 400
    finally:
        app.extensions["phat_engine"].dispose()
