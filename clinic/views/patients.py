"""Patients and episodes of care: list and search, create, edit, view."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..access import get_episode, get_patient
from ..db import db
from ..forms import CloseEpisodeForm, EpisodeForm, PatientForm
from ..models import Assessment, Episode, Invitation, Patient, name_key
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


def _apply(form: PatientForm, patient: Patient) -> None:
    patient.set_name(form.given_name.data, form.family_name.data)
    patient.date_of_birth = form.date_of_birth.data
    patient.sex = form.sex.data
    patient.email = form.email.data or None
    patient.phone = form.phone.data or None
    patient.identifier = form.identifier.data or None


@bp.route("/patients/new", methods=["GET", "POST"])
def patient_new():
    form = PatientForm()
    if form.validate_on_submit() and not _duplicate_errors(form):
        patient = Patient(clinic_id=current_user.clinic_id)
        _apply(form, patient)
        db.session.add(patient)
        db.session.flush()
        audit.record("patient.create", object_type="patient", object_id=patient.id, patient_id=patient.id)
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
    if form.validate_on_submit() and not _duplicate_errors(form, exclude_id=patient.id):
        _apply(form, patient)
        audit.record("patient.update", object_type="patient", object_id=patient.id, patient_id=patient.id)
        db.session.commit()
        flash("Patient details saved.", "success")
        return redirect(url_for("patients.patient_view", patient_id=patient.id), 303)
    db.session.rollback()  # nothing typed is stored; the read is audited
    audit.record("patient.view_edit", object_type="patient", object_id=patient.id, patient_id=patient.id)
    db.session.commit()
    return render_template("patients/form.html", form=form, patient=patient), 200 if request.method == "GET" else 422


@bp.route("/patients/<patient_id>/episodes/new", methods=["GET", "POST"])
def episode_new(patient_id: str):
    patient = get_patient(patient_id)
    form = EpisodeForm()
    if form.validate_on_submit():
        if form.opened_on.data < patient.date_of_birth:
            form.opened_on.errors = ["An episode cannot open before the patient's date of birth."]
        else:
            episode = Episode(clinic_id=patient.clinic_id, patient_id=patient.id, title=form.title.data or None,
                              complaints=list(form.complaints.data), opened_on=form.opened_on.data,
                              created_by_id=current_user.id)
            db.session.add(episode)
            db.session.flush()
            audit.record("episode.create", object_type="episode", object_id=episode.id, patient_id=patient.id)
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
    if not episode.is_open:
        abort(409)
    form = CloseEpisodeForm()
    if form.validate_on_submit():
        if form.closed_on.data < episode.opened_on:
            form.closed_on.errors = ["The closing date cannot be before the episode opened."]
        else:
            episode.closed_on = form.closed_on.data
            audit.record("episode.close", object_type="episode", object_id=episode.id, patient_id=episode.patient_id)
            db.session.commit()
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
    episode.closed_on = None
    audit.record("episode.reopen", object_type="episode", object_id=episode.id, patient_id=episode.patient_id)
    db.session.commit()
    flash("Episode reopened.", "success")
    return redirect(url_for("patients.patient_view", patient_id=episode.patient_id), 303)



