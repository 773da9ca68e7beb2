"""Password guessing is bounded per account and per address, in a store every worker shares."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select

from clinic.db import db, utcnow
from clinic.models import AuditEvent, AuthThrottle

from .support import DEFAULT_PASSWORD, csrf_token, login, make_account, post


def _try(app_or_client, email, password, ip="10.0.0.1"):
    c = app_or_client.test_client() if hasattr(app_or_client, "test_client") else app_or_client
    token = csrf_token(c)
    return c.post("/login", data={"email": email, "password": password, "csrf_token": token},
                  environ_base={"REMOTE_ADDR": ip})


def _free(app) -> int:
    return app.config["LOGIN_ACCOUNT_FREE_FAILURES"]


def test_account_is_delayed_after_the_free_failures_even_from_rotating_addresses(app):
    acct = make_account(app)
    for i in range(_free(app) + 1):
        assert _try(app, acct.email, f"wrong-{i}", ip=f"10.0.0.{i + 1}").status_code == 200
    resp = _try(app, acct.email, acct.password, ip="10.9.9.9")  # even the right password waits
    assert resp.status_code == 429
    text = resp.get_data(as_text=True)
    assert "Too many failed attempts" in text and "wait 1 minute" in text
    with app.app_context():
        assert "auth.throttled" in db.session.scalars(select(AuditEvent.action)).all()
        # Only hashes are stored: no email address, no IP.
        for row in db.session.scalars(select(AuthThrottle)):
            assert acct.email not in row.key and "10.0.0" not in row.key


def test_delay_grows_with_every_further_failure(app):
    from clinic.db import utcnow

    acct = make_account(app)
    for i in range(_free(app) + 1):
        _try(app, acct.email, f"wrong-{i}")
    with app.app_context():
        first = db.session.scalar(select(AuthThrottle.locked_until).where(AuthThrottle.locked_until.is_not(None)))
        # Let the first delay pass, then fail again: the next delay is twice as long.
        db.session.execute(AuthThrottle.__table__.update().values(locked_until=None))
        db.session.commit()
    _try(app, acct.email, "wrong-again")
    with app.app_context():
        second = db.session.scalar(select(AuthThrottle.locked_until).where(AuthThrottle.locked_until.is_not(None)))
        now = utcnow()
    assert first is not None and second is not None
    assert 100 <= (second - now).total_seconds() <= 121


def test_unknown_email_is_throttled_exactly_like_a_known_one(app):
    for i in range(_free(app) + 1):
        _try(app, "nobody@example.org", f"wrong-{i}")
    assert _try(app, "nobody@example.org", "anything").status_code == 429


def test_a_colleague_behind_the_same_address_is_not_locked_out(app):
    victim = make_account(app)
    colleague = make_account(app)
    for i in range(_free(app) + 3):
        _try(app, victim.email, f"wrong-{i}", ip="192.0.2.10")
    assert _try(app, victim.email, victim.password, ip="192.0.2.10").status_code == 429
    assert _try(app, colleague.email, colleague.password, ip="192.0.2.10").status_code == 303


def test_one_address_guessing_many_accounts_is_stopped(app):
    app.config["LOGIN_IP_MAX_FAILURES"] = 8
    for i in range(8):
        assert _try(app, f"user{i}@example.org", "wrong password here", ip="198.51.100.7").status_code == 200
    acct = make_account(app)
    assert _try(app, acct.email, acct.password, ip="198.51.100.7").status_code == 429
    assert _try(app, acct.email, acct.password, ip="198.51.100.8").status_code == 303


def test_password_reset_by_an_administrator_lifts_the_delay(app):
    acct = make_account(app)
    admin = make_account(app, role="admin")
    for i in range(_free(app) + 1):
        _try(app, acct.email, f"wrong-{i}")
    assert _try(app, acct.email, acct.password).status_code == 429
    a = app.test_client()
    login(a, admin)
    resp = post(a, f"/admin/users/{acct.id}/password", {"password": "a fresh temporary passphrase"})
    assert resp.status_code == 303
    assert _try(app, acct.email, "a fresh temporary passphrase").status_code == 303


def test_the_limit_holds_across_two_app_instances_and_a_restart(app_config, tmp_path):
    """Two create_app() on one database stand for two gunicorn workers; a third is a restart."""
    from clinic import create_app

    first = create_app(app_config, instance_path=str(tmp_path / "w1"))
    second = create_app(app_config, instance_path=str(tmp_path / "w2"))
    try:
        acct = make_account(first)
        for i in range(_free(first) + 1):
            worker = (first, second)[i % 2]
            assert _try(worker, acct.email, f"wrong-{i}").status_code == 200
        assert _try(first, acct.email, acct.password).status_code == 429
        assert _try(second, acct.email, acct.password).status_code == 429
    finally:
        first.extensions["phat_engine"].dispose()
        second.extensions["phat_engine"].dispose()
    restarted = create_app(app_config, instance_path=str(tmp_path / "w3"))
    try:
        assert _try(restarted, acct.email, acct.password).status_code == 429
    finally:
        restarted.extensions["phat_engine"].dispose()


def test_change_password_form_shares_the_limit(app, client):
    acct = make_account(app)
    login(client, acct)
    for i in range(_free(app) + 1):
        resp = post(client, "/account/password", {"current_password": f"wrong-{i}", "new_password": "x" * 20,
                                                   "confirm_password": "x" * 20})
        assert resp.status_code == 200
    resp = post(client, "/account/password", {"current_password": acct.password,
                                              "new_password": "velvet harbour compass 77",
                                              "confirm_password": "velvet harbour compass 77"})
    assert resp.status_code == 429
    assert _try(app, acct.email, acct.password).status_code == 429


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis at TEST_REDIS_URL")
def test_redis_store_is_shared_by_two_instances(app_config, tmp_path):
    import secrets

    import redis

    from clinic import create_app

    config = {**app_config, "THROTTLE_STORAGE_URI": REDIS_URL}
    first = create_app(config, instance_path=str(tmp_path / "r1"))
    second = create_app(config, instance_path=str(tmp_path / "r2"))
    email = f"redis-{secrets.token_hex(4)}@example.org"
    try:
        acct = make_account(first, email=email)
        for i in range(_free(first) + 1):
            _try((first, second)[i % 2], acct.email, f"wrong-{i}")
        assert _try(second, acct.email, acct.password).status_code == 429
        with first.app_context():
            assert db.session.scalar(select(AuthThrottle.key).limit(1)) is None  # nothing in the database
    finally:
        r = redis.Redis.from_url(REDIS_URL)
        for key in r.scan_iter("phat:*"):
            r.delete(key)
        first.extensions["phat_engine"].dispose()
        second.extensions["phat_engine"].dispose()


def test_default_password_constant_is_long_enough():
    assert len(DEFAULT_PASSWORD) >= 15


def test_inline_re_sign_in_counts_on_the_server_so_a_replayed_cookie_gains_nothing(app, client):
    import datetime as dt

    from sqlalchemy import update

    from clinic.models import LoginSession

    from .test_intake_clinician import _setup, _start

    acct, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    token = csrf_token(client, f"/assessments/{aid}/steps/1")
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
        db.session.commit()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    data = {"csrf_token": token, "3": "daily", "action": "next"}
    limit = app.config["REAUTH_MAX_FAILURES"]
    statuses = []
    for i in range(limit + 2):
        # Replay the same cookie every time, as the attacker in issue 13 did.
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        resp = client.post(f"/assessments/{aid}/steps/1", data={**data, "reauth_password": f"wrong-{i}"})
        statuses.append(resp.status_code)
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert all(s == 302 for s in statuses[limit - 1:])  # signed out, to the sign-in page
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    resp = client.post(f"/assessments/{aid}/steps/1", data={**data, "reauth_password": acct.password})
    assert resp.status_code == 302  # the right password no longer helps until the delay passes
    assert _try(app, acct.email, acct.password).status_code == 429


# --------------------------------------------------------------------------- TOK-06: opening patient links

@pytest.fixture(params=["database", "redis"])
def link_store_config(request, app_config):
    """The app's configuration with the throttle store under test: the database, or Redis."""
    if request.param == "database":
        yield app_config
        return
    if not _redis_up():
        pytest.skip("no Redis at TEST_REDIS_URL")
    import redis

    yield {**app_config, "THROTTLE_STORAGE_URI": REDIS_URL}
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter("phat:*"):
        r.delete(key)


def _link(app) -> str:
    from .test_patient_link import _invite

    return _invite(app)[3]


def _open(app, token, ip):
    return app.test_client().get(f"/p/{token}", environ_base={"REMOTE_ADDR": ip})


def _random_ip() -> str:
    import secrets

    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def test_twenty_random_tokens_from_one_address_get_429_and_another_address_is_unaffected(
        link_store_config, tmp_path, caplog):
    import logging
    import secrets

    from clinic import create_app

    app = create_app(link_store_config, instance_path=str(tmp_path / "i"))
    caplog.set_level(logging.INFO, logger="clinic")
    try:
        good = _link(app)
        guesser, patient = _random_ip(), _random_ip()
        tokens = [secrets.token_urlsafe(32) for _ in range(20)]
        statuses = [_open(app, t, guesser).status_code for t in tokens]
        most = app.config["PATIENT_LINK_BAD_TOKEN_MAX"]
        assert statuses == [404] * most + [429] * (20 - most)
        refused = _open(app, good, guesser)  # a real link from that address waits too
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        text = refused.get_data(as_text=True)
        assert "Too many links that do not work" in text and "wait 15 minutes" in text
        assert _open(app, good, patient).status_code == 200  # the patient elsewhere is not affected
        with app.app_context():
            events = db.session.scalars(select(AuditEvent).where(
                AuditEvent.action == "intake.bad_token_lockout")).all()
            assert len(events) == 1 and events[0].ip == guesser  # audited once, not once per refusal
            everything = " ".join(f"{e.action} {e.object_id} {e.detail}"
                                  for e in db.session.scalars(select(AuditEvent)))
            keys = " ".join(db.session.scalars(select(AuthThrottle.key)))
        logged = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
        assert "intake.bad_token_lockout" in logged
        for token in [*tokens, good]:
            assert token not in everything and token not in logged and token not in keys
        assert guesser not in keys  # only hashes of the address
    finally:
        app.extensions["phat_engine"].dispose()


def test_link_limits_survive_a_new_app_instance_sharing_the_store(link_store_config, tmp_path):
    """A worker recycle (or another host): a new create_app() on the same store still refuses."""
    import secrets

    from clinic import create_app

    first = create_app(link_store_config, instance_path=str(tmp_path / "w1"))
    guesser = _random_ip()
    try:
        good = _link(first)
        for _ in range(first.config["PATIENT_LINK_BAD_TOKEN_MAX"]):
            assert _open(first, secrets.token_urlsafe(32), guesser).status_code == 404
    finally:
        first.extensions["phat_engine"].dispose()
    recycled = create_app(link_store_config, instance_path=str(tmp_path / "w2"))
    try:
        assert _open(recycled, secrets.token_urlsafe(32), guesser).status_code == 429
        assert _open(recycled, good, guesser).status_code == 429
        assert _open(recycled, good, _random_ip()).status_code == 200
    finally:
        recycled.extensions["phat_engine"].dispose()


def test_opening_links_is_limited_per_address_in_a_fixed_window(link_store_config, tmp_path):
    from clinic import create_app

    app = create_app({**link_store_config, "PATIENT_LINK_RATE_LIMIT": "3 per minute"},
                     instance_path=str(tmp_path / "i"))
    try:
        good = _link(app)
        ip = _random_ip()
        assert [_open(app, good, ip).status_code for _ in range(4)] == [200, 200, 200, 429]
        resp = _open(app, good, ip)
        assert resp.status_code == 429 and "Too many attempts" in resp.get_data(as_text=True)
        assert resp.headers["Retry-After"] == "60"
        assert _open(app, good, _random_ip()).status_code == 200
        with app.app_context():
            assert audit_count(app, "intake.link_rate_limited") == 1
            if "THROTTLE_STORAGE_URI" not in link_store_config:
                # The window ends: a minute later the address may open links again.
                from sqlalchemy import update

                past = utcnow() - dt.timedelta(minutes=1, seconds=1)
                db.session.execute(update(AuthThrottle).values(first_failure_at=past))
                db.session.commit()
                assert _open(app, good, ip).status_code == 200
    finally:
        app.extensions["phat_engine"].dispose()


def audit_count(app, action: str) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.parametrize("text,expected", [("30 per minute", (30, 60)), ("100 per 5 minutes", (100, 300)),
                                           ("10/hour", (10, 3600)), ("2 per second", (2, 1))])
def test_link_rate_setting_is_parsed_and_checked_at_start(app_config, tmp_path, text, expected):
    from clinic import create_app
    from clinic.config import ConfigError, parse_rate

    count, window = parse_rate(text)
    assert (count, int(window.total_seconds())) == expected
    for bad in ("30 per fortnight", "0 per minute", "thirty per minute", "", "30 per minute; 5 per second"):
        with pytest.raises(ConfigError, match="PATIENT_LINK_RATE_LIMIT"):
            create_app({**app_config, "PATIENT_LINK_RATE_LIMIT": bad}, instance_path=str(tmp_path / "bad"))
    env = config_from_env({"PHAT_PATIENT_LINK_RATE_LIMIT": text, "PHAT_PATIENT_LINK_BAD_TOKEN_MAX": "4"})
    assert env == {"PATIENT_LINK_RATE_LIMIT": text, "PATIENT_LINK_BAD_TOKEN_MAX": 4}


def config_from_env(environ: dict) -> dict:
    from clinic.config import from_environment

    return from_environment(environ)


def test_a_login_flood_is_answered_by_the_limiter_without_running_argon2(app, monkeypatch):
    """PERF-02: past the limits, wrong-password sign-ins (one account, or many accounts from one
    address) get 429 before any Argon2 verification runs; a colleague elsewhere still signs in."""
    import clinic.security

    real = clinic.security._hasher
    calls = []

    class CountingHasher:
        def verify(self, stored, password):
            calls.append(1)
            return real.verify(stored, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(clinic.security, "_hasher", CountingHasher())
    app.config["LOGIN_IP_MAX_FAILURES"] = 10
    victim, colleague = make_account(app), make_account(app)
    # One account: the free failures are hashed, then the flood is refused unhashed.
    for i in range(_free(app) + 1):
        assert _try(app, victim.email, f"wrong-{i}", ip="203.0.113.1").status_code == 200
    hashed = len(calls)
    assert hashed == _free(app) + 1
    assert {_try(app, victim.email, f"flood-{i}", ip=f"203.0.113.{i % 4 + 2}").status_code
            for i in range(40)} == {429}
    assert len(calls) == hashed
    # One address, many accounts (known or not): refused once the address has used its failures.
    for i in range(10 - (_free(app) + 1)):
        _try(app, f"spray{i}@example.org", "wrong password here", ip="203.0.113.1")
    hashed = len(calls)
    assert {_try(app, f"spray-{i}@example.org", "wrong password here", ip="203.0.113.1").status_code
            for i in range(40)} == {429}
    assert _try(app, colleague.email, colleague.password, ip="203.0.113.1").status_code == 429
    assert len(calls) == hashed
    # A legitimate sign-in from another address is hashed and succeeds.
    assert _try(app, colleague.email, colleague.password, ip="198.51.100.50").status_code == 303
    assert len(calls) == hashed + 1
