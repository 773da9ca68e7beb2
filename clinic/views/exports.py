"""Data exports (FHIR, CSV, REDCap, the patient's own copy) and the job pages (bulk report export
progress, email failures).  Every export of patient data is audited; every object is looked up
within the signed-in user's clinic."""

from __future__ import annotations

import io
import zipfile

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, RadioField
from wtforms.validators import DataRequired, InputRequired, ValidationError

import assessments
from assessments import redcap

from .. import audit, exports, jobs
from ..access import get_assessment, get_episode, get_patient, needs_fresh_sign_in
from ..db import db
from ..forms import DateField, choices
from ..models import Job

bp = Blueprint("exports", __name__)
KIND_CHOICES = choices([("clinician", "Clinician reports"), ("patient", "Patient summaries"), ("both", "Both")])


def _check_range(start, end) -> None:
    if start and end and end < start:
        raise ValidationError("The last date is before the first.")
    if start and end and (end - start).days > 3660:
        raise ValidationError("Choose at most ten years at a time.")


class DateRangeForm(FlaskForm):
    start = DateField("From", validators=[InputRequired("Enter the first date, for example 2026-11-01.")])
    end = DateField("To", validators=[InputRequired("Enter the last date, for example 2026-11-30.")])

    def validate_end(self, field) -> None:
        _check_range(self.start.data, field.data)


class CsvForm(FlaskForm):
    csv_start = DateField("From", validators=[InputRequired("Enter the first date, for example 2026-11-01.")])
    csv_end = DateField("To", validators=[InputRequired("Enter the last date, for example 2026-11-30.")])
    identifiers = BooleanField("Include names, record numbers and dates of birth",
                               description="Administrators only. Leave unticked for research: rows then carry "
                                           "pseudonymous keys only.")

    def validate_csv_end(self, field) -> None:
        _check_range(self.csv_start.data, field.data)


class BulkForm(DateRangeForm):
    kinds = RadioField("Reports", choices=KIND_CHOICES, default="clinician",
                       validators=[DataRequired("Choose which reports to export.")])


class EpisodeBulkForm(FlaskForm):
    kinds = RadioField("Reports", choices=KIND_CHOICES, default="clinician",
                       validators=[DataRequired("Choose which reports to export.")])


def _kinds(value: str) -> list[str]:
    return ["clinician", "patient"] if value == "both" else [value]


def _get_job(job_id: str, *kinds: str) -> Job:
    job = db.session.scalar(select(Job).where(Job.id == job_id, Job.clinic_id == current_user.clinic_id))
    if job is None or (kinds and job.kind not in kinds):
        audit.deny("job", job_id)
    return job


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --------------------------------------------------------------------------- the exports page

def _page(csv_form: CsvForm | None = None, bulk_form: BulkForm | None = None, status: int = 200):
    recent = db.session.scalars(select(Job).where(Job.clinic_id == current_user.clinic_id,
                                                  Job.kind == "bulk_reports")
                                .order_by(Job.created_at.desc()).limit(10)).all()
    definitions = sorted(assessments.load_all().values(), key=lambda i: (i.kind, i.name))
    return render_template("exports/index.html", csv_form=csv_form or CsvForm(),
                           bulk_form=bulk_form or BulkForm(), recent=recent, definitions=definitions,
                           progress=jobs.progress), status


@bp.get("/exports")
def index():
    return _page()


@bp.post("/exports/csv")
def research_csv():
    # Bulk exports need a sign-in within REAUTH_FRESH_MINUTES (SESS-06): an older one is sent to
    # "confirm it is you" and back to the page, where the export is started again; nothing runs before.
    if (confirm := needs_fresh_sign_in("exports.index")) is not None:
        return confirm
    form = CsvForm()
    if not form.validate_on_submit():
        return _page(csv_form=form, status=422)
    identifiers = bool(form.identifiers.data) and current_user.is_admin
    if form.identifiers.data and not current_user.is_admin:
        form.identifiers.errors = ["Only an administrator can export names and identifiers."]
        return _page(csv_form=form, status=422)
    start, end = form.csv_start.data, form.csv_end.data
    chosen = exports.signed_in_range(current_user.clinic_id, start, end)
    data, rows = exports.research_csv(chosen, identifiers=identifiers)
    audit.record("export.csv", detail={"from": start.isoformat(), "to": end.isoformat(),
                                       "assessments": len(chosen), "rows": rows, "identifiers": identifiers})
    db.session.commit()
    name = f"phat-{start:%Y%m%d}-{end:%Y%m%d}{'-identified' if identifiers else ''}.csv"
    return _download(data, "text/csv", name)


def _definition(name: str):
    try:
        return assessments.get(name)
    except KeyError:
        abort(404)


@bp.get("/definitions/<name>/redcap.csv")
def redcap_dictionary(name: str):
    inst = _definition(name)
    return _download(redcap.data_dictionary(inst).encode("utf-8"), "text/csv", f"{redcap.form_name(inst)}.csv")


@bp.get("/definitions/<name>/redcap.zip")
def redcap_instrument(name: str):
    inst = _definition(name)
    return _download(redcap.instrument_zip(inst), "application/zip", f"{redcap.form_name(inst)}.zip")


# --------------------------------------------------------------------------- FHIR and the patient's copy

@bp.get("/assessments/<assessment_id>/fhir.json")
def assessment_fhir(assessment_id: str):
    assessment = get_assessment(assessment_id)
    if assessment.status not in exports.EXPORTABLE:
        abort(409, "A draft cannot be exported: submit or sign it first.")
    data = exports.bundle(assessment.patient, [assessment])
    audit.record("export.fhir", object_type="assessment", object_id=assessment.id, patient_id=assessment.patient_id,
                 detail={"version": assessment.version, "resources": len(data["entry"])})
    db.session.commit()
    return _download(exports.bundle_json(data), "application/fhir+json",
                     exports.fhir_file_name("assessment", assessment.id))


@bp.get("/patients/<patient_id>/fhir.json")
def patient_fhir(patient_id: str):
    """Every exportable assessment of the patient in one Bundle: a bulk export (fresh sign-in)."""
    patient = get_patient(patient_id)
    if (confirm := needs_fresh_sign_in()) is not None:  # back to this download afterwards
        return confirm
    chosen = exports.exportable_assessments(patient)
    data = exports.bundle(patient, chosen)
    audit.record("export.fhir", object_type="patient", object_id=patient.id, patient_id=patient.id,
                 detail={"assessments": len(chosen), "resources": len(data["entry"])})
    db.session.commit()
    return _download(exports.bundle_json(data), "application/fhir+json", exports.fhir_file_name("patient", patient.id))


@bp.post("/patients/<patient_id>/record")
def patient_record(patient_id: str):
    """The patient's own copy (subject access request): README, FHIR Bundle and signed PDFs, made
    by a job; the download is audited as the export."""
    patient = get_patient(patient_id)
    if (confirm := needs_fresh_sign_in("patients.patient_view", patient_id=patient.id)) is not None:
        return confirm
    FlaskForm().validate_on_submit()
    job = jobs.submit("patient_export", {"patient_id": patient.id}, clinic_id=current_user.clinic_id,
                      user_id=current_user.id)
    audit.record("export.patient.start", object_type="job", object_id=job.id, patient_id=patient.id)
    db.session.commit()
    return redirect(url_for("exports.job_view", job_id=job.id), 303)


# --------------------------------------------------------------------------- bulk report export (a job)

@bp.post("/exports/reports")
def bulk_start():
    if (confirm := needs_fresh_sign_in("exports.index")) is not None:
        return confirm
    form = BulkForm()
    if not form.validate_on_submit():
        return _page(bulk_form=form, status=422)
    job = jobs.start_bulk_export(clinic_id=current_user.clinic_id, user_id=current_user.id,
                                 kinds=_kinds(form.kinds.data), start=form.start.data, end=form.end.data)
    audit.record("export.bulk.start", object_type="job", object_id=job.id,
                 detail={"from": form.start.data.isoformat(), "to": form.end.data.isoformat(),
                         "kinds": form.kinds.data})
    db.session.commit()
    return redirect(url_for("exports.job_view", job_id=job.id), 303)


@bp.post("/episodes/<episode_id>/export-reports")
def bulk_episode(episode_id: str):
    episode = get_episode(episode_id)
    if (confirm := needs_fresh_sign_in("patients.patient_view", patient_id=episode.patient_id)) is not None:
        return confirm
    form = EpisodeBulkForm()
    if not form.validate_on_submit():
        abort(400, "Choose which reports to export.")
    job = jobs.start_bulk_export(clinic_id=current_user.clinic_id, user_id=current_user.id,
                                 kinds=_kinds(form.kinds.data), episode_id=episode.id)
    audit.record("export.bulk.start", object_type="job", object_id=job.id, patient_id=episode.patient_id,
                 detail={"episode": episode.id, "kinds": form.kinds.data})
    db.session.commit()
    return redirect(url_for("exports.job_view", job_id=job.id), 303)


HEADINGS = {"queued": "Waiting for a worker", "running": "Rendering reports", "done": "Ready",
            "failed": "The export failed"}
JOB_PAGES = ("bulk_reports", "patient_export")


def _count_text(job: Job, state: dict) -> str:
    if not state["total"] and job.status in ("queued", "running"):
        return "Counting the reports" if job.kind == "bulk_reports" else "Finding the assessments"
    if job.kind == "patient_export":
        return f"{state['done']} of {state['total']} steps"
    return f"{state['done']} of {state['total']} reports"


def _status_text(job: Job, state: dict) -> str:
    text = f"{state['percent']}% done"
    if job.status == "running" and state["total"]:
        text += f", {jobs.describe_seconds(state['seconds_left'])} left"
    return text + "."


@bp.get("/jobs/<job_id>")
def job_view(job_id: str):
    job = _get_job(job_id, *JOB_PAGES)
    state = jobs.progress(job)
    return render_template("exports/job.html", job=job, state=state, status_text=_status_text(job, state),
                           heading=HEADINGS[job.status], count_text=_count_text(job, state),
                           patient_copy=job.kind == "patient_export",
                           refresh=job.status in ("queued", "running"))


@bp.get("/jobs/<job_id>/progress")
def job_progress(job_id: str):
    """The job's state for the progress page's script (app.js): counts and a sentence only."""
    job = _get_job(job_id, *JOB_PAGES)
    state = jobs.progress(job)
    return {"status": job.status, "done": state["done"], "total": state["total"], "percent": state["percent"],
            "text": _status_text(job, state), "heading": HEADINGS[job.status], "count": _count_text(job, state)}


@bp.get("/jobs/<job_id>/download")
def job_download(job_id: str):
    job = _get_job(job_id, *JOB_PAGES)
    if job.status != "done":
        abort(409, "This export has not finished.")
    files = jobs.export_files(job)
    if job.kind == "patient_export":
        patient_id = job.params["patient_id"]
        audit.record("export.patient", object_type="patient", object_id=patient_id, patient_id=patient_id,
                     detail={**(job.summary or {}), "job": job.id})
        db.session.commit()
        name = exports.fhir_file_name("record", patient_id).replace(".fhir.json", ".zip")
        return _download(files[0].data if files else b"", "application/zip", name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:  # PDFs are compressed already
        for f in files:
            zf.writestr(f.name, f.data)
    audit.record("export.bulk.download", object_type="job", object_id=job.id, detail={"files": len(files)})
    db.session.commit()
    return _download(buffer.getvalue(), "application/zip", f"phat-reports-{job.created_at:%Y%m%d-%H%M}.zip")


# --------------------------------------------------------------------------- email delivery (administrators)

@bp.get("/admin/email")
def email_jobs():
    if not current_user.is_admin:
        abort(403)
    failed = db.session.scalars(select(Job).where(Job.clinic_id == current_user.clinic_id, Job.kind == "email",
                                                  Job.status == "failed")
                                .order_by(Job.created_at.desc()).limit(100)).all()
    waiting = db.session.scalars(select(Job).where(Job.clinic_id == current_user.clinic_id, Job.kind == "email",
                                                   Job.status.in_(("queued", "running")))
                                 .order_by(Job.created_at.desc()).limit(100)).all()
    audit.record("email.failures.view", detail={"failed": len(failed), "waiting": len(waiting)})
    db.session.commit()
    return render_template("exports/email.html", failed=failed, waiting=waiting, form=FlaskForm())


@bp.post("/admin/email/<job_id>/retry")
def email_retry(job_id: str):
    if not current_user.is_admin:
        abort(403)
    job = _get_job(job_id, "email")
    FlaskForm().validate_on_submit()
    if job.status != "failed":
        abort(409, "Only a failed message can be sent again.")
    if job.secret is None:
        abort(409, "This message is no longer held; create a new link instead.")
    jobs.retry(job)
    audit.record("email.retry", object_type="job", object_id=job.id)
    db.session.commit()
    flash("The message is queued to be sent again.", "success")
    return redirect(url_for("exports.email_jobs"), 303)

