"""Crash consistency: a worker killed with SIGKILL in the middle of a patient's submission leaves
either no submission at all or a whole one, never half (security checklist DB-04).

A separate Python process (a stand-in for a gunicorn worker) opens the same database, starts the
submission and is held inside its transaction, after the invitation was marked submitted and the
result computed but before the commit; the test then kills it with SIGKILL. Afterwards the
database must show the link unsubmitted, the assessment a draft, and no audit row or alert from
the dead worker; the patient's retry must then submit exactly once, with a stored result that
matches her stored answers. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from clinic.db import db
from clinic.models import Alert, Assessment, AuditEvent, Invitation
from clinic.operations import compute_result

from .test_patient_link import _assessment, _fill_all, _invite, _submit_data

ROOT = Path(__file__).resolve().parents[2]

WORKER = r"""
import json, sys, time
from clinic import create_app
from clinic import alerts, operations
from clinic.db import db

config, invitation_id = json.loads(sys.argv[1]), sys.argv[2]
app = create_app(config, instance_path=sys.argv[3])

def hold(assessment):          # inside the submission's transaction, just before the commit
    print("IN-TRANSACTION", flush=True)
    time.sleep(120)

alerts.raise_for = hold
with app.app_context():
    operations.submit_intake(invitation_id)
    db.session.commit()
print("COMMITTED", flush=True)
"""


def _counts(app) -> dict:
    with app.app_context():
        return {
            "submitted_links": db.session.scalar(select(func.count()).select_from(Invitation)
                                                 .where(Invitation.submitted_at.is_not(None))),
            "submit_audits": db.session.scalar(select(func.count()).select_from(AuditEvent)
                                               .where(AuditEvent.action == "intake.submit")),
            "alerts": db.session.scalar(select(func.count()).select_from(Alert)),
        }


def test_a_worker_killed_mid_submission_leaves_nothing_half_done_and_the_retry_submits_once(app, tmp_path):
    _clinician, _acct, _pid, token = _invite(app, instruments=("iciq-ui-sf",))
    patient = app.test_client()
    _fill_all(app, patient, token)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    config = {k: app.config[k] for k in ("TESTING", "PHAT_ENV", "SECRET_KEY", "DATABASE_URL", "TEXT_PACK_FOLDER")}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(config), invitation_id, str(tmp_path / "worker-instance")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = worker.stdout.readline()
        assert line.strip() == "IN-TRANSACTION", (line, worker.stderr.read() if worker.poll() is not None else "")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
        worker.stdout.close()
        worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL

    # Nothing of the dead worker's transaction is left.
    assert _counts(app) == {"submitted_links": 0, "submit_audits": 0, "alerts": 0}
    a = _assessment(app)
    assert a.status == "draft" and a.submitted_at is None

    # The patient presses Send again: exactly one submission, its result matching her answers.
    resp = patient.post("/intake/submit", data=_submit_data(patient))
    assert resp.status_code == 303
    assert _counts(app)["submitted_links"] == 1 and _counts(app)["submit_audits"] == 1
    with app.app_context():
        a = db.session.get(Assessment, a.id)
        fresh = compute_result(list(a.instruments), dict(a.answers), a.clinic_id)
        assert a.status == "submitted" and a.result["scores"] == fresh["scores"] and a.overall_tier == fresh["tier"]
