"""Erasure requests and the retention period (UK GDPR Art. 17(3)(c) and the records code).

A request to erase a patient's data is honoured in one of two ways:

* she has **clinical records** (a submitted or signed assessment, a submitted patient link, a
  signed document): health records must be kept for the retention period, so the record is
  **restricted** instead: hidden from the patient list, search, the dashboard and the bulk
  exports, frozen against every change (no edits, assessments, links), and shown to
  administrators only, on *Restricted records*, with the reason and the date;
* she has **nothing clinical** (only unused or expired links, drafts, an empty episode): every row
  about her is deleted.

:func:`purge_retention` deletes every patient whose last clinical activity is older than
``RETENTION_YEARS`` (restricted or not), with everything about her, and leaves one audit event per
patient that holds ids and counts only (the audit trail itself is append-only and never names a
patient).  It runs from ``phat purge-retention`` and as the nightly ``purge_retention`` job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select

from . import audit
from .db import db, utcnow
from .errors import OperationError
from .models import (
    Alert,
    AlertDelivery,
    Assessment,
    AssessmentRevision,
    Episode,
    Invitation,
    Job,
    JobFile,
    OutboxMessage,
    Patient,
    PatientNamePart,
    SignedDocument,
    User,
)

RESTRICTED_MESSAGE = ("This patient's record is restricted: she asked for her data to be erased, and the "
                      "clinical record is kept, unchanged, only for the retention period. It cannot be "
                      "changed, and no new assessments or patient links can be made.")
RESTRICTED_READ_MESSAGE = ("This patient's record is restricted (erasure requested). Only a clinic "
                           "administrator can open it.")


def has_clinical_record(patient_id: str) -> bool:
    """Anything the retention rules make us keep: a submitted or signed assessment, a submitted
    patient link, or an archived signed document."""
    if db.session.scalar(select(Assessment.id).where(Assessment.patient_id == patient_id,
                                                     Assessment.status.in_(("submitted", "signed"))).limit(1)):
        return True
    if db.session.scalar(select(Invitation.id).where(Invitation.patient_id == patient_id,
                                                     Invitation.submitted_at.is_not(None)).limit(1)):
        return True
    return db.session.scalar(select(SignedDocument.id).where(SignedDocument.patient_id == patient_id)
                             .limit(1)) is not None


@dataclass
class ErasePlan:
    """What erasing would do, for the confirm page (counts only)."""

    restrict: bool
    episodes: int
    assessments: int
    clinical: int
    invitations: int


def plan(patient: Patient) -> ErasePlan:
    count = db.session.scalar
    return ErasePlan(
        restrict=has_clinical_record(patient.id),
        episodes=count(select(func.count(Episode.id)).where(Episode.patient_id == patient.id)) or 0,
        assessments=count(select(func.count(Assessment.id)).where(Assessment.patient_id == patient.id)) or 0,
        clinical=count(select(func.count(Assessment.id)).where(
            Assessment.patient_id == patient.id, Assessment.status.in_(("submitted", "signed")))) or 0,
        invitations=count(select(func.count(Invitation.id)).where(Invitation.patient_id == patient.id)) or 0)


def erase(patient: Patient, reason: str, *, by: User) -> str:
    """Honour an erasure request: ``"restricted"`` or ``"deleted"`` (see the module docstring).
    Audited (ids and counts only); the caller commits."""
    reason = (reason or "").strip()
    if not reason:
        raise OperationError("Say why the record is being erased (for example, the patient's request and its date).",
                             422)
    if patient.restricted_at is not None:
        raise OperationError("This record is already restricted.")
    facts = plan(patient)
    if facts.restrict:
        now = utcnow()
        patient.restricted_at = now
        patient.restriction_reason = reason[:500]
        # Out of name search: the searchable name parts go (the list and date-of-birth search
        # filter on restricted_at).
        db.session.execute(delete(PatientNamePart).where(PatientNamePart.patient_id == patient.id))
        db.session.expire(patient, ["name_parts"])
        # No live link may be used any more.
        for inv in db.session.scalars(select(Invitation).where(Invitation.patient_id == patient.id,
                                                              Invitation.submitted_at.is_(None),
                                                              Invitation.revoked_at.is_(None))):
            inv.revoked_at = now
        db.session.flush()
        audit.record("patient.restricted", object_type="patient", object_id=patient.id, patient_id=patient.id,
                     clinic_id=patient.clinic_id, user_id=by.id,
                     detail={"assessments": facts.assessments, "clinical": facts.clinical})
        return "restricted"
    patient_id, clinic_id = patient.id, patient.clinic_id
    counts = delete_patient(patient)
    audit.record("patient.erased", object_type="patient", object_id=patient_id, patient_id=patient_id,
                 clinic_id=clinic_id, user_id=by.id, detail=counts)
    return "deleted"


def delete_patient(patient: Patient) -> dict[str, int]:
    """Delete the patient and every row about her (not the audit trail, which holds ids only).
    Returns the number of rows deleted per kind."""
    pid, clinic_id, email = patient.id, patient.clinic_id, (patient.email or "").strip().lower()
    assessment_ids = select(Assessment.id).where(Assessment.patient_id == pid).scalar_subquery()
    alert_ids = select(Alert.id).where(Alert.patient_id == pid).scalar_subquery()
    counts: dict[str, int] = {}

    def gone(kind: str, stmt) -> None:
        counts[kind] = db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0

    # Jobs that hold her data: her own copy (the zip) and emails to her address.
    job_ids = []
    for job in db.session.scalars(select(Job).where(Job.clinic_id == clinic_id,
                                                    Job.kind.in_(("patient_export", "email")))):
        params = job.params or {}
        if params.get("patient_id") == pid or (email and str(params.get("to", "")).strip().lower() == email):
            job_ids.append(job.id)
    if job_ids:
        db.session.execute(delete(JobFile).where(JobFile.job_id.in_(job_ids)))
        gone("jobs", delete(Job).where(Job.id.in_(job_ids)))
    if email:
        gone("outbox_messages", delete(OutboxMessage).where(OutboxMessage.clinic_id == clinic_id,
                                                            func.lower(OutboxMessage.to_address) == email))
    db.session.execute(delete(AlertDelivery).where(AlertDelivery.alert_id.in_(alert_ids)))
    gone("alerts", delete(Alert).where(Alert.patient_id == pid))
    gone("signed_documents", delete(SignedDocument).where(SignedDocument.patient_id == pid))
    gone("invitations", delete(Invitation).where(Invitation.patient_id == pid))
    db.session.execute(delete(AssessmentRevision).where(AssessmentRevision.assessment_id.in_(assessment_ids)))
    gone("assessments", delete(Assessment).where(Assessment.patient_id == pid))
    gone("episodes", delete(Episode).where(Episode.patient_id == pid))
    db.session.execute(delete(PatientNamePart).where(PatientNamePart.patient_id == pid))
    db.session.expunge(patient)
    gone("patients", delete(Patient).where(Patient.id == pid))
    return {k: v for k, v in counts.items() if v}


# --------------------------------------------------------------------------- retention

def retention_years() -> int:
    return int(current_app.config["RETENTION_YEARS"])


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Records whose last clinical activity is before this are past retention."""
    now = now or utcnow()
    years = retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def last_activity(patient_id: str, created_at: dt.datetime) -> dt.datetime:
    """The last clinical contact: the patient's registration, an episode opened or closed, an
    assessment performed, submitted, signed or changed, a link sent or submitted."""
    def as_dt(value):
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value
        return dt.datetime.combine(value, dt.time(), dt.UTC)

    s = db.session.scalar
    candidates = [
        created_at,
        s(select(func.max(Episode.opened_on)).where(Episode.patient_id == patient_id)),
        s(select(func.max(Episode.closed_on)).where(Episode.patient_id == patient_id)),
        s(select(func.max(Assessment.performed_on)).where(Assessment.patient_id == patient_id)),
        s(select(func.max(Assessment.updated_at)).where(Assessment.patient_id == patient_id)),
        s(select(func.max(Assessment.signed_at)).where(Assessment.patient_id == patient_id)),
        s(select(func.max(Invitation.created_at)).where(Invitation.patient_id == patient_id)),
        s(select(func.max(Invitation.submitted_at)).where(Invitation.patient_id == patient_id)),
    ]
    out = created_at
    for value in map(as_dt, candidates):
        if value is not None:
            if value.tzinfo is None:  # func.max over a TypeDecorator column comes back naive on SQLite
                value = value.replace(tzinfo=dt.UTC)
            out = max(out, value)
    return out


def retained_until(patient: Patient) -> dt.date:
    last = last_activity(patient.id, patient.created_at)
    years = retention_years()
    try:
        return last.date().replace(year=last.year + years)
    except ValueError:
        return last.date().replace(year=last.year + years, day=28)


def purge_retention(now: dt.datetime | None = None, *, dry_run: bool = False, actor: str = "system",
                    user_id: int | None = None) -> dict[str, int]:
    """Delete every patient (restricted or not) whose last clinical activity is older than the
    retention period; one tombstone audit event each (ids and counts, no patient data).
    Commits after each patient.  Returns ``{"patients": n, "checked": m}``."""
    cutoff = retention_cutoff(now)
    purged = checked = 0
    last_id = ""
    while True:
        batch = db.session.execute(
            select(Patient.id, Patient.created_at).where(Patient.created_at < cutoff, Patient.id > last_id)
            .order_by(Patient.id).limit(500)).all()
        if not batch:
            break
        last_id = batch[-1].id
        for pid, created_at in batch:
            checked += 1
            if last_activity(pid, created_at) >= cutoff:
                continue
            purged += 1
            if dry_run:
                continue
            patient = db.session.get(Patient, pid)
            restricted, clinic_id = patient.restricted_at is not None, patient.clinic_id
            counts = delete_patient(patient)
            audit.record("patient.retention_purged", object_type="patient", object_id=pid, patient_id=pid,
                         clinic_id=clinic_id, actor=actor, user_id=user_id,
                         detail={"retention_years": retention_years(), "restricted": restricted, **counts})
            db.session.commit()
    db.session.commit()
    return {"patients": purged, "checked": checked}


def not_restricted(patient_id_column):
    """A WHERE clause keeping rows whose patient is not restricted (exports, lists)."""
    return patient_id_column.not_in(select(Patient.id).where(Patient.restricted_at.is_not(None)))
