"""Multi-step writes, each in one transaction (the caller commits once at the end of the request).

Views stay thin: they validate input, call one operation, commit, and redirect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import update

import assessments

from . import audit
from . import catalogue as defs
from .db import db, utcnow
from .models import Assessment, AssessmentRevision, Episode, Invitation, User

TOKEN_BYTES = 32  # 256-bit invitation tokens


class OperationError(Exception):
    """The operation is not allowed in the object's current state (maps to 409/410)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- results

def intake_of(instruments: list[str], answers: dict[str, Any]) -> dict[str, Any]:
    """The stored answers as the engine's intake (``{"context": ..., "answers": ...}``)."""
    return {"context": dict(answers.get(defs.CONTEXT) or {}),
            "answers": {i: dict(answers[i]) for i in instruments if i != defs.CONTEXT and i in answers}}


def compute_result(instruments: list[str], answers: dict[str, Any]) -> dict[str, Any]:
    """Score every answered instrument and triage the whole intake (pure engine calls).  The stored
    JSON is exactly ``TriageResult.to_dict()`` (schema :data:`assessments.result.SCHEMA_VERSION`)."""
    return assessments.triage(intake_of(instruments, answers), defs.engine_config()).to_dict()


def refresh_result(assessment: Assessment) -> None:
    result = compute_result(list(assessment.instruments), dict(assessment.answers or {}))
    assessment.result = result
    assessment.overall_tier = result["tier"]
    assessment.red_flag_count = len({r["id"] for r in result["rules"] if r["red_flag"]})


# --------------------------------------------------------------------------- clinician assessments

def start_assessment(episode: Episode, clinician: User, instruments: list[str],
                     performed_on: dt.date | None = None) -> Assessment:
    if not episode.is_open:
        raise OperationError("This episode of care is closed; reopen it to add an assessment.")
    chosen = defs.order([defs.CONTEXT, *instruments])
    assessment = Assessment(clinic_id=episode.clinic_id, patient_id=episode.patient_id, episode_id=episode.id,
                            source="clinic", status="draft", performed_on=performed_on or dt.date.today(),
                            clinician_id=clinician.id, instruments=chosen, answers={},
                            definition_versions={i: defs.get(i).version for i in chosen})
    refresh_result(assessment)  # every assessment has a stored result from the start (none is computed later)
    db.session.add(assessment)
    db.session.flush()
    audit.record("assessment.create", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"instruments": chosen})
    return assessment


def save_answers(assessment: Assessment, instrument_id: str, clean: dict[str, Any], *,
                 step: int | None = None, actor: str | None = None) -> None:
    """Store one instrument's validated answers with the definition version they were given against."""
    if assessment.is_locked:
        raise OperationError("This assessment is signed. Amend it to change answers.")
    answers = dict(assessment.answers or {})
    answers[instrument_id] = clean
    assessment.answers = answers
    versions = dict(assessment.definition_versions or {})
    versions[instrument_id] = defs.get(instrument_id).version
    assessment.definition_versions = versions
    if step is not None:
        assessment.current_step = max(assessment.current_step or 0, step)
    assessment.updated_at = utcnow()
    if assessment.source == "clinic" or assessment.status != "draft":
        refresh_result(assessment)
    audit.record("assessment.answers_saved", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, actor=actor,
                 clinic_id=assessment.clinic_id if actor else None, detail={"instrument": instrument_id})


def sign(assessment: Assessment, user: User, notes: str | None) -> None:
    if assessment.is_locked:
        raise OperationError("This assessment is already signed.")
    assessment.clinician_notes = notes
    refresh_result(assessment)
    assessment.status = "signed"
    assessment.signed_at = utcnow()
    assessment.signed_by_id = user.id
    if assessment.reviewed_at is None:
        assessment.reviewed_at = assessment.signed_at
    audit.record("assessment.sign", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"version": assessment.version,
                                                           "tier": assessment.overall_tier})


def amend(assessment: Assessment, user: User, reason: str) -> AssessmentRevision:
    """Keep the signed version, then reopen the assessment for changes as the next version."""
    if not assessment.is_locked:
        raise OperationError("Only a signed assessment is amended; this one can be edited directly.")
    revision = AssessmentRevision(
        assessment_id=assessment.id, version=assessment.version, answers=dict(assessment.answers or {}),
        definition_versions=dict(assessment.definition_versions or {}), result=assessment.result,
        clinician_notes=assessment.clinician_notes, signed_at=assessment.signed_at,
        signed_by_id=assessment.signed_by_id, amended_by_id=user.id, reason=reason)
    db.session.add(revision)
    assessment.version += 1
    assessment.status = "submitted"
    assessment.signed_at = None
    assessment.signed_by_id = None
    audit.record("assessment.amend", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"from_version": revision.version})
    return revision


# --------------------------------------------------------------------------- patient invitations

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(episode: Episode, user: User, instruments: list[str], days: int) -> tuple[Invitation, str]:
    """A draft patient-link assessment plus its invitation; returns the raw token (never stored)."""
    if not episode.is_open:
        raise OperationError("This episode of care is closed; reopen it to send a link.")
    chosen = defs.order([defs.CONTEXT, *[i for i in instruments if defs.patient_answerable(i)]])
    assessment = Assessment(clinic_id=episode.clinic_id, patient_id=episode.patient_id, episode_id=episode.id,
                            source="patient_link", status="draft", performed_on=dt.date.today(),
                            clinician_id=user.id, instruments=chosen, answers={},
                            definition_versions={i: defs.get(i).version for i in chosen})
    refresh_result(assessment)
    db.session.add(assessment)
    db.session.flush()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(clinic_id=episode.clinic_id, patient_id=episode.patient_id, episode_id=episode.id,
                            assessment_id=assessment.id, token_hash=token_hash(token), instruments=chosen,
                            created_by_id=user.id, expires_at=utcnow() + dt.timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation.create", object_type="invitation", object_id=invitation.id,
                 patient_id=episode.patient_id, detail={"days": days, "instruments": chosen})
    return invitation, token


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.submitted_at is not None:
        raise OperationError("The patient has already submitted this questionnaire.")
    invitation.revoked_at = invitation.revoked_at or utcnow()
    audit.record("invitation.revoke", object_type="invitation", object_id=invitation.id,
                 patient_id=invitation.patient_id)


def submit_intake(invitation_id: str) -> bool:
    """Mark the invitation submitted exactly once (conditional UPDATE), then finalise its assessment.

    Returns False when another request got there first or the link is no longer live; the
    caller then answers 410 and nothing else is written.
    """
    now = utcnow()
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.submitted_at.is_(None),
               Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .values(submitted_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    invitation = db.session.get(Invitation, invitation_id)
    assessment = db.session.get(Assessment, invitation.assessment_id)
    db.session.refresh(invitation)
    assessment.status = "submitted"
    assessment.submitted_at = now
    assessment.performed_on = now.date()
    refresh_result(assessment)
    audit.record("intake.submit", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, clinic_id=assessment.clinic_id, actor="patient_link",
                 detail={"invitation": invitation.id, "tier": assessment.overall_tier})
    return True
