"""Data that leaves the toolkit: FHIR bundles, the research CSV and the per-patient export zip.

The mapping itself is pure (:mod:`assessments.fhir`, :mod:`assessments.redcap`); this module
gathers plain values from the database for it.  Callers audit and commit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import select

import assessments
from assessments import fhir
from assessments.result import migrate

from .db import db, utcnow
from .models import COMPLAINTS, Assessment, Patient

EXPORTABLE = ("submitted", "signed")


# --------------------------------------------------------------------------- signed documents

def signed_documents(assessment: Assessment) -> list[fhir.DocumentFacts]:
    """The signed PDFs of an assessment (clinician report and patient summary, every signed
    version) as plain values, read from the archive of signed documents with their stored SHA-256.

    An assessment signed before the archive existed (or loaded as demo data) has no archived
    bytes: its current signed version is rendered, exactly as its download is."""
    if assessment.status != "signed" and not assessment.signed_at:
        return []
    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    from .db import db
    from .models import SignedDocument
    from .reports import download_name

    rows = db.session.scalars(select(SignedDocument).options(undefer(SignedDocument.pdf)).where(
        SignedDocument.assessment_id == assessment.id).order_by(SignedDocument.version, SignedDocument.kind)).all()
    if rows:
        return [fhir.DocumentFacts(kind=row.kind, version=row.version, sha256=row.sha256, created_at=row.signed_at,
                                   data=row.pdf, file_name=f"{row.report_id.lower()}-{row.kind}.pdf")
                for row in rows]
    if assessment.status != "signed":
        return []
    import pdf

    from .reports import build_context

    context = build_context(assessment)
    out = []
    for kind in ("clinician", "patient"):
        data = pdf.render(context, kind)
        out.append(fhir.DocumentFacts(kind=kind, version=assessment.version, sha256=hashlib.sha256(data).hexdigest(),
                                      created_at=assessment.signed_at or utcnow(), data=data,
                                      file_name=download_name(assessment, kind)))
    return out


# --------------------------------------------------------------------------- FHIR

def exporter(*, embed_documents: bool = True) -> fhir.Exporter:
    return fhir.Exporter(base=current_app.config.get("FHIR_BASE") or fhir.DEFAULT_BASE,
                         embed_documents=embed_documents)


def patient_facts(patient: Patient) -> fhir.PatientFacts:
    return fhir.PatientFacts(id=patient.id, given_name=patient.given_name, family_name=patient.family_name,
                             birth_date=patient.date_of_birth, sex=patient.sex, identifier=patient.identifier,
                             identifier_system=current_app.config.get("PATIENT_IDENTIFIER_SYSTEM"))


def assessment_facts(assessment: Assessment, documents: Sequence[fhir.DocumentFacts] = ()) -> fhir.AssessmentFacts:
    result = assessment.result
    if result is None:
        from .operations import compute_result
        result = compute_result(list(assessment.instruments), dict(assessment.answers or {}))
    signer = assessment.signed_by or assessment.clinician
    return fhir.AssessmentFacts(
        id=assessment.id, version=assessment.version, status=assessment.status,
        amended=assessment.status == "signed" and assessment.version > 1,
        performed_on=assessment.performed_on, authored_at=assessment.submitted_at or assessment.updated_at,
        signed_at=assessment.signed_at, instruments=tuple(assessment.instruments or ()),
        answers=dict(assessment.answers or {}), definition_versions=dict(assessment.definition_versions or {}),
        result=result, complaints=tuple(assessment.episode.complaints or ()), documents=tuple(documents),
        performer_name=signer.name if signer else None)


def exportable_assessments(patient: Patient) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(
        Assessment.patient_id == patient.id, Assessment.clinic_id == patient.clinic_id,
        Assessment.status.in_(EXPORTABLE)).order_by(Assessment.performed_on, Assessment.created_at)))


def bundle(patient: Patient, chosen: Iterable[Assessment], *, embed_documents: bool = True,
           documents: dict[str, list[fhir.DocumentFacts]] | None = None) -> dict[str, Any]:
    """The FHIR Bundle of some of a patient's assessments.  ``documents`` (assessment id -> PDFs)
    saves rendering twice when the caller needs the PDFs too."""
    facts = []
    for a in chosen:
        docs = documents[a.id] if documents is not None and a.id in documents else signed_documents(a)
        facts.append(assessment_facts(a, docs))
    return exporter(embed_documents=embed_documents).bundle(patient_facts(patient), facts, assessments.load_all(),
                                                            timestamp=utcnow())


def bundle_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")


def fhir_file_name(kind: str, object_id: str) -> str:
    """Opaque: a digest of the record id, never a name."""
    return f"phat-{kind}-{hashlib.sha256(object_id.encode()).hexdigest()[:10]}.fhir.json"


# --------------------------------------------------------------------------- per-patient export

SAR_README = """\
Your health record from {clinic}
{underline}

This folder is a copy of what {clinic} holds about your pelvic health assessments, made on
{made_on} because you asked for it.

What is in it

* documents/ holds the signed reports as PDF files: for each visit, the report your
  physiotherapist wrote and the summary written for you. They open in any PDF reader.
* {bundle_name} holds the same assessments in FHIR, the format health record systems use
  to exchange information. Another clinic, your GP practice or a hospital can read it into their
  own system. You do not need to open it yourself; it is plain text if you want to.

It contains {count} assessment(s){dates}.

If something looks wrong, or you have questions about your record, contact {clinic}.
Keep this folder safe: it holds personal health information.
"""


def patient_zip(patient: Patient, clinic_name: str, chosen: Sequence[Assessment] | None = None,
                documents: dict[str, list[fhir.DocumentFacts]] | None = None) -> tuple[bytes, dict[str, int]]:
    """The subject-access export: README, FHIR Bundle (pointing at the PDFs) and the signed PDFs."""
    chosen = exportable_assessments(patient) if chosen is None else list(chosen)
    if documents is None:
        documents = {a.id: signed_documents(a) for a in chosen}
    data = bundle(patient, chosen, embed_documents=False, documents=documents)
    bundle_name = "health-record.fhir.json"
    dates = ""
    if chosen:
        first, last = chosen[0].performed_on, chosen[-1].performed_on
        dates = f", from {first:%d %B %Y}" + (f" to {last:%d %B %Y}" if last != first else "")
    readme = SAR_README.format(clinic=clinic_name, underline="=" * (len(clinic_name) + 25),
                               made_on=f"{utcnow():%d %B %Y}", bundle_name=bundle_name, count=len(chosen),
                               dates=dates)
    buffer = io.BytesIO()
    pdfs = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", readme)
        zf.writestr(bundle_name, bundle_json(data))
        for docs in documents.values():
            for doc in docs:
                zf.writestr(f"documents/{doc.file_name}", doc.data, compress_type=zipfile.ZIP_STORED)
                pdfs += 1
    return buffer.getvalue(), {"assessments": len(chosen), "documents": pdfs}


# --------------------------------------------------------------------------- research CSV

CSV_COLUMNS = ("patient_key", "assessment_key", "episode_key", "performed_on", "signed_on", "status", "version",
               "complaints", "instrument", "instrument_version", "total", "band", "subscales", "complete",
               "missing_items", "overall_tier", "red_flags")
IDENTIFIER_COLUMNS = ("patient_id", "identifier", "given_name", "family_name", "date_of_birth")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def pseudonym(kind: str, object_id: str) -> str:
    """A stable key that identifies nobody without the app's secret: HMAC-SHA256 of the id."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{kind}:{object_id}".encode(), hashlib.sha256).hexdigest()[:20]


def safe_cell(value: Any) -> Any:
    """Guard text against spreadsheet formula injection (a leading = + - @ or control character is
    neutralised with an apostrophe); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def signed_in_range(clinic_id: int | None, start: dt.date, end: dt.date) -> list[Assessment]:
    from .privacy import not_restricted

    stmt = (select(Assessment).where(Assessment.status == "signed", Assessment.performed_on >= start,
                                     Assessment.performed_on <= end, not_restricted(Assessment.patient_id))
            .order_by(Assessment.performed_on, Assessment.created_at))
    if clinic_id is not None:
        stmt = stmt.where(Assessment.clinic_id == clinic_id)
    return list(db.session.scalars(stmt))


def research_rows(chosen: Iterable[Assessment], *, identifiers: bool = False) -> Iterable[list[Any]]:
    labels = dict(COMPLAINTS)
    for a in chosen:
        stored = migrate(a.result) if a.result else {}  # any stored schema, read as schema 2
        scores = stored.get("scores") or {}
        red = " ".join(sorted({str(r["id"]) for r in stored.get("rules") or [] if r.get("red_flag")}))
        base = [pseudonym("patient", a.patient_id), pseudonym("assessment", a.id), pseudonym("episode", a.episode_id),
                a.performed_on.isoformat(), a.signed_at.date().isoformat() if a.signed_at else "", a.status,
                a.version, "; ".join(labels.get(c, c) for c in a.episode.complaints or ())]
        ids = []
        if identifiers:
            p = a.patient
            ids = [p.id, p.identifier or "", p.given_name, p.family_name, p.date_of_birth.isoformat()]
        for iid in a.instruments or ():
            if iid not in (a.answers or {}):
                continue
            s = scores.get(iid) or {}
            band = (s.get("band") or {}).get("label") if s.get("band") else ""
            subscales = "; ".join(f"{k}={v}" for k, v in (s.get("subscales") or {}).items() if v is not None)
            row = base + [iid, (a.definition_versions or {}).get(iid, ""), s.get("total"), band, subscales,
                          s.get("complete") if s else "", " ".join(s.get("missing") or ()),
                          stored.get("tier") or a.overall_tier or "", red]
            yield [safe_cell(v) for v in ids + row]


def research_csv(chosen: Sequence[Assessment], *, identifiers: bool = False) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((IDENTIFIER_COLUMNS if identifiers else ()) + CSV_COLUMNS)
    rows = 0
    for row in research_rows(chosen, identifiers=identifiers):
        writer.writerow(row)
        rows += 1
    # UTF-8 with a byte-order mark: spreadsheets then read accented names correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8"), rows
