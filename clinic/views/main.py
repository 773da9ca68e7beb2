"""Dashboard and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import case, select, text

from .. import audit
from ..access import public
from ..db import db
from ..models import Assessment, Patient
from ..privacy import not_restricted

bp = Blueprint("main", __name__)


@bp.get("/")
def dashboard():
    waiting = db.session.scalars(
        select(Assessment)
        .where(Assessment.clinic_id == current_user.clinic_id, Assessment.status == "submitted",
               not_restricted(Assessment.patient_id))
        .order_by(case((Assessment.red_flag_count > 0, 0), else_=1), Assessment.submitted_at)
        .limit(50)
    ).all()
    drafts = db.session.scalars(
        select(Assessment)
        .where(Assessment.clinic_id == current_user.clinic_id, Assessment.status == "draft",
               Assessment.source == "clinic", Assessment.clinician_id == current_user.id,
               not_restricted(Assessment.patient_id))
        .order_by(Assessment.updated_at.desc()).limit(10)
    ).all()
    recent = db.session.scalars(
        select(Patient).where(Patient.clinic_id == current_user.clinic_id, Patient.restricted_at.is_(None))
        .order_by(Patient.updated_at.desc()).limit(8)
    ).all()
    # The dashboard names patients: its read is audited with the ids shown (ids only, no names).
    shown = sorted({a.patient_id for a in (*waiting, *drafts)} | {p.id for p in recent})
    audit.record("dashboard.view", detail={"patients": shown})
    db.session.commit()
    return render_template("main/dashboard.html", waiting=waiting, drafts=drafts, recent=recent)


@bp.get("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
