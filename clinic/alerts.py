"""Red-flag alerts: a submitted intake that fires a rule of T3 or higher reaches someone.

:func:`raise_for` runs inside the submission's transaction: it adds the :class:`Alert` and one
pending :class:`AlertDelivery` per address (the clinician who sent the link, the clinic's alert
address).  After the request commits, :func:`dispatch` sends them: through the development outbox
at once, or over SMTP in a background thread so a slow mail server never holds up the patient's
page.  A failed send is recorded on the delivery (attempts, error, next attempt) and retried by
``phat alerts --resend-due``, which also re-sends alerts still unacknowledged after
``ALERT_RESEND_MINUTES``.  The email carries no patient data: only that an alert is waiting and a
link to sign in.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from flask import Flask, current_app, g, has_app_context, has_request_context, url_for
from flask_login import current_user
from sqlalchemy import func, select

from . import audit, mail
from .db import db, utcnow
from .errors import OperationError
from .models import Alert, AlertDelivery, Assessment, Clinic, Invitation, User

log = logging.getLogger("clinic.alerts")

TIER_ORDER = ["T0", "T1", "T2a", "T2b", "T3", "T4", "T5"]
ALERT_FROM = "T3"
TIER_WORDS = {"T3": "GP or medical review", "T4": "urgent medical review", "T5": "emergency, same day"}


def _rank(tier: str | None) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else -1


def firing(result: dict | None) -> tuple[str | None, list[str]]:
    """The highest tier among the rules that fired (red flags included) when it is T3 or higher,
    and the ids of those rules."""
    from assessments.result import migrate

    rules = list(migrate(result).get("rules") or []) if result else []  # any stored schema, read as schema 2
    high = [r for r in rules if _rank(r.get("tier")) >= _rank(ALERT_FROM)]
    if not high:
        return None, []
    top = max((r.get("tier") for r in high), key=_rank)
    return top, sorted({str(r.get("id")) for r in high if r.get("id")})


def _link() -> str | None:
    if has_request_context():
        return url_for("alerts.alert_list", _external=True)
    return current_app.config.get("PUBLIC_BASE_URL")


def recipients(alert: Alert) -> list[str]:
    clinic = db.session.get(Clinic, alert.clinic_id)
    out = []
    if alert.notify_user_id is not None:
        user = db.session.get(User, alert.notify_user_id)
        if user is not None and user.active:
            out.append(user.email)
    if clinic is not None and clinic.alert_email:
        out.append(clinic.alert_email)
    seen: set[str] = set()
    return [a for a in out if not (a.lower() in seen or seen.add(a.lower()))]


def _queue(alert: Alert) -> None:
    now = utcnow()
    for address in recipients(alert):
        delivery = AlertDelivery(alert=alert, clinic_id=alert.clinic_id, to_address=address, status="pending",
                                 attempts=0, next_attempt_at=now)
        db.session.add(delivery)
    alert.last_sent_at = now
    alert.send_count = (alert.send_count or 0) + 1
    if has_app_context():
        g.setdefault("_phat_alerts_to_send", set()).add(alert.id)


def raise_for(assessment: Assessment) -> Alert | None:
    """Add an alert for the assessment's stored result when it fires a T3+ rule and no open alert
    of that tier or higher exists for it (same transaction as the caller's write)."""
    tier, rule_ids = firing(assessment.result)
    if tier is None:
        return None
    existing = db.session.scalars(select(Alert).where(Alert.assessment_id == assessment.id,
                                                      Alert.acknowledged_at.is_(None))).all()
    if any(_rank(a.tier) >= _rank(tier) for a in existing):
        return None
    notify = None
    if assessment.source == "patient_link":
        notify = db.session.scalar(select(Invitation.created_by_id).where(Invitation.assessment_id == assessment.id))
    alert = Alert(clinic_id=assessment.clinic_id, assessment_id=assessment.id, patient_id=assessment.patient_id,
                  tier=tier, rule_ids=rule_ids, source=assessment.source, notify_user_id=notify, link=_link(),
                  send_count=0)
    db.session.add(alert)
    db.session.flush()
    audit.record("alert.raise", object_type="alert", object_id=alert.id, patient_id=assessment.patient_id,
                 clinic_id=assessment.clinic_id, actor="system" if assessment.source == "patient_link" else None,
                 detail={"tier": tier, "assessment": assessment.id})
    _queue(alert)
    return alert


def acknowledge(alert: Alert, user: User, action_taken: str) -> None:
    if alert.acknowledged_at is not None:
        raise OperationError("This alert was already acknowledged.")
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_id = user.id
    alert.action_taken = action_taken
    audit.record("alert.acknowledge", object_type="alert", object_id=alert.id, patient_id=alert.patient_id,
                 detail={"tier": alert.tier})


# --------------------------------------------------------------------------- sending

def email_for(alert: Alert) -> tuple[str, str]:
    """Subject and body: no patient data (no name, no answers, no tier), only a link to sign in."""
    clinic = db.session.get(Clinic, alert.clinic_id)
    name = clinic.name if clinic else "Your clinic"
    subject = f"{name}: an answer needs a clinician's review"
    body = (f"Hello,\n\n"
            f"A questionnaire sent to {name} has raised an alert that needs a clinician's review as soon "
            f"as possible.\n\n"
            f"Sign in to see it and acknowledge it:\n{alert.link or 'the Pelvic Health Toolkit'}\n\n"
            f"This message holds no patient details on purpose. You will be reminded until a clinician "
            f"acknowledges the alert.\n")
    return subject, body


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def send_delivery(delivery: AlertDelivery) -> bool:
    """Try one delivery; record the outcome (and commit).  Never raises."""
    subject, body = email_for(delivery.alert)
    delivery.attempts = (delivery.attempts or 0) + 1
    try:
        delivery.via = mail.send(delivery.clinic_id, delivery.to_address, subject, body)
    except Exception as exc:  # noqa: BLE001 - any mail failure is recorded for retry, never raised
        db.session.rollback()
        delivery = db.session.get(AlertDelivery, delivery.id)
        delivery.attempts = (delivery.attempts or 0) + 1
        delivery.status = "failed"
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:300]
        delivery.next_attempt_at = utcnow() + _backoff(delivery.attempts)
        db.session.commit()
        log.warning("alert email failed delivery=%s attempts=%s", delivery.id, delivery.attempts)
        return False
    delivery.status = "sent"
    delivery.sent_at = utcnow()
    delivery.last_error = None
    delivery.next_attempt_at = None
    db.session.commit()
    return True


def send_pending(alert_ids: set[str] | None = None) -> tuple[int, int]:
    """Send pending deliveries (of the given alerts, or all); returns (sent, failed)."""
    stmt = select(AlertDelivery.id).where(AlertDelivery.status == "pending")
    if alert_ids is not None:
        stmt = stmt.where(AlertDelivery.alert_id.in_(alert_ids))
    sent = failed = 0
    for delivery_id in db.session.scalars(stmt.order_by(AlertDelivery.id)).all():
        delivery = db.session.get(AlertDelivery, delivery_id)
        if send_delivery(delivery):
            sent += 1
        else:
            failed += 1
    return sent, failed


def dispatch() -> None:
    """Send the alerts raised by this request (call after the request committed)."""
    ids = g.pop("_phat_alerts_to_send", None)
    if not ids:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("MAIL_SERVER") and not app.config.get("ALERT_MAIL_INLINE"):
        threading.Thread(target=_send_in_background, args=(app, set(ids)), daemon=True,
                         name="phat-alert-mail").start()
        return
    try:
        send_pending(set(ids))
    except Exception:  # noqa: BLE001 - the submission is stored; resend-due picks the alert up
        db.session.rollback()
        log.exception("alert dispatch failed")


def _send_in_background(app: Flask, ids: set[str]) -> None:
    with app.app_context():
        try:
            send_pending(ids)
        except Exception:  # noqa: BLE001 - recorded per delivery; resend-due retries
            log.exception("alert dispatch failed")


def resend_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Retry failed deliveries that are due and re-send alerts still unacknowledged after
    ``ALERT_RESEND_MINUTES``; returns counts."""
    now = now or utcnow()
    cfg = current_app.config
    retried = 0
    due = db.session.scalars(select(AlertDelivery).where(
        AlertDelivery.status == "failed", AlertDelivery.attempts < cfg["ALERT_MAX_ATTEMPTS"],
        AlertDelivery.next_attempt_at <= now)).all()
    for delivery in due:
        delivery.status = "pending"
        retried += 1
    db.session.commit()
    cutoff = now - dt.timedelta(minutes=cfg["ALERT_RESEND_MINUTES"])
    stale = db.session.scalars(select(Alert).where(Alert.acknowledged_at.is_(None),
                                                   Alert.last_sent_at <= cutoff)).all()
    for alert in stale:
        _queue(alert)
        audit.record("alert.resend", object_type="alert", object_id=alert.id, clinic_id=alert.clinic_id,
                     actor="system", detail={"send_count": alert.send_count})
    db.session.commit()
    g.pop("_phat_alerts_to_send", None)
    sent, failed = send_pending()
    return {"retried": retried, "resent": len(stale), "sent": sent, "failed": failed}


# --------------------------------------------------------------------------- pages

def open_count(clinic_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.clinic_id == clinic_id, Alert.acknowledged_at.is_(None))) or 0


def failed_count(clinic_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AlertDelivery).where(
        AlertDelivery.clinic_id == clinic_id, AlertDelivery.status == "failed")) or 0


def init_app(app: Flask) -> None:
    @app.context_processor
    def _open_alerts():
        """Every clinician page of the clinic shows its open alerts at the top."""
        if not has_request_context() or not current_user or not current_user.is_authenticated:
            return {}
        try:
            with db.reading():
                count = open_count(current_user.clinic_id)
                failed = failed_count(current_user.clinic_id) if current_user.is_admin else 0
        except Exception:  # noqa: BLE001 - an error page must still render when the database is down
            return {}
        return {"open_alert_count": count, "failed_alert_emails": failed}

    @app.after_request
    def _dispatch(response):
        if g.get("_phat_alerts_to_send") and response.status_code < 400:
            dispatch()
        return response
