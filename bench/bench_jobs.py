"""Job queue and export benchmarks (issue 14), printed as Markdown.

1. Bulk export of 100 signed reports that must be rendered (visits signed before the archive of
   signed documents existed, or loaded as demo data): 2 ``phat jobs-worker`` processes against 1,
   same run, same database, same Redis (db 5 unless BENCH_REDIS_URL says otherwise).  The workers
   are started and warmed up (one small export) before the clock starts; the clock stops when the
   export's row says done.  Budget: 2 workers >= 1.8x the throughput of 1.
   For comparison, the same export of 100 archived visits (the archived PDFs are copied, nothing is
   rendered) on 1 worker.
2. The FHIR Bundle of a patient with 10 signed, archived assessments (gathering from the database
   with the archived PDFs, mapping, JSON) against rendering one clinician report.  Budget: < 0.1x.

Run: ``.venv/bin/python bench/bench_jobs.py`` (needs Redis; about 5 minutes on 2 cores);
``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


def make_app(instance: Path, db_url: str, queue: str):
    from clinic import create_app

    return create_app({"PHAT_ENV": "development", "SECRET_KEY": "b" * 48, "DATABASE_URL": db_url,
                       "REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue, "BULK_EXPORT_MAX": 10_000},
                      instance_path=str(instance))


ARCHIVED_FROM = dt.date(2024, 1, 1)
"""The archived copies are dated from here; the copies that must be rendered from 2025-01-01."""


def seed(app, n: int) -> tuple[str, list[str], list[str]]:
    """Demo data, then ``n`` signed copies of a demo assessment with no archived documents and ``n``
    with (the source's two PDFs, rendered once), all of one patient."""
    from sqlalchemy import select

    import pdf
    from clinic import archive, demo
    from clinic.db import db, utcnow
    from clinic.models import Assessment, SignedDocument
    from clinic.reports import build_context

    with app.app_context():
        demo.load()
        db.session.commit()
        source = db.session.scalars(select(Assessment).where(Assessment.status == "signed")
                                    .order_by(Assessment.performed_on)).first()
        context = build_context(source)
        documents = {kind: pdf.render(context, kind) for kind in ("clinician", "patient")}
        plain, archived = [], []
        for i in range(2 * n):
            first = dt.date(2025, 1, 1) if i < n else ARCHIVED_FROM
            copy = Assessment(clinic_id=source.clinic_id, patient_id=source.patient_id, episode_id=source.episode_id,
                              status="signed", performed_on=first + dt.timedelta(days=i % n),
                              clinician_id=source.clinician_id, instruments=list(source.instruments),
                              answers=dict(source.answers), definition_versions=dict(source.definition_versions),
                              result=dict(source.result), overall_tier=source.overall_tier,
                              red_flag_count=source.red_flag_count, submitted_at=utcnow(), signed_at=utcnow(),
                              signed_by_id=source.clinician_id, reviewed_at=utcnow())
            db.session.add(copy)
            db.session.flush()
            if i < n:
                plain.append(copy.id)
                continue
            archived.append(copy.id)
            for kind, data in documents.items():
                db.session.add(SignedDocument(
                    clinic_id=copy.clinic_id, patient_id=copy.patient_id, assessment_id=copy.id,
                    version=copy.version, kind=kind, report_id=context.report_id, sha256=archive.sha256(data),
                    size=len(data), pdf=data, template_version=archive.template_version(),
                    rulebook_version=archive.rulebook_version(), data={}, signed_at=utcnow(),
                    signed_by_id=source.clinician_id))
        db.session.commit()
        return source.patient_id, plain, archived


def start_workers(n: int, env: dict[str, str]) -> list[subprocess.Popen]:
    return [subprocess.Popen([str(ROOT / ".venv/bin/flask"), "--app", "clinic", "jobs-worker"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            for _ in range(n)]


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def export(app, start: dt.date, end: dt.date, timeout: float = 1800) -> tuple[float, int]:
    """Start a bulk export (clinician reports) and wait for its row to say done."""
    from sqlalchemy import select

    from clinic import jobs
    from clinic.db import db
    from clinic.models import Clinic, Job, User

    with app.app_context():
        clinic_id = db.session.scalar(select(Clinic.id))
        user_id = db.session.scalar(select(User.id))
        t0 = time.perf_counter()
        job = jobs.start_bulk_export(clinic_id=clinic_id, user_id=user_id, kinds=["clinician"], start=start, end=end)
        db.session.commit()
        job_id = job.id
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            row = db.session.get(Job, job_id)
            status, done = row.status, row.done
        if status in ("done", "failed"):
            elapsed = time.perf_counter() - t0
            if status == "failed":
                raise SystemExit(f"export failed: {row.error}")
            return elapsed, done
        time.sleep(0.2)
    raise SystemExit("export did not finish in time")


def bench_bulk(app, env: dict[str, str], reports: int, rounds: int) -> tuple[list[tuple[int, float, int]],
                                                                             tuple[float, int]]:
    first, last = dt.date(2025, 1, 1), dt.date(2025, 1, 1) + dt.timedelta(days=reports - 1)
    warm_last = first + dt.timedelta(days=3)
    out = []
    archived = (0.0, 0)
    for _ in range(rounds):
        for workers in (1, 2):
            procs = start_workers(workers, env)
            try:
                export(app, first, warm_last)  # start-up and WeasyPrint warm-up, not timed
                if workers == 2:
                    export(app, first, warm_last)
                elapsed, done = export(app, first, last)
                if workers == 1:
                    archived = export(app, ARCHIVED_FROM, ARCHIVED_FROM + dt.timedelta(days=reports - 1))
            finally:
                stop_workers(procs)
            out.append((workers, elapsed, done))
            print(f"  {workers} worker(s): {done} reports in {elapsed:.1f} s", file=sys.stderr)
    return out, archived


def bench_fhir(app, patient_id: str, ids: list[str], repeats: int) -> dict[str, float]:
    """The patient's FHIR Bundle of 10 archived assessments, read from the database as the download
    does, against rendering one clinician report."""
    import pdf
    from clinic import exports
    from clinic.db import db
    from clinic.models import Assessment, Patient
    from clinic.reports import build_context

    with app.app_context():
        render_times, bundle_times = [], []
        pdf.render(build_context(db.session.get(Assessment, ids[0])), "clinician")  # warm-up
        for _ in range(repeats):
            db.session.expire_all()
            t0 = time.perf_counter()
            pdf.render(build_context(db.session.get(Assessment, ids[0])), "clinician")
            render_times.append(time.perf_counter() - t0)
            db.session.expire_all()
            t0 = time.perf_counter()
            patient = db.session.get(Patient, patient_id)
            picked = [db.session.get(Assessment, i) for i in ids[:10]]
            data = exports.bundle(patient, picked)
            exports.bundle_json(data)
            bundle_times.append(time.perf_counter() - t0)
        resources = len(data["entry"])
        documents = sum(1 for e in data["entry"] if e["resource"]["resourceType"] == "DocumentReference")
    return {"render": statistics.median(render_times), "bundle": statistics.median(bundle_times),
            "resources": resources, "documents": documents}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    reports = 20 if args.quick else 100
    rounds = 1
    queue = f"phat-bench-{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db_url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        from clinic.db import upgrade

        upgrade(db_url)
        app = make_app(tmp_path / "instance", db_url, queue)
        patient_id, _plain, archived_ids = seed(app, reports)
        env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY="b" * 48, PHAT_ENV="development",
                   PHAT_REDIS_URL=REDIS_URL, PHAT_JOBS_QUEUE=queue, PHAT_INSTANCE_PATH=str(tmp_path / "instance"),
                   PHAT_BULK_EXPORT_MAX="10000")
        load_before = os.getloadavg()[0]
        fhir = bench_fhir(app, patient_id, archived_ids, 3 if args.quick else 7)
        bulk, archived = bench_bulk(app, env, reports, rounds)
        load_after = os.getloadavg()[0]
        from clinic import jobs
        jobs.rq_queue(app).delete(delete_jobs=True)
    one = [reports / t for w, t, _ in bulk if w == 1]
    two = [reports / t for w, t, _ in bulk if w == 2]
    print(f"## Jobs and exports\n\n`bench/bench_jobs.py{' --quick' if args.quick else ''}`, Python "
          f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, {dt.date.today()}, "
          f"load average {load_before:.2f} at the start and {load_after:.2f} at the end. Embedded SQLite, "
          f"Redis db 5, `phat jobs-worker` processes (RQ SimpleWorker).\n")
    print("| measure | result | budget |\n|---|---:|---:|")
    for (w, t, done) in bulk:
        print(f"| bulk export, {w} worker(s): {done} reports | {t:.1f} s ({done / t:.2f} reports/s) | |")
    ratio = statistics.median(two) / statistics.median(one)
    print(f"| throughput, 2 workers / 1 worker | {ratio:.2f}x | >= 1.8x |")
    print(f"| bulk export of {archived[1]} archived reports (copied, not rendered), 1 worker | "
          f"{archived[0]:.1f} s | |")
    print(f"| FHIR Bundle of 10 signed assessments ({fhir['resources']} resources, {fhir['documents']} archived "
          f"PDFs read from the database) | {fhir['bundle'] * 1000:.0f} ms | |")
    print(f"| rendering one clinician report | {fhir['render'] * 1000:.0f} ms | |")
    print(f"| bundle / one report | {fhir['bundle'] / fhir['render']:.3f}x | < 0.1x |")


if __name__ == "__main__":
    main()
