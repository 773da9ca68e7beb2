"""Patients and episodes of care: list and search, create, edit, view."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit, concurrency
from ..access import get_episode, get_patient
from ..concurrency import expect_version, posted_version
from ..db import db
from ..forms import CloseEpisodeForm, EpisodeForm, PatientForm
from ..models import Assessment, Invitation, Patient, name_key
from ..operations import (
    Invalid,
    PatientDetails,
    close_episode,
    create_patient,
    open_episode,
    reopen_episode,
    update_patient,
)
from ..patient_search import clean_query, search

bp = Blueprint("patients", __name__)

SEARCH_SESSION_KEY = "patient_search"


@bp.post("/patients/search")
def patient_search():
    """Search terms (names, dates of birth) travel in a POST body and stay in the signed-in
    session, never in a URL: not in the access log, the history or the pagination links."""
    q = clean_query(request.form.get("q"))
    if q:
        session[SEARCH_SESSION_KEY] = q
    else:
        session.pop(SEARCH_SESSION_KEY, None)
    return redirect(url_for("patients.patient_list"), 303)


@bp.get("/patients")
def patient_list():
    q = clean_query(session.get(SEARCH_SESSION_KEY))
    try:
        page = max(1, int(request.args.get("page", "1")[:9]))
    except ValueError:
        page = 1
    found = search(current_user.clinic_id, q, page, per_page=current_app.config["PATIENTS_PER_PAGE"],
                   cap=current_app.config["PATIENT_SEARCH_CAP"])
    audit.record("patient.search" if q else "patient.list",
                 detail={"results": f"more than {found.total}" if found.more else found.total, "page": found.page})
    db.session.commit()
    return render_template("patients/list.html", patients=found.patients, q=q, page=found.page, pages=found.pages,
                           total=found.total, more=found.more, search_error=found.error)


def _duplicate_errors(form: PatientForm, exclude_id: str | None = None) -> bool:
    clinic = current_user.clinic_id
    same_person = select(Patient.id).where(
        Patient.clinic_id == clinic, Patient.family_key == name_key(form.family_name.data),
        Patient.given_key == name_key(form.given_name.data), Patient.date_of_birth == form.date_of_birth.data)
    if exclude_id:
        same_person = same_person.where(Patient.id != exclude_id)
    found = False
    if db.session.scalar(same_person.limit(1)):
        form.family_name.errors = [*form.family_name.errors,
                                   "A patient with this name and date of birth is already registered. "
                                   "Search for them instead of adding them again."]
        found = True
    if form.identifier.data:
        same_id = select(Patient.id).where(Patient.clinic_id == clinic, Patient.identifier == form.identifier.data)
        if exclude_id:
            same_id = same_id.where(Patient.id != exclude_id)
        if db.session.scalar(same_id.limit(1)):
            form.identifier.errors = [*form.identifier.errors,
                                      "Another patient already has this record number."]
            found = True
    return found


def _details(form: PatientForm) -> PatientDetails:
    return PatientDetails(given_name=form.given_name.data, family_name=form.family_name.data,
                          date_of_birth=form.date_of_birth.data, sex=form.sex.data, email=form.email.data,
                          phone=form.phone.data, identifier=form.identifier.data)


@bp.route("/patients/new", methods=["GET", "POST"])
def patient_new():
    form = PatientForm()
    if form.validate_on_submit() and not _duplicate_errors(form):
        patient = create_patient(current_user.clinic_id, _details(form))
        db.session.commit()
        flash("Patient added.", "success")
        return redirect(url_for("patients.patient_view", patient_id=patient.id), 303)
    return render_template("patients/form.html", form=form, patient=None), 200 if request.method == "GET" else 422


@bp.get("/patients/<patient_id>")
def patient_view(patient_id: str):
    patient = get_patient(patient_id)
    assessments = db.session.scalars(
        select(Assessment).where(Assessment.patient_id == patient.id)
        .order_by(Assessment.performed_on.desc(), Assessment.created_at.desc())).all()
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.patient_id == patient.id)
        .order_by(Invitation.created_at.desc()).limit(10)).all()
    audit.record("patient.view", object_type="patient", object_id=patient.id, patient_id=patient.id)
    db.session.commit()
    by_episode: dict[str, list[Assessment]] = {}
    for a in assessments:
        by_episode.setdefault(a.episode_id, []).append(a)
    return render_template("patients/view.html", patient=patient, by_episode=by_episode,
                           invitations=invitations, now=dt.datetime.now(dt.UTC))


@bp.route("/patients/<patient_id>/edit", methods=["GET", "POST"])
def patient_edit(patient_id: str):
    patient = get_patient(patient_id)
    form = PatientForm(obj=patient)
    if request.method == "POST":
        posted = posted_version(request.form)
        stale = {"action": "change the patient's details",
                 "typed": [(f.label.text, str(f.data or "")) for f in form if f.type not in ("CSRFTokenField",)],
                 "back_url": url_for("patients.patient_edit", patient_id=patient.id)}
        expect_version(patient, posted, **stale)
    if form.validate_on_submit() and not _duplicate_errors(form, exclude_id=patient.id):
        with concurrency.writing(patient, posted, **stale):
            update_patient(patient, _details(form))
        flash("Patient details saved.", "success")
        return redirect(url_for("patients.patient_view", patient_id=patient.id), 303)
    db.session.rollback()  # nothing typed is stored; the read is audited
    audit.record("patient.view_edit", object_type="patient", object_id=patient.id, patient_id=patient.id)
    db.session.commit()
    return render_template("patients/form.html", form=form, patient=patient,
                           row_version=posted_version(request.form)), 200 if request.method == "GET" else 422


@bp.route("/patients/<patient_id>/episodes/new", methods=["GET", "POST"])
def episode_new(patient_id: str):
    patient = get_patient(patient_id)
    form = EpisodeForm()
    if form.validate_on_submit():
        try:
            episode = open_episode(patient, current_user, title=form.title.data, complaints=list(form.complaints.data),
                                   opened_on=form.opened_on.data)
        except Invalid as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            db.session.commit()
            flash("Episode of care opened.", "success")
            return redirect(url_for("patients.patient_view", patient_id=patient.id, _anchor=f"ep-{episode.id}"), 303)
    status = 200 if request.method == "GET" else 422
    audit.record("patient.view_episode_form", object_type="patient", object_id=patient.id, patient_id=patient.id)
    db.session.commit()
    return render_template("patients/episode_form.html", form=form, patient=patient), status


@bp.route("/episodes/<episode_id>/close", methods=["GET", "POST"])
def episode_close(episode_id: str):
    episode = get_episode(episode_id)
    form = CloseEpisodeForm()
    if request.method == "POST":
        posted = posted_version(request.form)
        stale = {"action": "close the episode of care",
                 "back_url": url_for("patients.patient_view", patient_id=episode.patient_id)}
        expect_version(episode, posted, **stale)
    if not episode.is_open:
        abort(409)
    if form.validate_on_submit():
        try:
            close_episode(episode, form.closed_on.data)
        except Invalid as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            concurrency.commit(episode, posted, **stale)
            flash("Episode closed.", "success")
            return redirect(url_for("patients.patient_view", patient_id=episode.patient_id), 303)
    status = 200 if request.method == "GET" else 422
    audit.record("episode.view_close", object_type="episode", object_id=episode.id, patient_id=episode.patient_id)
    db.session.commit()
    return render_template("patients/episode_close.html", form=form, episode=episode,
                           patient=episode.patient), status


@bp.route("/episodes/<episode_id>/reopen", methods=["POST"])
def episode_reopen(episode_id: str):
    episode = get_episode(episode_id)
    posted = posted_version(request.form)
    stale = {"action": "reopen the episode of care",
             "back_url": url_for("patients.patient_view", patient_id=episode.patient_id)}
    expect_version(episode, posted, **stale)
    with concurrency.writing(episode, posted, **stale):
        reopen_episode(episode)
    flash("Episode reopened.", "success")
    return redirect(url_for("patients.patient_view", patient_id=episode.patient_id), 303)
