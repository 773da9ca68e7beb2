"""Report preview (HTML) and download (PDF), both for the patient's own clinic only and audited."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file, url_for
from sqlalchemy import select
from sqlalchemy.orm import undefer

import pdf

from .. import archive, audit
from ..access import get_assessment
from ..db import db
from ..models import SignedDocument
from ..reports import build_context, clinic_logo, download_name
from ..security import CSP

bp = Blueprint("reports", __name__)
KINDS = ("clinician", "patient")


NO_REPORT = "Nothing has been saved in this assessment yet, so there is no report."


def _assessment_and_context(assessment_id: str, kind: str):
    if kind not in KINDS:
        abort(404)
    assessment = get_assessment(assessment_id)
    if not assessment.result:
        abort(409, NO_REPORT)
    return assessment, build_context(assessment)


@bp.get("/assessments/<assessment_id>/report/<kind>")
def preview(assessment_id: str, kind: str):
    assessment, context = _assessment_and_context(assessment_id, kind)
    audit.record("report.preview", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"kind": kind, "version": assessment.version})
    db.session.commit()
    return render_template("reports/preview.html", assessment=assessment, patient=assessment.patient, kind=kind,
                           report_id=context.report_id)


@bp.get("/assessments/<assessment_id>/report/<kind>/document")
def document(assessment_id: str, kind: str):
    """The report as HTML (the same HTML the PDF is made from), shown framed in the preview page."""
    _assessment, context = _assessment_and_context(assessment_id, kind)
    audit.record("report.document", object_type="assessment", object_id=_assessment.id,
                 patient_id=_assessment.patient_id, detail={"kind": kind, "version": _assessment.version})
    db.session.commit()
    html = pdf.render_html(context, kind, stylesheet_urls=(url_for("reports.asset", name="fonts/fonts.css"),
                                                           url_for("reports.asset", name="report.css")),
                           logo_src=url_for("reports.logo") if context.clinic.logo else None)
    response = Response(html, mimetype="text/html")
    # Only our own preview page may frame it.
    response.headers["Content-Security-Policy"] = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _archived(assessment_id: str, version: int, kind: str) -> SignedDocument | None:
    return db.session.scalar(select(SignedDocument).options(undefer(SignedDocument.pdf)).where(
        SignedDocument.assessment_id == assessment_id, SignedDocument.version == version,
        SignedDocument.kind == kind))


def _send_archived(assessment, doc: SignedDocument):
    """The signed document exactly as archived (never re-rendered)."""
    audit.record("report.download", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"kind": doc.kind, "version": doc.version,
                                                           "report": doc.report_id, "archived": True})
    db.session.commit()
    response = Response(doc.pdf, mimetype="application/pdf")
    name = f"{doc.report_id.lower()}-{doc.kind}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["ETag"] = f'"{doc.sha256}"'
    return response


@bp.get("/assessments/<assessment_id>/versions/<int:version>/report/<kind>.pdf")
def download_version(assessment_id: str, version: int, kind: str):
    """An earlier (or the current) signed version's archived document."""
    if kind not in KINDS:
        abort(404)
    assessment = get_assessment(assessment_id)
    doc = _archived(assessment.id, version, kind)
    if doc is None:
        abort(404)
    return _send_archived(assessment, doc)


@bp.get("/assessments/<assessment_id>/report/<kind>.pdf")
def download(assessment_id: str, kind: str):
    if kind not in KINDS:
        abort(404)
    assessment = get_assessment(assessment_id)
    if assessment.status == "signed":
        doc = _archived(assessment.id, assessment.version, kind)
        if doc is not None:
            return _send_archived(assessment, doc)
    if not assessment.result:
        abort(409, NO_REPORT)
    context = build_context(assessment)
    db.session.rollback()  # release the database before the slow render
    try:
        # In a separate, capped and killable process at low priority: pages stay responsive.
        data = archive.render_isolated(context, (kind,))[kind]
    except archive.RenderFailed as exc:
        return render_template("reports/failed.html", message=str(exc), assessment=assessment), 500
    audit.record("report.download", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"kind": kind, "version": assessment.version,
                                                           "report": context.report_id})
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name(assessment, kind)}"'
    return response


@bp.get("/report-assets/<path:name>")
def asset(name: str):
    """The report's fonts and stylesheet for the preview: exactly pdf.ASSETS, nothing else."""
    path = pdf.ASSETS.get(name)
    if path is None:
        abort(404)
    return send_file(path, max_age=3600)


@bp.get("/clinic-logo")
def logo():
    from flask_login import current_user

    from ..models import Clinic

    found = clinic_logo(db.session.get(Clinic, current_user.clinic_id))
    if found is None:
        abort(404)
    return Response(found.data, mimetype=found.mime)


@bp.record_once
def _register(_state) -> None:
    from ..security import CACHEABLE_ENDPOINTS

    CACHEABLE_ENDPOINTS.add("reports.asset")  # fonts and CSS: no patient data
