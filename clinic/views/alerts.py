"""Red-flag alerts: the list of a clinic's alerts and acknowledging one (who, when, what was done)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import alerts, audit
from ..db import db
from ..forms import AcknowledgeAlertForm
from ..models import Alert, AlertDelivery
from ..operations import OperationError

bp = Blueprint("alerts", __name__)


def _get_alert(alert_id: str) -> Alert:
    alert = db.session.scalar(select(Alert).where(Alert.id == alert_id, Alert.clinic_id == current_user.clinic_id))
    if alert is None:
        audit.deny("alert", alert_id)
    return alert


@bp.get("/alerts")
def alert_list():
    clinic = current_user.clinic_id
    open_alerts = db.session.scalars(select(Alert).where(Alert.clinic_id == clinic, Alert.acknowledged_at.is_(None))
                                     .order_by(Alert.created_at)).all()
    done = db.session.scalars(select(Alert).where(Alert.clinic_id == clinic, Alert.acknowledged_at.is_not(None))
                              .order_by(Alert.acknowledged_at.desc()).limit(20)).all()
    failed = []
    if current_user.is_admin:
        failed = db.session.scalars(select(AlertDelivery).where(AlertDelivery.clinic_id == clinic,
                                                                AlertDelivery.status == "failed")
                                    .order_by(AlertDelivery.id.desc()).limit(50)).all()
    audit.record("alert.list", detail={"open": len(open_alerts), "acknowledged": len(done)})
    db.session.commit()
    return render_template("alerts/list.html", open_alerts=open_alerts, done=done, failed=failed,
                           tier_words=alerts.TIER_WORDS)


@bp.route("/alerts/<alert_id>/acknowledge", methods=["GET", "POST"])
def acknowledge(alert_id: str):
    alert = _get_alert(alert_id)
    form = AcknowledgeAlertForm()
    if alert.acknowledged_at is not None:
        flash(f"{alert.acknowledged_by.name} already acknowledged this alert.", "info")
        return redirect(url_for("alerts.alert_list"), 303)
    if form.validate_on_submit():
        try:
            alerts.acknowledge(alert, current_user, form.action_taken.data.strip())
        except OperationError as exc:
            abort(exc.status, str(exc))
        db.session.commit()
        flash("Alert acknowledged.", "success")
        return redirect(url_for("alerts.alert_list"), 303)
    audit.record("alert.view", object_type="alert", object_id=alert.id, patient_id=alert.patient_id)
    db.session.commit()
    status = 200 if request.method == "GET" else 422
    return render_template("alerts/acknowledge.html", alert=alert, form=form, tier_words=alerts.TIER_WORDS), status
