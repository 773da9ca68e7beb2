"""Objects for the url_map walk: one of each kind that appears in a route (see test_access)."""

from __future__ import annotations

from clinic.db import db, utcnow
from clinic.models import Alert, AssessmentRevision, Episode, Job, SignedDocument, User
from clinic.operations import create_invitation, start_assessment


def extra_objects(app, account, patient_id: str, episode_id: str) -> dict:
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        user = db.session.get(User, account.id)
        # Built through the operations, as the app builds them (each has its stored result); the
        # signature is then set as signing leaves it (version 2 after one amendment), without
        # rendering the archive's PDFs, which the signing tests cover.
        a = start_assessment(episode, user, ["intake-context"])
        a.status, a.version, a.signed_at, a.signed_by_id = "signed", 2, utcnow(), account.id
        db.session.add(AssessmentRevision(assessment_id=a.id, version=1, answers={}, definition_versions={},
                                          amended_by_id=account.id, reason="test"))
        inv, _token = create_invitation(episode, user, ["intake-context"], 1)
        db.session.add(SignedDocument(clinic_id=account.clinic_id, patient_id=patient_id, assessment_id=a.id,
                                      version=1, kind="clinician", report_id="PHT-TEST-V1", sha256="0" * 64, size=3,
                                      pdf=b"%PD", template_version="tpl-test", rulebook_version="rules-test",
                                      data={}, signed_at=utcnow(), signed_by_id=account.id))
        alert = Alert(clinic_id=account.clinic_id, assessment_id=inv.assessment_id, patient_id=patient_id, tier="T4",
                      rule_ids=["B4"], source="patient_link", send_count=0)
        db.session.add(alert)
        job = Job(kind="bulk_reports", clinic_id=account.clinic_id, created_by_id=account.id, status="done",
                  params={"from": "2026-01-01", "to": "2026-01-31", "kinds": ["clinician"]}, backend="eager")
        db.session.add(job)
        db.session.commit()
        return {"assessment_id": a.id, "invitation_id": inv.id, "step": 0, "version": 1, "job_id": job.id,
                "alert_id": alert.id}
