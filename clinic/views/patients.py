"""Patients and episodes of care: list and search, create, edit, view."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, func, select

from .. import audit, concurrency
from ..access import get_episode, get_patient
from ..concurrency import expect_version, posted_version
from ..db import db
from ..forms import CloseEpisodeForm, EpisodeForm, PatientForm
from ..models import Assessment, Invitation, Patient, PatientNamePart, name_key, search_term
from ..operations import (
    Invalid,
    PatientDetails,
    close_episode,
    create_patient,
    open_episode,
    reopen_episode,
    update_patient,
)

bp = Blueprint("patients", __name__)

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
WALK_NAME_INDEX_FROM = 500
"""Name searches matching more patients than this page through the name index (see patient_list)."""
EXISTS_WALK_BEFORE = 250
"""... checking each patient on the walk for the pages before this many rows (see patient_list)."""


def parse_search_date(q: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(q, fmt).date()
        except ValueError:
            continue
    return None


def _like_prefix(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value) + "%"


def _prefix(column, term: str):
    """``column`` starts with ``term``: an index range (usable on SQLite and PostgreSQL) plus the
    exact LIKE check, so the index narrows the rows and LIKE keeps the result exact."""
    pattern = _like_prefix(term)
    last = term[-1]
    if ord(last) >= 0x10FFFF:
        return column.like(pattern, escape="\\")
    upper = term[:-1] + chr(ord(last) + 1)
    return and_(column >= term, column < upper, column.like(pattern, escape="\\"))


@bp.get("/patients")
def patient_list():
    q = (request.args.get("q") or "").strip()[:100]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    per_page = current_app.config["PATIENTS_PER_PAGE"]
    stmt = select(Patient).where(Patient.clinic_id == current_user.clinic_id)
    search_error = None
    by_dob = False
    matches: list = []
    if q:
        when = parse_search_date(q)
        if when is not None:
            stmt = stmt.where(Patient.date_of_birth == when)
            by_dob = True
        else:
            terms = [search_term(t) for t in q.replace(",", " ").split() if t.strip()]
            if not terms or any(len(t) > 100 for t in terms):
                search_error = "Search by name or by date of birth (for example 1988-04-21)."
            for term in terms[:3]:
                # Each word typed must start some part of the name (any word of a double-barrelled
                # or multi-word name, with or without apostrophes), found through the parts' key.
                matches.append(select(PatientNamePart.patient_id).where(
                    PatientNamePart.clinic_id == current_user.clinic_id, _prefix(PatientNamePart.part, term)))
    more = False
    if matches:
        # Name searches count up to the cap: past it the list says "more than 1 000" and asks for
        # more letters, instead of counting thousands of "mor..." names on every keystroke.
        cap = current_app.config["PATIENT_SEARCH_CAP"]
        if len(matches) == 1:  # one word: counted from the parts' covering index alone
            found = matches[0].with_only_columns(PatientNamePart.patient_id).distinct().limit(cap + 1)
        else:
            found = stmt.with_only_columns(Patient.id).where(*(Patient.id.in_(m) for m in matches)).limit(cap + 1)
        total = db.session.scalar(select(func.count()).select_from(found.subquery()))
        more = total > cap
        total = min(total, cap)
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(page, pages)
    if matches and total > WALK_NAME_INDEX_FROM and db.session.get_bind().dialect.name == "sqlite":
        # Many matches (a common first syllable): walking the name index in order and keeping the
        # matching rows finds a page sooner than looking up and sorting every match.  SQLite's
        # planner cannot know the count, so it is steered: for the first pages each patient met on
        # the walk is checked through the parts' patient index (EXISTS); deeper, the matches are
        # collected once and the id lookup hidden from the planner ("id || ''" is not indexable).
        # PostgreSQL chooses from its statistics.
        if (page - 1) * per_page < EXISTS_WALK_BEFORE:
            stmt = stmt.where(*(m.where(PatientNamePart.patient_id == Patient.id).exists() for m in matches))
        else:
            stmt = stmt.where(*(Patient.id.op("||")("").in_(m) for m in matches))
    else:
        stmt = stmt.where(*(Patient.id.in_(m) for m in matches))
    # Ordering by date of birth first changes nothing when it is the search term, and steers the
    # planner to the date-of-birth index instead of scanning the name index in order.
    order = (Patient.date_of_birth,) if by_dob else ()
    patients = db.session.scalars(
        stmt.order_by(*order, Patient.family_key, Patient.given_key, Patient.id)
        .offset((page - 1) * per_page).limit(max(1, min(per_page, total - (page - 1) * per_page)))).all()
    audit.record("patient.search" if q else "patient.list",
                 detail={"results": f"more than {total}" if more else total, "page": page})
    db.session.commit()
    return render_template("patients/list.html", patients=patients, q=q, page=page, pages=pages,
                           total=total, more=more, search_error=search_error)


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
