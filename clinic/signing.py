"""Signing with a confirmation step, a fresh password when the sign-in is old, and the archive.

1. :func:`stage` applies the signature in memory only, builds the report data from it (trends
   included) and rolls back: nothing is stored and no lock is held while the PDFs render.
2. :func:`clinic.archive.render_isolated` renders both PDFs in a separate, capped process.
3. :func:`commit_signed` repeats the signature on a fresh read (refused as a conflict when the
   record changed since it was reviewed), stores the :class:`SignedDocument` rows and commits, all
   in one transaction: a render failure or a conflict leaves the assessment unsigned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from flask import current_app, session

import pdf

from . import archive
from .db import db, utcnow
from .models import Assessment, LoginSession, SignedDocument, User
from .operations import sign
from .reports import build_context


@dataclass
class Staged:
    signed_at: dt.datetime
    result: dict[str, Any]
    notes: str | None
    context: pdf.ReportContext
    data: dict[str, Any]


def stage(assessment: Assessment, user: User, notes: str | None, reviewed_version: int | None) -> Staged:
    """What the signed documents will show, computed without storing anything."""
    with db.session.no_autoflush:
        sign(assessment, user, notes, reviewed_version)
        context = build_context(assessment)
        staged = Staged(assessment.signed_at, assessment.result, notes, context, archive.context_data(context))
    db.session.rollback()
    return staged


def commit_signed(assessment: Assessment, user: User, staged: Staged, documents: dict[str, bytes],
                  reviewed_version: int | None) -> list[SignedDocument]:
    """Sign as staged and archive the rendered documents (the caller commits)."""
    sign(assessment, user, staged.notes, reviewed_version, signed_at=staged.signed_at, result=staged.result)
    rows = []
    for kind, data in documents.items():
        row = SignedDocument(clinic_id=assessment.clinic_id, patient_id=assessment.patient_id,
                             assessment_id=assessment.id, version=assessment.version, kind=kind,
                             report_id=staged.context.report_id, sha256=archive.sha256(data), size=len(data),
                             pdf=data, template_version=archive.template_version(),
                             rulebook_version=archive.rulebook_version(), data=staged.data,
                             supersedes_version=assessment.version - 1 if assessment.version > 1 else None,
                             signed_at=staged.signed_at, signed_by_id=user.id)
        db.session.add(row)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- fresh password

def _session_started() -> dt.datetime | None:
    raw = session.get("sid")
    if not raw:
        return None
    record = db.session.get(LoginSession, hashlib.sha256(raw.encode()).hexdigest())
    return record.created_at if record is not None else None


def needs_password() -> bool:
    """True when the sign-in (or the last password confirmation) is older than SIGN_REAUTH_MINUTES."""
    since = _session_started()
    confirmed = session.get("password_confirmed_at")
    if confirmed:
        when = dt.datetime.fromisoformat(confirmed)
        since = max(since, when) if since else when
    if since is None:
        return True
    return utcnow() - since > dt.timedelta(minutes=current_app.config["SIGN_REAUTH_MINUTES"])


def password_confirmed() -> None:
    session["password_confirmed_at"] = utcnow().isoformat()
    session.pop("sign_password_failures", None)


# --------------------------------------------------------------------------- assessments signed before the archive

def archive_missing(clinic_id: int | None = None) -> tuple[int, int]:
    """Archive every signed assessment whose signed version has no documents yet (signed before
    the archive existed, or loaded as demo data): rendered now from the stored record and marked
    ``archived_after_signing`` in the archived data.  Commits each one; returns (archived, failed)."""
    from sqlalchemy import exists, select

    stmt = select(Assessment.id).where(Assessment.status == "signed", ~exists().where(
        SignedDocument.assessment_id == Assessment.id, SignedDocument.version == Assessment.version))
    if clinic_id is not None:
        stmt = stmt.where(Assessment.clinic_id == clinic_id)
    done = failed = 0
    for assessment_id in list(db.session.scalars(stmt.order_by(Assessment.performed_on))):
        assessment = db.session.get(Assessment, assessment_id)
        context = build_context(assessment)
        data = {**archive.context_data(context), "archived_after_signing": utcnow().isoformat()}
        signer = assessment.signed_by_id or assessment.clinician_id
        db.session.rollback()
        try:
            documents = archive.render_isolated(context)
        except archive.RenderFailed:
            failed += 1
            continue
        assessment = db.session.get(Assessment, assessment_id)
        for kind, pdf_bytes in documents.items():
            db.session.add(SignedDocument(
                clinic_id=assessment.clinic_id, patient_id=assessment.patient_id, assessment_id=assessment.id,
                version=assessment.version, kind=kind, report_id=context.report_id, sha256=archive.sha256(pdf_bytes),
                size=len(pdf_bytes), pdf=pdf_bytes, template_version=archive.template_version(),
                rulebook_version=archive.rulebook_version(), data=data,
                supersedes_version=assessment.version - 1 if assessment.version > 1 else None,
                signed_at=assessment.signed_at or utcnow(), signed_by_id=signer))
        db.session.commit()
        done += 1
    return done, failed
