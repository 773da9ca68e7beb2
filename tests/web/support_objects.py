"""Objects for the url_map walk: one of each kind that appears in a route (see test_access)."""

from __future__ import annotations

import datetime as dt

from clinic.db import db, utcnow
from clinic.models import Alert, Assessment, AssessmentRevision, Invitation, Job, SignedDocument


def extra_objects(app, account, patient_id: str, episode_id: str) -> dict:
    with app.app_context():
        a = Assessment(clinic_id=account.clinic_id, patient_id=patient_id, episode_id=episode_id,
                       performed_on=dt.date.today(), clinician_id=account.id, status="signed",
                       instruments=["intake-context"], answers={}, definition_versions={}, version=2,
                       signed_at=utcnow(), signed_by_id=account.id)
        db.session.add(a)
        db.session.flush()
        db.session.add(AssessmentRevision(assessment_id=a.id, version=1, answers={}, definition_versions={},
                                          amended_by_id=account.id, reason="test"))
        link = Assessment(clinic_id=account.clinic_id, patient_id=patient_id, episode_id=episode_id,
                          performed_on=dt.date.today(), source="patient_link", instruments=["intake-context"],
                          answers={}, definition_versions={})
        db.session.add(link)
        db.session.flush()
        inv = Invitation(clinic_id=account.clinic_id, patient_id=patient_id, episode_id=episode_id,
                         assessment_id=link.id, token_hash="0" * 64, instruments=["intake-context"],
                         created_by_id=account.id, expires_at=utcnow() + dt.timedelta(days=1))
        db.session.add(inv)
        db.session.add(SignedDocument(clinic_id=account.clinic_id, patient_id=patient_id, assessment_id=a.id,
                                      version=1, kind="clinician", report_id="PHT-TEST-V1", sha256="0" * 64, size=3,
                                      pdf=b"%PD", template_version="tpl-test", rulebook_version="rules-test",
                                      data={}, signed_at=utcnow(), signed_by_id=account.id))
        alert = Alert(clinic_id=account.clinic_id, assessment_id=link.id, patient_id=patient_id, tier="T4",
                      rule_ids=["B4"], source="patient_link", send_count=0)
        db.session.add(alert)
        job = Job(kind="bulk_reports", clinic_id=account.clinic_id, created_by_id=account.id, status="done",
                  params={"from": "2026-01-01", "to": "2026-01-31", "kinds": ["clinician"]}, backend="eager")
        db.session.add(job)
        db.session.commit()
        return {"assessment_id": a.id, "invitation_id": inv.id, "step": 0, "version": 1, "job_id": job.id,
                "alert_id": alert.id}
