"""Issue 13 odds and ends: every page showing patient data is audited, sign-out clears the
browser's site data, the 12-hour absolute timeout, the Referer check behind the proxy, no
unreviewed |safe or Markup( in templates, statement_timeout on PostgreSQL, draft purge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, text, update

from clinic.db import db
from clinic.models import AuditEvent, LoginSession

from .support import login, make_account, make_episode, make_patient, post
from .support_objects import extra_objects


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_every_page_showing_patient_data_writes_an_audit_row(app, client):
    acct = make_account(app)
    login(client, acct)
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    objs = extra_objects(app, acct, pid, eid)
    aid = objs["assessment_id"]
    pages = ["/", f"/patients/{pid}", f"/patients/{pid}/edit", f"/patients/{pid}/episodes/new",
             f"/episodes/{eid}/close", f"/episodes/{eid}/invite", f"/episodes/{eid}/assessments/new",
             f"/assessments/{aid}", f"/assessments/{aid}/amend", f"/assessments/{aid}/versions/1",
             f"/assessments/{aid}/report/clinician", f"/assessments/{aid}/report/clinician/document",
             "/patients", "/outbox"]
    for page in pages:
        before = _count(app)
        resp = client.get(page)
        assert resp.status_code == 200, page
        assert _count(app) > before, f"GET {page} wrote no audit row"


def test_sign_out_clears_site_data(app, client):
    login(client, make_account(app))
    resp = post(client, "/logout", {})
    assert resp.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_absolute_session_timeout_of_12_hours_even_when_active(app, client):
    acct = make_account(app)
    login(client, acct)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=12)
    with app.app_context():  # active a minute ago, but signed in 12 hours and a minute ago
        now = dt.datetime.now(dt.UTC)
        db.session.execute(update(LoginSession).values(created_at=now - dt.timedelta(hours=12, minutes=1),
                                                       last_seen_at=now - dt.timedelta(minutes=1)))
        db.session.commit()
    resp = client.get("/patients")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_csrf_referer_check_runs_behind_the_tls_proxy(app_config, tmp_path):
    """With ProxyFix trusting one proxy, a request the proxy marks https gets Flask-WTF's strict
    Referer check: a foreign Referer is refused even with a valid token."""
    from clinic import create_app

    app = create_app({**app_config, "PROXY_FIX_HOPS": 1, "SESSION_COOKIE_SECURE": False},
                     instance_path=str(tmp_path / "proxy"))
    try:
        client = app.test_client()
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost"}
        page = client.get("/login", headers=https).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"email": "a@example.org", "password": "whatever", "csrf_token": token}
        foreign = client.post("/login", data=data, headers={**https, "Referer": "https://evil.example/x"})
        assert foreign.status_code == 400
        missing = client.post("/login", data=data, headers=https)
        assert missing.status_code == 400
        same = client.post("/login", data=data, headers={**https, "Referer": "https://localhost/login"})
        assert same.status_code == 200  # reached the form: wrong password, not a CSRF refusal
    finally:
        app.extensions["phat_engine"].dispose()


# Every |safe / Markup( in a template or module must be here, with why it is safe.
def test_postgresql_statement_timeout_is_set(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL-specific")
        value = db.session.execute(text("SHOW statement_timeout")).scalar()
    assert value == f"{app.config['STATEMENT_TIMEOUT_MS']}ms" or value.endswith("s")
    assert value not in ("0", "0ms")


def test_pool_settings_are_validated_at_startup(app_config, tmp_path):
    """DB-02: the pool limits are whole numbers in range, read from PHAT_DB_* and refused otherwise."""
    from clinic import create_app
    from clinic.config import ConfigError, from_environment

    assert from_environment({"PHAT_DB_POOL_SIZE": "3", "PHAT_DB_MAX_OVERFLOW": "0",
                             "PHAT_DB_POOL_TIMEOUT_SECONDS": "2"}) == {
        "DB_POOL_SIZE": 3, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT_SECONDS": 2}
    with pytest.raises(ConfigError, match="PHAT_DB_POOL_SIZE must be a whole number"):
        from_environment({"PHAT_DB_POOL_SIZE": "five"})
    for name, bad in (("DB_POOL_SIZE", 0), ("DB_MAX_OVERFLOW", -1), ("DB_POOL_TIMEOUT_SECONDS", 0),
                      ("DB_POOL_TIMEOUT_SECONDS", 3600), ("DB_POOL_SIZE", "5")):
        with pytest.raises(ConfigError, match=f"PHAT_{name} must be a whole number from"):
            create_app({**app_config, name: bad}, instance_path=str(tmp_path / "i"))


def test_an_exhausted_connection_pool_answers_503_at_once(app_config, tmp_path):
    """DB-02: with every pooled connection held (pool size + overflow), a request waits at most the
    pool timeout, then gets the 503 "busy, try again" page with its reference: no hang, no 500."""
    import threading

    from clinic import create_app

    if not app_config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("PostgreSQL-specific: SQLite ignores the pool settings")
    app = create_app({**app_config, "DB_POOL_SIZE": 2, "DB_MAX_OVERFLOW": 1, "DB_POOL_TIMEOUT_SECONDS": 1},
                     instance_path=str(tmp_path / "pool"))
    engine = app.extensions["phat_engine"]
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (2, 1, 1)
    acct = make_account(app)
    clinician = app.test_client()
    login(clinician, acct)
    held = [engine.connect() for _ in range(3)]
    responses = []
    try:
        for c, path in ((clinician, "/patients"), (app.test_client(), "/p/" + "x" * 43)):
            worker = threading.Thread(target=lambda c=c, path=path: responses.append(c.get(path)))
            worker.start()
            worker.join(timeout=30)  # a hang guard, not a timing measurement
            assert not worker.is_alive(), "the request hung on an exhausted pool"
    finally:
        for conn in held:
            conn.close()
    for resp in responses:
        text_ = resp.get_data(as_text=True)
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
        assert "The service is busy" in text_ and "try again" in text_ and resp.headers["X-Request-ID"] in text_
        assert "Traceback" not in text_ and "QueuePool" not in text_
    assert clinician.get("/patients").status_code == 200  # connections back: served again
    engine.dispose()


def test_purge_command_clears_drafts_of_expired_links(app, client):
    from clinic.models import Assessment, Invitation

    acct = make_account(app)
    login(client, acct)
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    objs = extra_objects(app, acct, pid, eid)
    with app.app_context():
        inv = db.session.get(Invitation, objs["invitation_id"])
        draft = db.session.get(Assessment, inv.assessment_id)
        draft.answers = {"intake-context": {"age": 40}}
        inv.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-expired-drafts"])
    assert result.exit_code == 0, result.output
    assert "1 draft" in result.output
    with app.app_context():
        draft = db.session.get(Assessment, inv.assessment_id)
        assert draft.answers == {} and draft.status == "draft"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "intake.draft_purged")) == 1


def test_error_reference_is_the_request_id_in_the_json_log(app, client, caplog):
    import json
    import logging

    from clinic.access import public
    from clinic.logs import JsonFormatter

    @app.get("/boom-json")
    def boom():
        raise RuntimeError("internal detail")

    public(boom)
    with caplog.at_level(logging.INFO, logger="clinic"):
        resp = client.get("/boom-json")
    assert resp.status_code == 500
    ref = resp.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    assert resp.headers["X-Request-ID"] == ref
    records = [r for r in caplog.records if getattr(r, "request_id", None) == ref and r.exc_info]
    assert records
    line = JsonFormatter().format(records[0])
    entry = json.loads(line)
    assert entry["request_id"] == ref and "RuntimeError" in entry["exc"] and entry["ts"].endswith("+00:00")


def test_json_log_lines_cannot_be_forged():
    import json
    import logging

    from clinic.logs import JsonFormatter

    record = logging.LogRecord("clinic", logging.INFO, __file__, 1, "user %s", ("bob\r\nINFO admin login ok",), None)
    line = JsonFormatter().format(record)
    assert "\n" not in line and "\r" not in line
    assert json.loads(line)["msg"] == "user bob\r\nINFO admin login ok"


def test_logs_hold_no_patient_data_passwords_or_tokens(app, client, caplog):
    import logging

    acct = make_account(app)
    with caplog.at_level(logging.DEBUG):
        login(client, acct)
        pid = make_patient(app, acct, email="zzyzx.qwerty@example.org")
        eid = make_episode(app, acct, pid)
        resp = post(client, f"/episodes/{eid}/invite", {"instruments": ["intake-bleeding"], "days": "14",
                                                        "send_email": "1"})
        token = re.search(r'id="invite-link" value="[^"]+/p/([^"]+)"', resp.get_data(as_text=True)).group(1)
        client.get(f"/patients/{pid}")
        from .support import search
        search(client, "zzyzx")
    text = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    for secret in ("Zzyzx", "zzyzx", "Qwerty", "1901-02-03", acct.password, token, app.config["SECRET_KEY"],
                   acct.email):
        assert secret not in text, secret
    assert "patient.view" in text  # the audit events are logged (ids only)


def test_production_configuration_is_safe(app_config, tmp_path, monkeypatch):
    """CFG-05, a "check --deploy" for this app: what production runs with."""
    from clinic import create_app

    for name in ("PHAT_ENV", "PHAT_TRUSTED_HOSTS", "PHAT_MFA_REQUIRED"):
        monkeypatch.delenv(name, raising=False)
    config = {k: v for k, v in app_config.items() if k not in ("TESTING", "PHAT_ENV", "RATELIMIT_STORAGE_URI")}
    app = create_app({**config, "PUBLIC_BASE_URL": "https://phat.clinic.example"}, instance_path=str(tmp_path / "p"))
    try:
        cfg = app.config
        assert cfg["PHAT_ENV"] == "production" and not app.debug and not app.testing
        assert cfg["SESSION_COOKIE_SECURE"] and cfg["SESSION_COOKIE_HTTPONLY"]
        assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax" and cfg["SESSION_COOKIE_NAME"].startswith("__Host-")
        assert cfg["PERMANENT_SESSION_LIFETIME"] <= dt.timedelta(hours=12)
        assert cfg["TRUSTED_HOSTS"] == ["phat.clinic.example"]
        assert cfg["MAX_CONTENT_LENGTH"] and cfg["WTF_CSRF_ENABLED"]
        from clinic import throttle
        assert throttle.storage_uri(cfg) == "database"  # failed-password counts are never per-process
    finally:
        app.extensions["phat_engine"].dispose()


def test_weaker_stored_hash_is_replaced_at_sign_in(app, client):
    """AUTH-01: a hash made with older (weaker) parameters is rehashed with the current ones."""
    from argon2 import PasswordHasher, extract_parameters

    from clinic.models import User

    acct = make_account(app)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(acct.password)
    with app.app_context():
        db.session.execute(update(User).where(User.id == acct.id).values(password_hash=weak))
        db.session.commit()
    assert login(client, acct).status_code == 303
    with app.app_context():
        stored = db.session.get(User, acct.id).password_hash
    params = extract_parameters(stored)
    assert stored != weak and params.memory_cost >= 19 * 1024 and params.time_cost >= 2


def test_a_csrf_token_from_another_session_is_refused(app):
    """CSRF-01: a valid token of session A does not work in session B."""
    from .support import csrf_token

    acct = make_account(app)
    a, b = app.test_client(), app.test_client()
    login(a, acct)
    login(b, acct)
    token_a = csrf_token(a, "/account/password")
    resp = b.post("/patients/new", data={"given_name": "X", "csrf_token": token_a})
    assert resp.status_code == 400
