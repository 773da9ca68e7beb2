"""Clinic administrators manage the users of their own clinic."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..access import get_user, needs_fresh_sign_in
from ..db import db
from ..forms import ConfirmForm, ResetPasswordForm, UserForm
from ..models import AuditEvent, User
from ..operations import Invalid, OperationError, create_user, reset_password, set_user_active
from ..security import end_all_sessions

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
def users():
    people = db.session.scalars(select(User).where(User.clinic_id == current_user.clinic_id)
                                .order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", users=people, confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    if (confirm := needs_fresh_sign_in("admin.user_new")) is not None:
        return confirm
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(current_user.clinic_id, name=form.name.data, email=form.email.data,
                               job_title=form.job_title.data, role=form.role.data, password=form.password.data)
        except Invalid as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"Account created for {user.name}. Give them the temporary password in person.", "success")
            return redirect(url_for("admin.users"), 303)
    return render_template("admin/user_form.html", form=form), 200 if request.method == "GET" else 422


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    user = get_user(user_id)
    ConfirmForm().validate_on_submit()
    try:
        set_user_active(user, False, by=current_user)
    except OperationError as exc:
        abort(exc.status, str(exc))
    db.session.commit()
    flash(f"{user.name} can no longer sign in; their open sessions have been ended.", "success")
    return redirect(url_for("admin.users"), 303)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_reset_password(user_id: int):
    """Set a temporary password for someone who forgot theirs; their sessions end."""
    user = get_user(user_id)
    if (confirm := needs_fresh_sign_in("admin.user_reset_password", user_id=user.id)) is not None:
        return confirm
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(user, form.password.data)
        except Invalid as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"Temporary password set for {user.name}. Give it to them in person; "
                  "they choose their own at the next sign-in.", "success")
            return redirect(url_for("admin.users"), 303)
    status = 200 if request.method == "GET" else 422
    return render_template("admin/reset_password.html", form=form, user=user), status


@bp.post("/users/<int:user_id>/activate")
def user_activate(user_id: int):
    user = get_user(user_id)
    set_user_active(user, True, by=current_user)
    db.session.commit()
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("admin.users"), 303)


@bp.get("/audit")
def audit_log():
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.clinic_id == current_user.clinic_id)
                                .order_by(AuditEvent.id.desc()).limit(200)).all()
    names = {u.id: u.name for u in db.session.scalars(select(User).where(User.clinic_id == current_user.clinic_id))}
    return render_template("admin/audit.html", events=events, names=names)


# --------------------------------------------------------------------------- clinic settings (issue 12)

@bp.route("/clinic", methods=["GET", "POST"])
def clinic_settings():
    from .. import concurrency
    from ..concurrency import expect_version, posted_version
    from ..forms import ClinicSettingsForm
    from ..models import Clinic
    from ..operations import update_clinic_settings
    from ..settings import check_logo

    if (confirm := needs_fresh_sign_in("admin.clinic_settings")) is not None:
        return confirm  # a recent sign-in, asked before the form so nothing typed is lost
    clinic = db.session.get(Clinic, current_user.clinic_id)
    form = ClinicSettingsForm(obj=clinic)
    if request.method == "POST":
        posted = posted_version(request.form)
        stale = {"action": "change the clinic settings", "back_url": url_for("admin.clinic_settings"),
                 "typed": [(f.label.text, str(f.data or "")) for f in form
                           if f.type not in ("CSRFTokenField", "FileField", "BooleanField")]}
        expect_version(clinic, posted, **stale)
    if form.validate_on_submit():
        logo = None
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            data = upload.read(300 * 1024 + 1)
            mime, problem = check_logo(data)
            if problem:
                form.logo.errors = [problem]
            else:
                logo = (data, mime)
        if not form.logo.errors:
            with concurrency.writing(clinic, posted, **stale):
                update_clinic_settings(clinic, name=form.name.data, address=form.address.data,
                                       phone=form.phone.data, email=form.email.data,
                                       alert_email=form.alert_email.data,
                                       postnatal_window_months=form.postnatal_window_months.data, logo=logo,
                                       remove_logo=bool(form.remove_logo.data))
            flash("Clinic settings saved.", "success")
            return redirect(url_for("admin.clinic_settings"), 303)
    status = 200 if request.method == "GET" else 422
    return render_template("admin/clinic_settings.html", form=form, clinic=clinic), status


@bp.get("/clinic/logo")
def clinic_settings_logo():
    from flask import Response

    from ..models import Clinic

    clinic = db.session.get(Clinic, current_user.clinic_id)
    if not clinic.logo:
        abort(404)
    return Response(clinic.logo, mimetype=clinic.logo_mime or "application/octet-stream")


@bp.post("/users/<int:user_id>/mfa/reset")
def user_mfa_reset(user_id: int):
    """Someone lost their phone and backup codes: clear their second factor (they enrol again at
    their next sign-in when it is required).  Needs a fresh sign-in; audited; their sessions end."""
    from .. import mfa

    user = get_user(user_id)
    if (confirm := needs_fresh_sign_in("admin.users")) is not None:
        return confirm
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mfa.reset(user)
    end_all_sessions(user.id)
    audit.record("user.mfa_reset", object_type="user", object_id=user.id)
    db.session.commit()
    flash(f"Two-step sign-in reset for {user.name}; their open sessions have ended. "
          "They set it up again at their next sign-in.", "success")
    return redirect(url_for("admin.users"), 303)


# --------------------------------------------------------------------------- erasure and retention (DATA-07)

def _clinic_patient(patient_id: str):
    """The clinic's patient, restricted or not (get_patient refuses restricted records' writes)."""
    from ..access import get_patient_including_restricted

    return get_patient_including_restricted(patient_id)


@bp.route("/patients/<patient_id>/erase", methods=["GET", "POST"])
def patient_erase(patient_id: str):
    """Erase a patient on request: restricted when clinical records must be kept (hidden, frozen,
    retained), deleted when there is nothing clinical.  A confirm page first; needs a recent sign-in."""
    from .. import privacy
    from ..forms import EraseForm

    if (confirm := needs_fresh_sign_in("admin.patient_erase", patient_id=patient_id)) is not None:
        return confirm
    patient = _clinic_patient(patient_id)
    if patient.restricted_at is not None:
        audit.record("patient.view_erase", object_type="patient", object_id=patient.id, patient_id=patient.id)
        db.session.commit()
        flash("This record is already restricted.", "info")
        return redirect(url_for("admin.restricted_records"), 303)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            outcome = privacy.erase(patient, form.reason.data, by=current_user)
        except OperationError as exc:
            abort(exc.status, str(exc))
        db.session.commit()
        if outcome == "restricted":
            flash("The record is restricted: it is kept for the retention period, hidden from the patient list "
                  "and search, and can no longer be changed. It is listed below.", "success")
            return redirect(url_for("admin.restricted_records"), 303)
        flash("The patient had no clinical records: everything about her has been deleted.", "success")
        return redirect(url_for("patients.patient_list"), 303)
    facts = privacy.plan(patient)
    audit.record("patient.view_erase", object_type="patient", object_id=patient.id, patient_id=patient.id)
    db.session.commit()
    return render_template("admin/erase.html", form=form, patient=patient, plan=facts,
                           years=privacy.retention_years()), 200 if request.method == "GET" else 422


@bp.get("/restricted")
def restricted_records():
    """Records restricted after an erasure request: who, why, since when, kept until when."""
    from .. import privacy
    from ..models import Patient

    patients = db.session.scalars(select(Patient).where(Patient.clinic_id == current_user.clinic_id,
                                                        Patient.restricted_at.is_not(None))
                                  .order_by(Patient.restricted_at.desc()).limit(500)).all()
    rows = [(p, privacy.retained_until(p)) for p in patients]
    audit.record("patient.restricted_list", detail={"patients": [p.id for p in patients]})
    db.session.commit()
    return render_template("admin/restricted.html", rows=rows, years=privacy.retention_years())
