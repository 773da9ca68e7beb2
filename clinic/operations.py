"""Multi-step writes, each in one transaction (the caller commits once at the end of the request).

Views stay thin: they validate input, call one operation, commit, and redirect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

import assessments
from assessments.model import AnswerError, clean_answers

from . import alerts, audit, intake_forms
from . import catalogue as defs
from .db import db, utcnow
from .errors import OperationError
from .models import Assessment, AssessmentRevision, Episode, Invitation, Patient, User

TOKEN_BYTES = 32  # 256-bit invitation tokens


class Incomplete(OperationError):
    """Something that must be answered first is missing; ``step`` is the instrument's index."""

    def __init__(self, message: str, step: int):
        super().__init__(message, status=422)
        self.step = step


CONTEXT_MISSING = "Complete 'About the patient' before signing: many rules depend on it."


def require_context(assessment: Assessment, message: str = CONTEXT_MISSING) -> None:
    """"About the patient" must be answered before an assessment is signed."""
    if defs.CONTEXT in assessment.instruments and not (assessment.answers or {}).get(defs.CONTEXT):
        raise Incomplete(message, assessment.instruments.index(defs.CONTEXT))


# The context intake never asks the age: it comes from the date of birth and the assessment date
# (clinical policy section 2), so completeness never waits for it.
DERIVED = {defs.CONTEXT: frozenset({"age"})}

INTAKE_INCOMPLETE = ("Please answer the questions on this page before you send your answers: "
                     "the ones that still need an answer are marked.")


def missing_answers(assessment: Assessment, index: int, respondent: str | None) -> dict[str, str]:
    """The questions of step ``index`` this respondent must still answer ({item id: message}):
    required, shown to them, enabled by the answers given, and not answered (a "rather discuss it
    in person" counts as an answer).  An instrument never saved misses all of them."""
    iid = assessment.instruments[index]
    inst = defs.get(iid)
    visible = {it.id for it in intake_forms.visible_items(inst, respondent)} - DERIVED.get(iid, frozenset())
    try:
        clean_answers(inst, (assessment.answers or {}).get(iid) or {}, require_complete=True, respondent=respondent)
    except AnswerError as exc:
        return {k: v for k, v in exc.errors.items() if k in visible}
    return {}


def first_incomplete(assessment: Assessment, respondent: str | None) -> int | None:
    """The index of the first step not saved, or saved with required questions unanswered."""
    answers = assessment.answers or {}
    for index, iid in enumerate(assessment.instruments):
        if iid not in answers or missing_answers(assessment, index, respondent):
            return index
    return None


# --------------------------------------------------------------------------- results

def intake_of(instruments: list[str], answers: dict[str, Any]) -> dict[str, Any]:
    """The stored answers as the engine's intake (``{"context": ..., "answers": ...}``)."""
    return {"context": dict(answers.get(defs.CONTEXT) or {}),
            "answers": {i: dict(answers[i]) for i in instruments if i != defs.CONTEXT and i in answers}}


def compute_result(instruments: list[str], answers: dict[str, Any], clinic_id: int | None = None) -> dict[str, Any]:
    """Score every answered instrument and triage the whole intake (pure engine calls), with the
    clinic's own engine settings (clinic.settings) on top of the app's ASSESSMENT_CONFIG.  The stored
    JSON is exactly ``TriageResult.to_dict()`` (schema :data:`assessments.result.SCHEMA_VERSION`)."""
    from .settings import engine_config_for

    config = engine_config_for(clinic_id) if clinic_id is not None else defs.engine_config()
    return assessments.triage(intake_of(instruments, answers), config).to_dict()


def refresh_result(assessment: Assessment, result: dict[str, Any] | None = None) -> None:
    """Store a fresh result (or ``result``, computed from the same answers a moment ago)."""
    if result is None:
        result = compute_result(list(assessment.instruments), dict(assessment.answers or {}), assessment.clinic_id)
    assessment.result = result
    assessment.overall_tier = result["tier"]
    assessment.red_flag_count = len({r["id"] for r in result["rules"] if r["red_flag"]})


# --------------------------------------------------------------------------- clinician assessments

def _with_instruments(assessment: Assessment, instruments: list[str]) -> list[str]:
    """Add instruments (in catalogue order, "About the patient" first) with the definition version
    they are given against; returns the ones that were new."""
    before = list(assessment.instruments or [])
    chosen = defs.order([defs.CONTEXT, *before, *instruments])
    versions = dict(assessment.definition_versions or {})
    for iid in chosen:
        versions.setdefault(iid, defs.get(iid).version)
    assessment.instruments = chosen
    assessment.definition_versions = versions
    return [i for i in chosen if i not in before]


def start_assessment(episode: Episode, clinician: User, instruments: list[str],
                     performed_on: dt.date | None = None) -> Assessment:
    if not episode.is_open:
        raise OperationError("This episode of care is closed; reopen it to add an assessment.")
    assessment = Assessment(clinic_id=episode.clinic_id, patient_id=episode.patient_id, episode_id=episode.id,
                            source="clinic", status="draft", performed_on=performed_on or dt.date.today(),
                            clinician_id=clinician.id, instruments=[], answers={}, definition_versions={})
    _with_instruments(assessment, instruments)
    refresh_result(assessment)  # every assessment has a stored result from the start (none is computed later)
    db.session.add(assessment)
    db.session.flush()
    audit.record("assessment.create", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"instruments": list(assessment.instruments)})
    return assessment


def add_instruments(assessment: Assessment, instruments: list[str]) -> list[str]:
    """Carry an intake into the appointment: more questionnaires or exam findings (same rules as
    :func:`start_assessment`).  Returns the instruments that were added."""
    if assessment.is_locked:
        raise OperationError("This assessment is signed. Amend it first.")
    replaced = assessment.row_version
    added = _with_instruments(assessment, instruments)
    if added:
        assessment.updated_at = utcnow()
    audit.record("assessment.add_instruments", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"instruments": added, "rv": replaced})
    return added


def save_answers(assessment: Assessment, instrument_id: str, clean: dict[str, Any], *,
                 step: int | None = None, actor: str | None = None) -> None:
    """Store one instrument's validated answers with the definition version they were given against."""
    if assessment.is_locked:
        raise OperationError("This assessment is signed. Amend it to change answers.")
    replaced = assessment.row_version
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
        alerts.raise_for(assessment)
    audit.record("assessment.answers_saved", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, actor=actor,
                 clinic_id=assessment.clinic_id if actor else None,
                 detail={"instrument": instrument_id, "rv": replaced})


def sign(assessment: Assessment, user: User, notes: str | None, reviewed_version: int | None = None, *,
         signed_at: dt.datetime | None = None, result: dict[str, Any] | None = None) -> None:
    """Sign and lock.  ``reviewed_version`` is the row version the clinician reviewed; the caller
    refuses the write when it is not the stored one (clinic.concurrency), and the audit keeps it.
    ``signed_at`` and ``result`` repeat a signing staged earlier (see clinic.signing), so the
    stored record is exactly what the archived documents were made from."""
    if assessment.is_locked:
        raise OperationError("This assessment is already signed.")
    require_context(assessment)
    replaced = assessment.row_version
    assessment.clinician_notes = notes
    refresh_result(assessment, result)
    assessment.status = "signed"
    assessment.signed_at = signed_at or utcnow()
    assessment.signed_by_id = user.id
    assessment.signed_by = user
    if assessment.reviewed_at is None:
        assessment.reviewed_at = assessment.signed_at
    audit.record("assessment.sign", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id,
                 detail={"version": assessment.version, "tier": assessment.overall_tier, "rv": replaced,
                         "reviewed": reviewed_version if reviewed_version is not None else replaced})


def amend(assessment: Assessment, user: User, reason: str) -> AssessmentRevision:
    """Keep the signed version, then reopen the assessment for changes as the next version."""
    if not assessment.is_locked:
        raise OperationError("Only a signed assessment is amended; this one can be edited directly.")
    replaced = assessment.row_version
    revision = AssessmentRevision(
        assessment_id=assessment.id, version=assessment.version, answers=dict(assessment.answers or {}),
        definition_versions=dict(assessment.definition_versions or {}), result=assessment.result,
        clinician_notes=assessment.clinician_notes, signed_at=assessment.signed_at,
        signed_by_id=assessment.signed_by_id, amended_by_id=user.id, reason=reason)
    assessment.version += 1
    assessment.status = "submitted"
    assessment.signed_at = None
    assessment.signed_by_id = None
    # The versioned UPDATE goes first: a concurrent amendment fails here (StaleDataError), before
    # its revision row could collide with ours.
    db.session.flush()
    db.session.add(revision)
    audit.record("assessment.amend", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"from_version": revision.version, "rv": replaced})
    return revision


# --------------------------------------------------------------------------- patient invitations

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(episode: Episode, user: User, instruments: list[str], days: int) -> tuple[Invitation, str]:
    """A draft patient-link assessment plus its invitation; returns the raw token (never stored)."""
    if not episode.is_open:
        raise OperationError("This episode of care is closed; reopen it to send a link.")
    revoke_live_invitations(episode.id)
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

    The assessment row is locked first (SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions
    begin IMMEDIATE), so a step save racing the submission either lands before it (and is in the
    result) or is refused as stale after it: the stored result always matches the stored answers.
    Raises :class:`Incomplete` (with the first such step) when a step is not saved or a required
    question is unanswered: the patient's answers are checked while the row is locked.  Returns False when another
    request got there first or the link is no longer live; the caller then answers 410 and
    nothing else is written.
    """
    now = utcnow()
    assessment_id = db.session.scalar(select(Invitation.assessment_id).where(Invitation.id == invitation_id))
    if assessment_id is None:
        return False
    assessment = db.session.scalar(select(Assessment).where(Assessment.id == assessment_id)
                                   .with_for_update().execution_options(populate_existing=True))
    incomplete = first_incomplete(assessment, "patient")
    if incomplete is not None:
        raise Incomplete(INTAKE_INCOMPLETE, incomplete)
    replaced = assessment.row_version
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
    db.session.refresh(invitation)
    assessment.status = "submitted"
    assessment.submitted_at = now
    assessment.performed_on = now.date()
    refresh_result(assessment)
    alerts.raise_for(assessment)  # same transaction: a stored T3+ submission always has its alert
    audit.record("intake.submit", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, clinic_id=assessment.clinic_id, actor="patient_link",
                 detail={"invitation": invitation.id, "tier": assessment.overall_tier, "rv": replaced})
    return True


# --------------------------------------------------------------------------- the patient's date-of-birth check

def parse_dob(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except (TypeError, ValueError, OverflowError):  # "99999999999999999999" overflows date()
        return None


def check_dob(invitation: Invitation, dob: dt.date | None, *, max_attempts: int, lock_minutes: int,
              max_locks: int) -> str | None:
    """Verify the date of birth typed on a patient link, with lockout.  Returns the message for the
    patient, or None when verified.

    Every check first reserves an attempt with one conditional UPDATE (only while the link is not
    locked and attempts remain), so parallel requests can never test more than ``max_attempts``
    dates per lock cycle.  The last attempt of a cycle locks the link for ``lock_minutes``; after
    ``max_locks`` cycles the link is revoked and the clinic's audit trail says why."""
    from sqlalchemy import or_, update

    now = utcnow()
    if dob is None:
        return "Enter your date of birth as numbers, for example 14 3 1990."
    reserved = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.failed_attempts < max_attempts,
                                 or_(Invitation.locked_until.is_(None), Invitation.locked_until <= now))
        .values(failed_attempts=Invitation.failed_attempts + 1)
        .returning(Invitation.failed_attempts).execution_options(synchronize_session=False)).scalar()
    if reserved is None:
        db.session.refresh(invitation)
        wait = (invitation.locked_until or now) - now
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        return f"Too many tries. For your security, please wait {minutes} minutes and try again."
    if dob == invitation.patient.date_of_birth:
        db.session.execute(update(Invitation).where(Invitation.id == invitation.id)
                           .values(failed_attempts=0, verified_at=now, opened_at=invitation.opened_at or now)
                           .execution_options(synchronize_session=False))
        db.session.refresh(invitation)
        return None
    who = {"object_type": "invitation", "object_id": invitation.id, "patient_id": invitation.patient_id,
           "clinic_id": invitation.clinic_id, "actor": "patient_link"}
    if reserved >= max_attempts:
        locks = db.session.execute(
            update(Invitation).where(Invitation.id == invitation.id, Invitation.failed_attempts == reserved)
            .values(failed_attempts=0, locked_until=now + dt.timedelta(minutes=lock_minutes),
                    lock_count=Invitation.lock_count + 1)
            .returning(Invitation.lock_count).execution_options(synchronize_session=False)).scalar()
        if locks is not None and locks >= max_locks:
            db.session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                        Invitation.revoked_at.is_(None))
                               .values(revoked_at=now).execution_options(synchronize_session=False))
            audit.record("intake.revoked_after_lockouts", detail={"locks": locks}, **who)
            db.session.refresh(invitation)
            return ("That date of birth does not match our records. For your security this link no longer "
                    "works: please contact your clinic for a new one.")
        audit.record("intake.lockout", detail={"locks": locks}, **who)
        db.session.refresh(invitation)
        return (f"That date of birth does not match our records. For your security, the link is paused for "
                f"{lock_minutes} minutes.")
    audit.record("intake.dob_failed", **who)
    return "That date of birth does not match our records. Check it and try again."


# --------------------------------------------------------------------------- patients and episodes

class Invalid(OperationError):
    """A value breaks a rule of the business; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message, status=422)
        self.field = field


@dataclass
class PatientDetails:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    email: str | None = None
    phone: str | None = None
    identifier: str | None = None


def _apply_patient(patient: Patient, details: PatientDetails) -> None:
    patient.set_name(details.given_name, details.family_name)
    patient.date_of_birth = details.date_of_birth
    patient.sex = details.sex
    patient.email = details.email or None
    patient.phone = details.phone or None
    patient.identifier = details.identifier or None


def create_patient(clinic_id: int, details: PatientDetails) -> Patient:
    patient = Patient(clinic_id=clinic_id)
    _apply_patient(patient, details)
    db.session.add(patient)
    db.session.flush()
    audit.record("patient.create", object_type="patient", object_id=patient.id, patient_id=patient.id)
    return patient


def update_patient(patient: Patient, details: PatientDetails) -> None:
    replaced = patient.row_version
    _apply_patient(patient, details)
    patient.updated_at = utcnow()
    audit.record("patient.update", object_type="patient", object_id=patient.id, patient_id=patient.id,
                 detail={"rv": replaced})


def open_episode(patient: Patient, user: User, *, title: str | None, complaints: list[str],
                 opened_on: dt.date) -> Episode:
    if opened_on < patient.date_of_birth:
        raise Invalid("opened_on", "An episode cannot open before the patient's date of birth.")
    episode = Episode(clinic_id=patient.clinic_id, patient_id=patient.id, title=title or None,
                      complaints=list(complaints), opened_on=opened_on, created_by_id=user.id)
    db.session.add(episode)
    db.session.flush()
    audit.record("episode.create", object_type="episode", object_id=episode.id, patient_id=patient.id)
    return episode


def close_episode(episode: Episode, closed_on: dt.date) -> None:
    if not episode.is_open:
        raise OperationError("This episode of care is already closed.")
    if closed_on < episode.opened_on:
        raise Invalid("closed_on", "The closing date cannot be before the episode opened.")
    replaced = episode.row_version
    episode.closed_on = closed_on
    audit.record("episode.close", object_type="episode", object_id=episode.id, patient_id=episode.patient_id,
                 detail={"rv": replaced})


def reopen_episode(episode: Episode) -> None:
    replaced = episode.row_version
    episode.closed_on = None
    audit.record("episode.reopen", object_type="episode", object_id=episode.id, patient_id=episode.patient_id,
                 detail={"rv": replaced})


# --------------------------------------------------------------------------- users (clinic administrators)

def create_user(clinic_id: int, *, name: str, email: str, job_title: str | None, role: str,
                password: str) -> User:
    """A new account with a temporary password the person must change at first sign-in."""
    from .security import hash_password, password_problem

    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Invalid("email", "Someone already uses this email address.")
    if problem := password_problem(password, email=email, name=name):
        raise Invalid("password", problem)
    user = User(clinic_id=clinic_id, name=name, email=email, job_title=job_title or None, role=role,
                password_hash=hash_password(password), must_change_password=True)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", object_type="user", object_id=user.id, detail={"role": user.role})
    return user


def set_user_active(user: User, active: bool, *, by: User) -> None:
    """Deactivating ends every open session of the account at once."""
    from .security import end_all_sessions

    if not active and user.id == by.id:
        raise OperationError("You cannot deactivate your own account.")
    user.active = active
    if not active:
        end_all_sessions(user.id)
    audit.record("user.activate" if active else "user.deactivate", object_type="user", object_id=user.id)


def reset_password(user: User, password: str) -> None:
    """A temporary password for someone who forgot theirs; their sessions end."""
    from .security import end_all_sessions, hash_password, password_problem

    if problem := password_problem(password, email=user.email, name=user.name):
        raise Invalid("password", problem)
    from . import throttle

    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_all_sessions(user.id)
    throttle.succeeded(user.email)  # a reset lifts a guessing delay on the account
    audit.record("user.password_reset", object_type="user", object_id=user.id)


# --------------------------------------------------------------------------- clinic settings (issue 12)

def update_clinic_settings(clinic, *, name: str, address: str | None, phone: str | None, email: str | None,
                           alert_email: str | None, postnatal_window_months: int | None,
                           logo: tuple[bytes, str] | None = None, remove_logo: bool = False) -> None:
    """Store a clinic's settings (an administrator's form); ``logo`` is checked image bytes and MIME."""
    replaced = clinic.row_version
    clinic.name = name
    clinic.address = address or None
    clinic.phone = phone or None
    clinic.email = email or None
    clinic.alert_email = alert_email or None
    clinic.postnatal_window_months = postnatal_window_months
    if remove_logo:
        clinic.logo, clinic.logo_mime = None, None
    elif logo is not None:
        clinic.logo, clinic.logo_mime = logo
    audit.record("clinic.settings_update", object_type="clinic", object_id=clinic.id,
                 detail={"rv": replaced, "logo": "removed" if remove_logo else "new" if logo else "kept"})


def revoke_live_invitations(episode_id: str) -> int:
    """A new link for an episode replaces its older live ones (issue 13): only the newest works."""
    from sqlalchemy import select

    now = utcnow()
    live = db.session.scalars(select(Invitation).where(
        Invitation.episode_id == episode_id, Invitation.submitted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > now)).all()
    for invitation in live:
        invitation.revoked_at = now
        audit.record("invitation.revoke", object_type="invitation", object_id=invitation.id,
                     patient_id=invitation.patient_id, detail={"reason": "replaced"})
    return len(live)
