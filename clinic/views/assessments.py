"""Clinician-run assessments: choose instruments, fill them step by step, review, sign, amend;
patient invitations (create, revoke) and the development outbox."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .. import archive, audit, concurrency, jobs, mail, reports, signing
from .. import catalogue as defs
from .. import settings as clinic_settings
from ..access import get_assessment, get_episode, get_invitation
from ..concurrency import expect_version, posted_version
from ..db import db, utcnow
from ..forms import AmendReasonForm, ConfirmForm, DateField, MultiCheckboxField, choices
from ..models import AssessmentRevision, OutboxMessage
from ..operations import (
    Incomplete,
    OperationError,
    amend,
    create_invitation,
    require_context,
    revoke_invitation,
    start_assessment,
)
from ..operations import (
    add_instruments as add_instruments_op,
)
from ..security import end_session, verify_password
from .steps import build_step, handle_step_post, review_view

bp = Blueprint("assessments", __name__)
MAX_PASSWORD_FAILURES = 5


def _catalogue(patient_only: bool = False):
    groups = []
    for module in defs.MODULES:
        items = []
        for iid in module.instruments:
            if not defs.known(iid) or iid == defs.CONTEXT:
                continue
            if patient_only and not defs.patient_answerable(iid):
                continue
            inst = defs.get(iid)
            items.append((iid, inst))
        if items:
            groups.append((module, items))
    return groups


def _choice_form(formdata, default: list[str], patient_only: bool, with_expiry: bool):
    from flask_wtf import FlaskForm

    valid = [(iid, inst.name) for _m, items in _catalogue(patient_only) for iid, inst in items]

    class ChooseForm(FlaskForm):
        instruments = MultiCheckboxField("Questionnaires and examinations", choices=choices(valid), default=default)
        if with_expiry:
            days = IntegerField("Link valid for (days)", default=current_app.config["INVITATION_DAYS"],
                                validators=[DataRequired("Enter how many days the link stays valid."),
                                            NumberRange(1, 60, "Choose between 1 and 60 days.")])
        else:
            performed_on = DateField("Assessment date", default=dt.date.today,
                                     validators=[DataRequired("Enter the date of the assessment.")])

    return ChooseForm(formdata=formdata)


@bp.route("/episodes/<episode_id>/assessments/new", methods=["GET", "POST"])
def start(episode_id: str):
    episode = get_episode(episode_id)
    preset = defs.preset_for(episode.complaints)
    form = _choice_form(request.form if request.method == "POST" else None, preset, False, False)
    if form.validate_on_submit():
        if form.performed_on.data > dt.date.today():
            form.performed_on.errors = ["The assessment date cannot be in the future."]
        elif form.performed_on.data < episode.patient.date_of_birth:
            form.performed_on.errors = ["The assessment date cannot be before the patient's date of birth "
                                        f"({episode.patient.date_of_birth:%d %b %Y})."]
        else:
            try:
                assessment = start_assessment(episode, current_user, list(form.instruments.data or []),
                                              form.performed_on.data)
            except OperationError as exc:
                abort(exc.status, str(exc))
            db.session.commit()
            return redirect(url_for("assessments.step", assessment_id=assessment.id, step=0), 303)
    status = 200 if request.method == "GET" else 422
    audit.record("episode.view_start", object_type="episode", object_id=episode.id, patient_id=episode.patient_id)
    db.session.commit()
    return render_template("assessments/start.html", form=form, episode=episode, patient=episode.patient,
                           groups=_catalogue(), preset=preset), status


@bp.route("/assessments/<assessment_id>/steps/<int:step>", methods=["GET", "POST"])
def step(assessment_id: str, step: int):
    assessment = get_assessment(assessment_id)
    if assessment.is_locked:
        flash("This assessment is signed. Use 'Amend' to change it.", "info")
        return redirect(url_for("assessments.review", assessment_id=assessment.id), 303)
    if not 0 <= step < len(assessment.instruments):
        abort(404)
    ctx = build_step(assessment, step, respondent=None, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        posted = posted_version(request.form)
        stale = {"action": "save this step", "render": _step_conflict(step)}
        expect_version(assessment, posted, **stale)
        with concurrency.writing(assessment, posted, **stale):
            outcome = handle_step_post(assessment, ctx, request.form, actor=None)
        if outcome is not None:
            action = outcome
            if action == "back":
                return redirect(url_for("assessments.step", assessment_id=assessment.id, step=max(0, step - 1)), 303)
            if action == "save":
                flash("Saved.", "success")
                return redirect(url_for("assessments.step", assessment_id=assessment.id, step=step), 303)
            if step + 1 < len(assessment.instruments):
                return redirect(url_for("assessments.step", assessment_id=assessment.id, step=step + 1), 303)
            return redirect(url_for("assessments.review", assessment_id=assessment.id), 303)
    audit.record("assessment.view_step", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"step": step})
    db.session.commit()
    status = 422 if request.method == "POST" else 200
    return render_template("assessments/step.html", assessment=assessment, patient=assessment.patient, ctx=ctx,
                           step=step, total=len(assessment.instruments)), status


def _step_conflict(index: int):
    """The step again, 409, with what changed and everything the clinician typed (not stored),
    now based on the current version: pressing the button again saves it over the change."""
    def render(exc, view):
        assessment = exc.obj
        if assessment.is_locked or not 0 <= index < len(assessment.instruments):
            return render_template("errors/conflict.html", conflict=exc, view=view), 409
        ctx = build_step(assessment, index, respondent=None, formdata=request.form)
        return render_template("assessments/step.html", assessment=assessment, patient=assessment.patient,
                               ctx=ctx, step=index, total=len(assessment.instruments), conflict=view), 409
    return render


def _csrf_recover(_exc):
    """Security token expired while the page was open: show the step again with what was typed."""
    if not current_user.is_authenticated:
        return None
    args = request.view_args or {}
    assessment = get_assessment(args.get("assessment_id", ""))
    index = args.get("step", 0)
    if assessment.is_locked or not 0 <= index < len(assessment.instruments):
        abort(409)
    ctx = build_step(assessment, index, respondent=None, formdata=request.form)
    return render_template("assessments/step.html", assessment=assessment, patient=assessment.patient, ctx=ctx,
                           step=index, total=len(assessment.instruments), csrf_expired=True,
                           row_version=posted_version(request.form) or assessment.row_version), 400


@bp.record_once
def _register(state) -> None:
    state.app.extensions.setdefault("phat_csrf_recovery", {})["assessments.step"] = _csrf_recover


def _sign_form(assessment):
    from flask_wtf import FlaskForm

    class SignForm(FlaskForm):
        notes = TextAreaField("Clinician notes (not shown to the patient)",
                              validators=[Optional(), Length(max=5000, message="Keep notes to 5000 characters.")],
                              default=assessment.clinician_notes)

    return SignForm()


@bp.get("/assessments/<assessment_id>")
def review(assessment_id: str):
    assessment = get_assessment(assessment_id)
    view = review_view(assessment)
    # Opening the page is not reviewing it (a GET changes nothing): see mark_reviewed.
    audit.record("assessment.view", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id)
    db.session.commit()
    return render_template("assessments/review.html", assessment=assessment, patient=assessment.patient, view=view,
                           sign_form=_sign_form(assessment), revisions=assessment.revisions,
                           trends=reports.trends_for(assessment))


@bp.post("/assessments/<assessment_id>/reviewed")
def mark_reviewed(assessment_id: str):
    """The clinician says she has read a submitted intake: an explicit POST, never a page view."""
    assessment = get_assessment(assessment_id)
    if ConfirmForm().validate_on_submit() and assessment.status == "submitted" and assessment.reviewed_at is None:
        assessment.reviewed_at = utcnow()
        audit.record("assessment.reviewed", object_type="assessment", object_id=assessment.id,
                     patient_id=assessment.patient_id)
        db.session.commit()
        flash("Marked as reviewed.", "success")
    return redirect(url_for("assessments.review", assessment_id=assessment.id), 303)


@bp.post("/assessments/<assessment_id>/sign")
def sign_assessment(assessment_id: str):
    assessment = get_assessment(assessment_id)
    form = _sign_form(assessment)
    if not form.validate_on_submit():
        view = review_view(assessment)
        return render_template("assessments/review.html", assessment=assessment, patient=assessment.patient, view=view,
                               sign_form=form, revisions=assessment.revisions,
                               trends=reports.trends_for(assessment)), 422
    posted = posted_version(request.form)
    expect_version(assessment, posted, **_sign_stale(assessment, form))
    if assessment.is_locked:
        abort(409, "This assessment is already signed.")
    try:
        require_context(assessment)
    except Incomplete as exc:
        flash(str(exc), "error")
        return redirect(url_for("assessments.review", assessment_id=assessment.id), 303)
    return _confirm_page(assessment, form, posted)


def _sign_stale(assessment, form) -> dict:
    return {"action": "sign this assessment", "typed": [("Clinician notes", form.notes.data or "")],
            "back_url": url_for("assessments.review", assessment_id=assessment.id)}


def _confirm_page(assessment, form, posted: int, *, error: str | None = None, status: int = 200):
    """What is about to be signed: tier, red flags, instruments, notes, and the version reviewed."""
    audit.record("assessment.view", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"page": "sign_confirm"})
    db.session.commit()
    return render_template("assessments/sign_confirm.html", assessment=assessment, patient=assessment.patient,
                           view=review_view(assessment), notes=form.notes.data or "", row_version=posted,
                           ask_password=signing.needs_password(), password_error=error), status


@bp.post("/assessments/<assessment_id>/sign/confirm")
def sign_confirm(assessment_id: str):
    """Sign the version that was reviewed: render both PDFs outside the request thread, then store
    the signature and the archived documents in one transaction (or nothing at all)."""
    assessment = get_assessment(assessment_id)
    form = _sign_form(assessment)
    review_url = url_for("assessments.review", assessment_id=assessment.id)
    if not form.validate_on_submit():
        return redirect(review_url, 303)
    posted = posted_version(request.form)
    stale = _sign_stale(assessment, form)
    expect_version(assessment, posted, **stale)
    if assessment.is_locked:
        abort(409, "This assessment is already signed.")
    if signing.needs_password():
        if not verify_password(current_user, request.form.get("password", "")):
            failures = session.get("sign_password_failures", 0) + 1
            session["sign_password_failures"] = failures
            audit.record("auth.fail", object_type="user", object_id=current_user.id, detail={"signing": True})
            db.session.commit()
            if failures >= MAX_PASSWORD_FAILURES:
                end_session()
                flash("Too many wrong passwords: you have been signed out.", "error")
                return redirect(url_for("auth.login"), 303)
            return _confirm_page(assessment, form, posted, error="That password is not right.", status=422)
        signing.password_confirmed()
    user = current_user._get_current_object()
    try:
        staged = signing.stage(assessment, user, form.notes.data or None, posted)
    except Incomplete as exc:
        flash(str(exc), "error")
        return redirect(review_url, 303)
    try:
        documents = archive.render_isolated(staged.context)
    except archive.RenderFailed as exc:
        audit.record("assessment.sign_failed", object_type="assessment", object_id=assessment_id,
                     detail={"reason": "render"})
        db.session.commit()
        flash(f"The assessment was not signed: the reports could not be made. {exc}", "error")
        return redirect(review_url, 303)
    assessment = get_assessment(assessment_id)
    expect_version(assessment, posted, **stale)
    if assessment.is_locked:
        abort(409, "This assessment is already signed.")
    with concurrency.writing(assessment, posted, **stale):
        signing.commit_signed(assessment, user, staged, documents, posted)
    flash("Assessment signed and locked. The signed reports are archived.", "success")
    return redirect(review_url, 303)


@bp.route("/assessments/<assessment_id>/amend", methods=["GET", "POST"])
def amend_assessment(assessment_id: str):
    assessment = get_assessment(assessment_id)
    form = AmendReasonForm()
    if request.method == "POST":
        # A second amendment racing the first is refused with its reason shown, never dropped.
        posted = posted_version(request.form)
        stale = {"action": "amend this assessment", "typed": [("Reason for the amendment", form.reason.data or "")],
                 "back_url": url_for("assessments.review", assessment_id=assessment.id)}
        expect_version(assessment, posted, **stale)
    if not assessment.is_locked:
        return redirect(url_for("assessments.review", assessment_id=assessment.id), 303)
    if form.validate_on_submit():
        with concurrency.writing(assessment, posted, **stale):
            amend(assessment, current_user, form.reason.data.strip())
        flash(f"Version {assessment.version - 1} is kept. You are now editing version {assessment.version}.",
              "success")
        return redirect(url_for("assessments.review", assessment_id=assessment.id), 303)
    status = 200 if request.method == "GET" else 422
    audit.record("assessment.view_amend", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id)
    db.session.commit()
    return render_template("assessments/amend.html", assessment=assessment, patient=assessment.patient,
                           form=form), status


@bp.get("/assessments/<assessment_id>/versions/<int:version>")
def revision(assessment_id: str, version: int):
    assessment = get_assessment(assessment_id)
    rev = db.session.scalar(select(AssessmentRevision).where(AssessmentRevision.assessment_id == assessment.id,
                                                             AssessmentRevision.version == version))
    if rev is None:
        abort(404)
    audit.record("assessment.view_version", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id, detail={"version": version})
    db.session.commit()
    view = review_view(assessment, answers=rev.answers, result=rev.result)
    return render_template("assessments/revision.html", assessment=assessment, patient=assessment.patient, rev=rev,
                           view=view)


@bp.route("/assessments/<assessment_id>/add", methods=["GET", "POST"])
def add_instruments(assessment_id: str):
    """Carry a patient's intake into the appointment: add exam findings or more questionnaires."""
    assessment = get_assessment(assessment_id)
    if assessment.is_locked:
        abort(409, "This assessment is signed. Amend it first.")
    form = _choice_form(request.form if request.method == "POST" else None, [], False, False)
    if request.method == "POST" and form.validate():
        posted = posted_version(request.form)
        stale = {"action": "add questionnaires or exam findings",
                 "back_url": url_for("assessments.review", assessment_id=assessment.id)}
        expect_version(assessment, posted, **stale)
        with concurrency.writing(assessment, posted, **stale):
            added = add_instruments_op(assessment, list(form.instruments.data or []))
        first = assessment.instruments.index(added[0]) if added else 0
        return redirect(url_for("assessments.step", assessment_id=assessment.id, step=first), 303)
    status = 200 if request.method == "GET" else 422
    audit.record("assessment.view_add", object_type="assessment", object_id=assessment.id,
                 patient_id=assessment.patient_id)
    db.session.commit()
    return render_template("assessments/add.html", form=form, assessment=assessment, patient=assessment.patient,
                           groups=_catalogue(), already=set(assessment.instruments)), status


# --------------------------------------------------------------------------- invitations

@bp.route("/episodes/<episode_id>/invite", methods=["GET", "POST"])
def invite(episode_id: str):
    episode = get_episode(episode_id)
    patient = episode.patient
    preset = [i for i in defs.preset_for(episode.complaints) if defs.patient_answerable(i)]
    form = _choice_form(request.form if request.method == "POST" else None, preset, True, True)
    if form.validate_on_submit():
        try:
            invitation, token = create_invitation(episode, current_user, list(form.instruments.data or []),
                                                  form.days.data)
        except OperationError as exc:
            abort(exc.status, str(exc))
        link = mail.public_url("patient_link.open_link", token=token)  # never from the Host header
        sent = None
        if request.form.get("send_email") and patient.email:
            clinic = clinic_settings.for_clinic(current_user.clinic_id)
            subject, body = mail.invitation_email(clinic.name, link, invitation.expires_at.strftime("%d %B %Y"),
                                                  clinic.phone)
            # Through the job queue: retried, and failures are listed for administrators.
            sent = jobs.queue_email(patient.clinic_id, patient.email, subject, body, user_id=current_user.id)
            invitation.sent_to = patient.email
            audit.record("invitation.email", object_type="invitation", object_id=invitation.id,
                         patient_id=patient.id, detail={"via": sent})
        db.session.commit()
        # Shown once: only the token's hash is stored, so this page cannot be shown again.
        return render_template("assessments/invite_done.html", invitation=invitation, link=link, patient=patient,
                               sent=sent)
    status = 200 if request.method == "GET" else 422
    audit.record("episode.view_invite", object_type="episode", object_id=episode.id, patient_id=patient.id)
    db.session.commit()
    return render_template("assessments/invite.html", form=form, episode=episode, patient=patient,
                           groups=_catalogue(patient_only=True), preset=preset), status


@bp.post("/invitations/<invitation_id>/revoke")
def revoke(invitation_id: str):
    invitation = get_invitation(invitation_id)
    ConfirmForm().validate_on_submit()
    try:
        revoke_invitation(invitation)
    except OperationError as exc:
        abort(exc.status, str(exc))
    db.session.commit()
    flash("The link no longer works.", "success")
    return redirect(url_for("patients.patient_view", patient_id=invitation.patient_id), 303)


@bp.get("/outbox")
def outbox():
    if current_app.config["PHAT_ENV"] == "production":
        abort(404)  # the development outbox exists only in development (and tests)
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.clinic_id == current_user.clinic_id)
                                  .order_by(OutboxMessage.id.desc()).limit(50)).all()
    audit.record("outbox.view", detail={"messages": len(messages)})
    db.session.commit()
    return render_template("assessments/outbox.html", messages=messages,
                           smtp=bool(current_app.config.get("MAIL_SERVER")))
