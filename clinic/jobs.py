"""The job queue: long work done outside web requests, with its state in the ``jobs`` table.

Backends (``JOBS_MODE``; see :func:`mode`):

* ``rq``: with ``REDIS_URL`` set, each job id is put on an RQ queue; ``phat jobs-worker`` (on any
  number of hosts sharing the database and Redis) runs it;
* ``local``: the embedded default; a worker process started with the app (or with the first job)
  polls the ``jobs`` table and runs the same code;
* ``eager``: the job runs in the same process right after the submitting transaction commits
  (tests, and one-off CLI use).

Every backend claims a job with one conditional UPDATE (``queued`` -> ``running``), so a job runs
once however many workers poll, and records progress (``done``/``total``) in the row, which the
progress page reads.  Jobs are submitted inside the caller's transaction and dispatched only after
it commits: a rolled-back request leaves no job behind.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import pickle
import time
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, undefer

from . import audit
from .db import db, utcnow
from .models import Assessment, Job, JobFile, SignedDocument

log = logging.getLogger(__name__)

PART_SIZE = 5
"""Assessments per part of a bulk export: parts spread over the workers."""
EMAIL_BACKOFF = (30, 120, 600, 1800)
"""Seconds before the 2nd, 3rd, ... delivery attempt."""
POLL_SECONDS = 1.0
STALE_AFTER = dt.timedelta(minutes=30)
"""A local job still 'running' this long after it started belongs to a worker that died."""

HANDLERS: dict[str, Callable[[Job], None]] = {}


def handler(kind: str):
    def register(fn: Callable[[Job], None]) -> Callable[[Job], None]:
        HANDLERS[kind] = fn
        return fn
    return register


# --------------------------------------------------------------------------- backend choice

def mode(app: Flask | None = None) -> str:
    cfg = (app or current_app).config
    chosen = cfg.get("JOBS_MODE")
    if chosen:
        return chosen
    if cfg.get("REDIS_URL"):
        return "rq"
    return "eager" if cfg.get("TESTING") else "local"


def rq_queue(app: Flask | None = None):
    from redis import Redis
    from rq import Queue

    cfg = (app or current_app).config
    return Queue(cfg["JOBS_QUEUE"], connection=Redis.from_url(cfg["REDIS_URL"]))


# --------------------------------------------------------------------------- submitting

def submit(kind: str, params: dict[str, Any] | None = None, *, clinic_id: int | None = None,
           user_id: int | None = None, total: int = 0, secret: str | None = None, max_attempts: int = 1,
           parent_id: str | None = None, session: Session | None = None) -> Job:
    """Add a job to the current transaction; it is dispatched when that transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    sess = session or db.session
    job = Job(kind=kind, params=params or {}, clinic_id=clinic_id, created_by_id=user_id, total=total,
              secret=encrypt(secret) if secret is not None else None, max_attempts=max_attempts,
              parent_id=parent_id, status="queued", run_after=utcnow(), backend=mode())
    sess.add(job)
    sess.flush()
    sess.info.setdefault("phat_jobs", []).append((job.id, 0))
    return job


@event.listens_for(Session, "after_commit")
def _after_commit(sess: Session) -> None:
    pending = sess.info.pop("phat_jobs", None)
    if pending and has_app_context():
        try:
            dispatch(pending)
        except Exception:  # noqa: BLE001 - the jobs are committed: a worker (or a retry) still finds them
            log.exception("could not hand %d job(s) to the %s backend", len(pending), mode())


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(sess: Session, _previous: Any) -> None:
    sess.info.pop("phat_jobs", None)


def dispatch(pending: list[tuple[str, float]], app: Flask | None = None) -> None:
    """Hand committed jobs to their backend: (job id, delay in seconds)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    chosen = mode(app)
    if chosen == "rq":
        queue = rq_queue(app)
        for job_id, delay in pending:
            kwargs = {"job_timeout": 3600, "result_ttl": 0, "failure_ttl": 7 * 86400,
                      "description": f"phat job {job_id}"}
            if delay:
                queue.enqueue_in(dt.timedelta(seconds=delay), rq_run, job_id, **kwargs)
            else:
                queue.enqueue(rq_run, job_id, **kwargs)
    elif chosen == "eager":
        for job_id, delay in pending:
            if not delay:
                run(app, job_id)
    elif not _IN_LOCAL_WORKER:
        ensure_local_worker(app)  # (a local worker finds its own new jobs by polling)


# --------------------------------------------------------------------------- running

def claim(job_id: str) -> bool:
    """Mark a queued job running; False if another worker has it."""
    now = utcnow()
    result = db.session.execute(update(Job).where(Job.id == job_id, Job.status == "queued")
                                .values(status="running", started_at=now, attempts=Job.attempts + 1))
    db.session.commit()
    return result.rowcount == 1


def run(app: Flask, job_id: str) -> str | None:
    """Claim and run one job in a fresh application context; returns its final status."""
    with app.app_context():
        if not claim(job_id):
            return None
        job = db.session.get(Job, job_id)
        fn = HANDLERS[job.kind]
        try:
            fn(job)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job, never lost
            db.session.rollback()
            return _failed(app, job_id, exc)
        db.session.flush()  # the handler's changes first, then what other workers wrote
        db.session.refresh(job)
        if job.status == "running" and job.kind != "bulk_reports":
            job.status, job.finished_at = "done", utcnow()
            if job.kind == "email":
                job.secret = None  # delivered: the body with its link is not kept
        db.session.commit()
        return job.status


def _failed(app: Flask, job_id: str, exc: Exception) -> str:
    log.warning("job %s failed: %s", job_id, type(exc).__name__)
    job = db.session.get(Job, job_id)
    job.error = _describe(exc)
    if job.attempts < job.max_attempts:
        delay = EMAIL_BACKOFF[min(job.attempts - 1, len(EMAIL_BACKOFF) - 1)]
        job.status, job.run_after = "queued", utcnow() + dt.timedelta(seconds=delay)
        db.session.commit()
        if mode(app) == "rq":
            dispatch([(job_id, delay)], app)
        return "queued"
    job.status, job.finished_at = "failed", utcnow()
    if job.parent_id:
        parent = db.session.get(Job, job.parent_id)
        if parent is not None and parent.status in ("queued", "running"):
            parent.status, parent.finished_at = "failed", utcnow()
            parent.error = "Some reports could not be rendered; nothing was exported. Try again, or ask an " \
                           "administrator to look at the job list."
    db.session.commit()
    return "failed"


def _describe(exc: Exception) -> str:
    """What went wrong, without patient data: the error class and the last frame of our code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/clinic/" in f.filename or "/pdf/" in f.filename]
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    if type(exc).__name__ in ("SMTPRecipientsRefused", "SMTPDataError"):
        text = "the mail server refused the message"
    return f"{type(exc).__name__}{where}" + (f": {text}" if text else "")


def rq_run(job_id: str) -> str | None:
    """RQ's entry point (a module-level function, importable by workers on any host)."""
    return run(worker_app(), job_id)


_WORKER_APP: Flask | None = None


def worker_app() -> Flask:
    global _WORKER_APP
    if _WORKER_APP is None:
        from . import create_app
        _WORKER_APP = create_app()
    return _WORKER_APP


def set_worker_app(app: Flask) -> None:
    global _WORKER_APP
    _WORKER_APP = app


def redispatch_orphans(app: Flask, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Hand RQ jobs that are still queued in the database back to Redis (Redis was down when they
    were committed, or lost them).  A job already in Redis runs once all the same: :func:`claim`."""
    with app.app_context():
        cutoff = utcnow() - older_than
        ids = list(db.session.scalars(select(Job.id).where(Job.status == "queued", Job.backend == "rq",
                                                           Job.run_after <= cutoff)))
    if ids:
        dispatch([(job_id, 0) for job_id in ids], app)
    return len(ids)


# --------------------------------------------------------------------------- local worker

def next_due(app: Flask) -> str | None:
    with app.app_context():
        requeue_stale()
        return db.session.scalar(select(Job.id).where(Job.status == "queued", Job.run_after <= utcnow())
                                 .order_by(Job.created_at).limit(1))


def requeue_stale() -> None:
    cutoff = utcnow() - STALE_AFTER
    db.session.execute(update(Job).where(Job.status == "running", Job.started_at < cutoff,
                                         Job.backend == "local", Job.kind != "bulk_reports")
                       .values(status="queued", run_after=utcnow()))
    db.session.commit()


def work_local(app: Flask, *, burst: bool = False, parent_pid: int | None = None,
               max_idle: float | None = None) -> int:
    """The local worker loop: run due jobs until none is left (``burst``) or forever."""
    global _IN_LOCAL_WORKER
    _IN_LOCAL_WORKER = True
    try:
        return _work_local(app, burst=burst, parent_pid=parent_pid, max_idle=max_idle)
    finally:
        _IN_LOCAL_WORKER = False


def _work_local(app: Flask, *, burst: bool, parent_pid: int | None, max_idle: float | None) -> int:
    ran = 0
    idle_since = time.monotonic()
    while True:
        if parent_pid is not None and os.getppid() != parent_pid:
            return ran  # the app is gone
        job_id = next_due(app)
        if job_id is None:
            if burst or (max_idle is not None and time.monotonic() - idle_since > max_idle):
                return ran
            time.sleep(POLL_SECONDS)
            continue
        if run(app, job_id) is not None:
            ran += 1
        idle_since = time.monotonic()


def _local_worker_main(config: dict[str, Any], instance_path: str, parent_pid: int) -> None:
    from . import create_app

    app = create_app(config, instance_path=instance_path)
    set_worker_app(app)
    work_local(app, parent_pid=parent_pid)


_LOCAL: dict[int, multiprocessing.process.BaseProcess] = {}
_IN_LOCAL_WORKER = False


def ensure_local_worker(app: Flask) -> multiprocessing.process.BaseProcess:
    """Start this process's local worker (once; again if it died)."""
    key = id(app)
    proc = _LOCAL.get(key)
    if proc is not None and proc.is_alive():
        return proc
    config = {}
    for k, v in app.config.items():
        try:
            pickle.dumps(v)
        except Exception:  # noqa: BLE001, S112 - skip what cannot cross to the child (Flask internals)
            continue
        config[k] = v
    config["JOBS_LOCAL_WORKER"] = False
    config["JOBS_MODE"] = "local"
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_local_worker_main, args=(config, app.instance_path, os.getpid()), daemon=True,
                       name="phat-local-worker")
    proc.start()
    _LOCAL[key] = proc
    return proc


def stop_local_worker(app: Flask) -> None:
    proc = _LOCAL.pop(id(app), None)
    if proc is not None and proc.is_alive():
        proc.terminate()
        proc.join(10)


# --------------------------------------------------------------------------- secrets

def _fernet():
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"phat-jobs", info=b"job secret v1").derive(
        str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode("ascii")).decode()


# --------------------------------------------------------------------------- progress

def progress(job: Job) -> dict[str, Any]:
    """done/total, percent and an estimate of the time left (from the rate so far)."""
    total = max(job.total, 0)
    done = min(job.done, total) if total else job.done
    percent = int(100 * done / total) if total else (100 if job.status == "done" else 0)
    left = None
    if job.status == "running" and job.started_at and done and total > done:
        elapsed = (utcnow() - job.started_at).total_seconds()
        left = max(1, round(elapsed / done * (total - done)))
    return {"done": done, "total": total, "percent": percent, "seconds_left": left}


def describe_seconds(seconds: int | None) -> str:
    if seconds is None:
        return "working out how long"
    if seconds < 60:
        return f"about {seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


# --------------------------------------------------------------------------- bulk report export

def start_bulk_export(*, clinic_id: int, user_id: int, kinds: list[str], start: dt.date | None = None,
                      end: dt.date | None = None, episode_id: str | None = None) -> Job:
    params: dict[str, Any] = {"kinds": kinds}
    if episode_id:
        params["episode_id"] = episode_id
    else:
        params.update({"from": start.isoformat(), "to": end.isoformat()})  # type: ignore[union-attr]
    return submit("bulk_reports", params, clinic_id=clinic_id, user_id=user_id)


def bulk_selection(job: Job) -> list[str]:
    p = job.params
    from .privacy import not_restricted

    # Restricted records (erasure requested) never leave in a bulk export.
    stmt = select(Assessment.id).where(Assessment.clinic_id == job.clinic_id, Assessment.status == "signed",
                                       not_restricted(Assessment.patient_id))
    if p.get("episode_id"):
        stmt = stmt.where(Assessment.episode_id == p["episode_id"])
    else:
        stmt = stmt.where(Assessment.performed_on >= dt.date.fromisoformat(p["from"]),
                          Assessment.performed_on <= dt.date.fromisoformat(p["to"]))
    limit = current_app.config["BULK_EXPORT_MAX"]
    return list(db.session.scalars(stmt.order_by(Assessment.performed_on, Assessment.id).limit(limit)))


@handler("bulk_reports")
def _bulk_reports(job: Job) -> None:
    """Split the export into parts that any worker may take; the last part to finish closes it."""
    ids = bulk_selection(job)
    kinds = list(job.params.get("kinds") or ["clinician"])
    job.total = len(ids) * len(kinds)
    job.summary = {"assessments": len(ids)}
    if not ids:
        job.status, job.finished_at = "done", utcnow()
        db.session.commit()
        return
    for i in range(0, len(ids), PART_SIZE):
        submit("report_part", {"assessment_ids": ids[i:i + PART_SIZE], "kinds": kinds}, clinic_id=job.clinic_id,
               user_id=job.created_by_id, parent_id=job.id, total=len(ids[i:i + PART_SIZE]) * len(kinds))
    db.session.commit()


@handler("report_part")
def _report_part(job: Job) -> None:
    import pdf

    from .reports import build_context, download_name

    parent_id = job.parent_id
    for assessment_id in job.params["assessment_ids"]:
        parent_status = db.session.scalar(select(Job.status).where(Job.id == parent_id))
        if parent_status == "failed":
            return
        assessment = db.session.scalar(select(Assessment).where(Assessment.id == assessment_id,
                                                                Assessment.clinic_id == job.clinic_id))
        if assessment is None or assessment.status != "signed":
            _advance(job, parent_id, len(job.params["kinds"]))
            continue
        names = {kind: download_name(assessment, kind) for kind in job.params["kinds"]}
        patient_id, version = assessment.patient_id, assessment.version
        context = None
        for kind in job.params["kinds"]:
            # The PDF that was signed, from the archive; rendered only for a visit signed before
            # the archive existed (as its download is).
            doc = db.session.scalar(select(SignedDocument).options(undefer(SignedDocument.pdf)).where(
                SignedDocument.assessment_id == assessment_id, SignedDocument.version == version,
                SignedDocument.kind == kind))
            if doc is not None:
                data, report_id = doc.pdf, doc.report_id
            else:
                context = context or build_context(assessment)
                db.session.commit()  # hold no transaction while rendering (SQLite: other workers write meanwhile)
                data, report_id = pdf.render(context, kind), context.report_id
            db.session.add(JobFile(job_id=parent_id, name=names[kind], data=data))
            audit.record("report.export", object_type="assessment", object_id=assessment_id,
                         user_id=job.created_by_id, clinic_id=job.clinic_id, patient_id=patient_id,
                         detail={"kind": kind, "report": report_id, "job": parent_id, "archived": doc is not None})
            _advance(job, parent_id, 1)


def _advance(job: Job, parent_id: str, n: int) -> None:
    """Count ``n`` finished reports on the part and its export, in the same commit as the files."""
    now = utcnow()
    job.done += n
    db.session.execute(update(Job).where(Job.id == parent_id).values(done=Job.done + n))
    db.session.execute(update(Job).where(Job.id == parent_id, Job.status == "running", Job.done >= Job.total)
                       .values(status="done", finished_at=now))
    db.session.commit()


def export_files(job: Job) -> list[JobFile]:
    return list(db.session.scalars(select(JobFile).where(JobFile.job_id == job.id).order_by(JobFile.name)))


def count_files(job: Job) -> int:
    return db.session.scalar(select(func.count(JobFile.id)).where(JobFile.job_id == job.id)) or 0


# --------------------------------------------------------------------------- the patient's copy

@handler("patient_export")
def _patient_export(job: Job) -> None:
    """The subject-access zip, rendered here rather than in a web request; progress per assessment."""
    from . import exports
    from .models import Clinic, Patient

    patient = db.session.scalar(select(Patient).where(Patient.id == job.params["patient_id"],
                                                      Patient.clinic_id == job.clinic_id))
    if patient is None:
        raise RuntimeError("the patient is no longer on record")
    clinic_name = db.session.scalar(select(Clinic.name).where(Clinic.id == job.clinic_id))
    chosen = exports.exportable_assessments(patient)
    job.total = len(chosen) + 1
    db.session.commit()
    documents = {}
    for assessment in chosen:
        db.session.commit()  # no transaction held while rendering
        documents[assessment.id] = exports.signed_documents(assessment)
        job.done += 1
        db.session.commit()
    data, counts = exports.patient_zip(patient, clinic_name, chosen, documents)
    db.session.add(JobFile(job_id=job.id, name="record.zip", data=data))
    job.summary = counts
    job.done = job.total


# --------------------------------------------------------------------------- email

def queue_email(clinic_id: int, to: str, subject: str, body: str, *, user_id: int | None = None) -> str:
    """Send an email through the queue (retried, failures listed for administrators).  The body is
    stored encrypted until it is delivered.  Returns where it will go: 'smtp', 'outbox' (development),
    or 'none' (production without a mail server: nothing is queued, the caller says so)."""
    if not current_app.config.get("MAIL_SERVER") and current_app.config.get("PHAT_ENV") == "production":
        return "none"
    submit("email", {"to": to, "subject": subject}, clinic_id=clinic_id, user_id=user_id, total=1,
           secret=body, max_attempts=max(1, int(current_app.config["EMAIL_MAX_ATTEMPTS"])))
    return "smtp" if current_app.config.get("MAIL_SERVER") else "outbox"


@handler("email")
def _email(job: Job) -> None:
    from . import mail

    if job.secret is None:
        raise RuntimeError("the message body is no longer held")
    body = decrypt(job.secret)
    db.session.commit()  # no transaction held while the mail server answers
    mail.send(job.clinic_id, job.params["to"], job.params["subject"], body)
    job.done = 1


def retry(job: Job) -> None:
    """Queue a failed job again (an administrator's 'Send again')."""
    job.status, job.run_after, job.attempts, job.finished_at = "queued", utcnow(), 0, None
    db.session.flush()
    db.session.info.setdefault("phat_jobs", []).append((job.id, 0))


# --------------------------------------------------------------------------- maintenance

@handler("backup")
def _backup(job: Job) -> None:
    from pathlib import Path

    from .maintenance import backup_sqlite

    if db.engine.dialect.name != "sqlite":
        raise RuntimeError("the backup job copies the embedded SQLite database; use pg_dump for PostgreSQL")
    source = db.engine.url.database
    folder = Path(current_app.config["BACKUP_FOLDER"])
    target = folder / f"phat-{utcnow():%Y%m%d-%H%M%S}.sqlite3"
    db.session.commit()  # no transaction of ours open while SQLite copies
    facts = backup_sqlite(source, target)
    job.summary = {k: v for k, v in facts.items() if k != "revision"} | {
        "file_sha256": hashlib.sha256(target.read_bytes()).hexdigest()[:16]}
    job.done = job.total = 1
    audit.record("database.backup", actor="system", detail={k: v for k, v in facts.items() if k != "bytes"}
                 | {"job": job.id})


@handler("purge_retention")
def _purge_retention(job: Job) -> None:
    """Delete the records past the retention period (see clinic.privacy); tombstones in the audit log."""
    from . import privacy

    job_id = job.id
    db.session.commit()  # each record is deleted and committed on its own
    counts = privacy.purge_retention()
    job = db.session.get(Job, job_id)
    job.summary = counts | {"retention_years": privacy.retention_years()}
    job.done = job.total = 1


@handler("optimize")
def _optimize(job: Job) -> None:
    from .maintenance import optimize

    db.session.commit()
    optimize()
    job.done = job.total = 1
