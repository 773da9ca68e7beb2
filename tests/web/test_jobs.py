"""The job queue: bulk report export with progress, email with retries and a failure list, backup
and planner refresh; in-process (eager), through the local worker (the embedded default) and
through RQ on the local Redis (db 5)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import socket
import time
import zipfile

import pytest
from sqlalchemy import select, update

from clinic import jobs
from clinic.db import db, utcnow
from clinic.models import Job, OutboxMessage

from .support import audit_actions, login, make_account, make_episode, make_patient, post
from .test_exports import make_assessment

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _signed(app, account, n=2):
    patient_id = make_patient(app, account)
    episode_id = make_episode(app, account, patient_id)
    ids = [make_assessment(app, account, patient_id, episode_id, days_ago=i) for i in range(n)]
    return patient_id, episode_id, ids


def _start(client, **data):
    today = dt.date.today()
    form = {"start": (today - dt.timedelta(days=30)).isoformat(), "end": today.isoformat(), "kinds": "both"}
    form.update(data)
    resp = post(client, "/exports/reports", form, token_from="/exports")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    return resp.headers["Location"].rsplit("/", 1)[1]


def _zip_names(client, job_id):
    resp = client.get(f"/jobs/{job_id}/download")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    for name in zf.namelist():
        assert zf.read(name).startswith(b"%PDF")
    return sorted(zf.namelist())


def _job(app, job_id):
    """The job's columns as they are now (a plain copy: the session ends with the context)."""
    from types import SimpleNamespace

    with app.app_context():
        job = db.session.get(Job, job_id)
        return SimpleNamespace(**{c.key: getattr(job, c.key) for c in Job.__table__.columns})


def test_bulk_export_runs_in_parts_and_downloads_a_zip(app, client, monkeypatch):
    monkeypatch.setattr(jobs, "PART_SIZE", 1)  # one part per assessment: several workers could share it
    account = make_account(app)
    _signed(app, account, n=2)
    login(client, account)
    job_id = _start(client)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Ready" in page and "4 of 4 reports" in page and "data-job-progress" not in page
    assert '<progress id="job-progress" max="4" value="4"' in page
    assert len(_zip_names(client, job_id)) == 4
    with app.app_context():
        parts = db.session.scalars(select(Job).where(Job.parent_id == job_id)).all()
        assert len(parts) == 2 and {p.status for p in parts} == {"done"}
    actions = audit_actions(app)
    assert actions.count("report.export") == 4
    assert "export.bulk.start" in actions and "export.bulk.download" in actions
    # The exports page lists it; an empty range finishes at once with nothing to download.
    assert f"/jobs/{job_id}" in client.get("/exports").get_data(as_text=True)
    empty = _start(client, start="2000-01-01", end="2000-01-02")
    assert "nothing to download" in client.get(f"/jobs/{empty}").get_data(as_text=True)


def test_bad_dates_store_nothing_and_keep_what_was_typed(app, client):
    account = make_account(app)
    login(client, account)
    resp = post(client, "/exports/reports", {"start": "2026-13-01", "end": "2026-01-01", "kinds": "both"},
                token_from="/exports")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "Enter a real date" in html and 'value="2026-13-01"' in html
    with app.app_context():
        assert db.session.scalar(select(Job.id)) is None


def test_episode_export_and_a_failed_render_fails_the_whole_export(app, client, monkeypatch):
    account = make_account(app)
    _patient_id, episode_id, _ids = _signed(app, account, n=1)
    login(client, account)
    resp = post(client, f"/episodes/{episode_id}/export-reports", {"kinds": "clinician"}, token_from="/exports")
    assert resp.status_code == 303
    job_id = resp.headers["Location"].rsplit("/", 1)[1]
    assert len(_zip_names(client, job_id)) == 1

    import pdf

    def broken(*_a, **_k):
        raise pdf.RenderError("fonts missing")

    monkeypatch.setattr(pdf, "render", broken)
    resp = post(client, f"/episodes/{episode_id}/export-reports", {"kinds": "clinician"}, token_from="/exports")
    job_id = resp.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The export failed" in page and "could not be rendered" in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 409


@pytest.fixture
def local_app(app_config, tmp_path):
    from clinic import create_app

    from .support import CheckingClient

    application = create_app({**app_config, "JOBS_MODE": "local"}, instance_path=str(tmp_path / "instance"))
    application.test_client_class = CheckingClient
    yield application
    jobs.stop_local_worker(application)
    application.extensions["phat_engine"].dispose()


def test_local_mode_progress_page_then_the_worker_loop_finishes_it(local_app, monkeypatch):
    started = []
    monkeypatch.setattr(jobs, "ensure_local_worker", lambda app: started.append(app))
    account = make_account(local_app)
    _signed(local_app, account, n=2)
    client = local_app.test_client()
    login(client, account)
    job_id = _start(client, kinds="clinician")
    assert started  # the submit asked for the local worker
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting for a worker" in page and f'data-job-progress="/jobs/{job_id}/progress"' in page
    assert "Refresh to see how far it has got" in page  # without app.js
    assert "<script" not in page.split("</head>")[1] and "http-equiv" not in page  # no inline script, no timed refresh
    state = client.get(f"/jobs/{job_id}/progress").get_json()
    assert state == {"status": "queued", "done": 0, "total": 0, "percent": 0, "text": "0% done.",
                     "heading": "Waiting for a worker", "count": "Counting the reports"}
    assert client.get(f"/jobs/{job_id}/download").status_code == 409
    assert jobs.work_local(local_app, burst=True) == 2  # the export, then its one part of two reports
    assert _job(local_app, job_id).status == "done"
    assert client.get(f"/jobs/{job_id}/progress").get_json()["percent"] == 100
    assert len(_zip_names(client, job_id)) == 2


def test_progress_estimates_time_left():
    job = Job(kind="bulk_reports", status="running", done=25, total=100,
              started_at=utcnow() - dt.timedelta(seconds=50))
    state = jobs.progress(job)
    assert state["percent"] == 25 and 140 <= state["seconds_left"] <= 160
    assert jobs.describe_seconds(150) == "about 2 minutes" and jobs.describe_seconds(1) == "about 1 second"


def test_the_local_worker_process_runs_jobs_started_from_the_web(local_app):
    account = make_account(local_app)
    _signed(local_app, account, n=1)
    client = local_app.test_client()
    login(client, account)
    job_id = _start(client, kinds="clinician")
    deadline = time.monotonic() + 180
    while _job(local_app, job_id).status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _job(local_app, job_id).status == "done"
    assert _job(local_app, job_id).backend == "local"
    assert len(_zip_names(client, job_id)) == 1


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        conn = Redis.from_url(REDIS_URL)
        conn.ping()
    except RedisDown:
        pytest.skip("no Redis at " + REDIS_URL)
    return conn


@pytest.fixture
def rq_app(app_config, tmp_path):
    from clinic import create_app

    from .support import CheckingClient

    conn = _redis_or_skip()
    queue = f"phat-test-{os.getpid()}-{os.urandom(3).hex()}"
    application = create_app({**app_config, "REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue},
                             instance_path=str(tmp_path / "instance"))
    application.test_client_class = CheckingClient
    yield application
    jobs.rq_queue(application).delete(delete_jobs=True)
    for key in conn.scan_iter(f"rq:*{queue}*"):
        conn.delete(key)
    application.extensions["phat_engine"].dispose()


def test_rq_workers_run_the_same_export(rq_app, monkeypatch):
    from rq import SimpleWorker

    monkeypatch.setattr(jobs, "PART_SIZE", 1)
    assert jobs.mode(rq_app) == "rq"
    account = make_account(rq_app)
    _signed(rq_app, account, n=3)
    client = rq_app.test_client()
    login(client, account)
    job_id = _start(client)
    assert _job(rq_app, job_id).status == "queued" and _job(rq_app, job_id).backend == "rq"
    queue = jobs.rq_queue(rq_app)
    assert queue.count == 1
    jobs.set_worker_app(rq_app)
    try:
        # Two workers share the parts, as workers on two hosts would.
        first, second = (SimpleWorker([queue], connection=queue.connection) for _ in range(2))
        first.work(burst=True, max_jobs=2)
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert "Rendering reports" in page and re.search(r"[0-9] of 6 reports", page)
        second.work(burst=True)
    finally:
        jobs.set_worker_app(None)
    assert _job(rq_app, job_id).status == "done"
    assert len(_zip_names(client, job_id)) == 6


# --------------------------------------------------------------------------- email

def _invite(app, client, account):
    patient_id = make_patient(app, account, email="pat@example.org")
    episode_id = make_episode(app, account, patient_id)
    resp = post(client, f"/episodes/{episode_id}/invite",
                {"instruments": ["intake-bleeding"], "days": "14", "send_email": "1"})
    assert resp.status_code == 200
    return re.search(r'id="invite-link" value="([^"]+)"', resp.get_data(as_text=True)).group(1)


def test_email_goes_through_the_queue_and_the_body_is_not_kept(app, client):
    account = make_account(app)
    login(client, account)
    link = _invite(app, client, account)
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "email"))
        assert job.status == "done" and job.secret is None and job.params["to"] == "pat@example.org"
        body = db.session.scalar(select(OutboxMessage.body))
        assert link not in body and "[link removed" in body  # the development outbox keeps no working link


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def failing_mail_app(app_config, tmp_path):
    from clinic import create_app

    from .support import CheckingClient

    application = create_app({**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": _closed_port(),
                              "MAIL_USE_TLS": False, "EMAIL_MAX_ATTEMPTS": 2},
                             instance_path=str(tmp_path / "instance"))
    application.test_client_class = CheckingClient
    yield application
    application.extensions["phat_engine"].dispose()


def test_failed_email_is_retried_then_listed_for_administrators(failing_mail_app):
    app = failing_mail_app
    admin = make_account(app, role="admin")
    client = app.test_client()
    login(client, admin)
    link = _invite(app, client, admin)
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "email"))
        assert job.status == "queued" and job.attempts == 1 and job.run_after > utcnow()
        assert "ConnectionRefusedError" in job.error
        assert job.secret and link not in job.secret and jobs.decrypt(job.secret).count(link) == 1
        db.session.execute(update(Job).where(Job.id == job.id).values(run_after=utcnow()))
        db.session.commit()
        job_id = job.id
    assert jobs.work_local(app, burst=True) == 1
    assert _job(app, job_id).status == "failed" and _job(app, job_id).attempts == 2
    page = client.get("/admin/email").get_data(as_text=True)
    assert "pat@example.org" in page and "ConnectionRefusedError" in page and link not in page
    clinician = app.test_client()
    login(clinician, make_account(app, role="clinician"))
    assert clinician.get("/admin/email").status_code == 403
    resp = post(client, f"/admin/email/{job_id}/retry", token_from="/admin/email")
    assert resp.status_code == 303
    assert _job(app, job_id).attempts == 1  # tried again at once (and refused again: the server is still down)
    assert "email.retry" in audit_actions(app)


# --------------------------------------------------------------------------- maintenance

@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="the backup job copies SQLite")
def test_backup_and_planner_refresh_run_as_jobs(app, tmp_path):
    runner = app.test_cli_runner()
    app.config["BACKUP_FOLDER"] = str(tmp_path / "backups")
    result = runner.invoke(args=["jobs-enqueue", "backup"])
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "backups").glob("phat-*.sqlite3"))
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    result = runner.invoke(args=["jobs-enqueue", "optimize"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kinds = {j.kind: j.status for j in db.session.scalars(select(Job))}
    assert kinds == {"backup": "done", "optimize": "done"}
    assert "database.backup" in audit_actions(app)


def test_planner_refresh_job_on_any_database(app):
    result = app.test_cli_runner().invoke(args=["jobs-enqueue", "optimize"])
    assert result.exit_code == 0 and "finished" in result.output


def test_rq_jobs_the_queue_lost_are_handed_back_and_still_run_once(rq_app):
    from rq import SimpleWorker

    account = make_account(rq_app)
    with rq_app.app_context():
        job = jobs.submit("optimize", {}, clinic_id=account.clinic_id, total=1)
        db.session.info.pop("phat_jobs")  # as if Redis had been down at commit
        db.session.execute(update(Job).where(Job.id == job.id)
                           .values(run_after=utcnow() - dt.timedelta(minutes=10)))
        db.session.commit()
        job_id = job.id
    queue = jobs.rq_queue(rq_app)
    assert queue.count == 0
    assert jobs.redispatch_orphans(rq_app) == 1
    assert jobs.redispatch_orphans(rq_app, older_than=dt.timedelta(0)) == 1  # a duplicate in Redis...
    assert queue.count == 2
    jobs.set_worker_app(rq_app)
    try:
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        jobs.set_worker_app(None)
    job = _job(rq_app, job_id)
    assert job.status == "done" and job.attempts == 1  # ...runs once


def test_bulk_export_holds_the_archived_pdf_that_was_signed_not_a_new_render(app, client, monkeypatch):
    """A signed visit's export is the archived document, byte for byte, even if the report
    templates (or anything else a render reads) changed since it was signed."""
    from clinic.models import SignedDocument

    from .support import sign_assessment

    account = make_account(app)
    patient_id = make_patient(app, account)
    episode_id = make_episode(app, account, patient_id)
    aid = make_assessment(app, account, patient_id, episode_id, status="submitted")
    login(client, account)
    assert sign_assessment(client, aid, "Seen.").status_code == 303
    with app.app_context():
        archived = {d.kind: bytes(d.pdf) for d in db.session.scalars(
            select(SignedDocument).where(SignedDocument.assessment_id == aid))}
    assert set(archived) == {"clinician", "patient"}

    import pdf

    def changed(*_a, **_k):
        raise AssertionError("a signed, archived report was rendered again")

    monkeypatch.setattr(pdf, "render", changed)
    job_id = _start(client)
    resp = client.get(f"/jobs/{job_id}/download")
    assert resp.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    contents = sorted(zf.read(name) for name in zf.namelist())
    assert contents == sorted(archived.values())
