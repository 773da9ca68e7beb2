"""Append-only audit trail.  Never write patient data into ``detail``: ids and codes only."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from .db import db
from .models import AuditEvent


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(action: str, *, object_type: str | None = None, object_id: str | int | None = None,
           patient_id: str | None = None, clinic_id: int | None = None, actor: str | None = None,
           user_id: int | None = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add an audit event to the current session (committed with the request's transaction)."""
    if user_id is None and actor is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
        clinic_id = clinic_id if clinic_id is not None else current_user.clinic_id
    if actor is None:
        actor = "user" if user_id is not None else "anonymous"
    event = AuditEvent(actor_user_id=user_id, actor=actor, action=action, object_type=object_type,
                       object_id=str(object_id) if object_id is not None else None,
                       patient_id=patient_id, clinic_id=clinic_id, ip=client_ip(), detail=detail)
    db.session.add(event)
    # The same event in the structured log (ids and codes only; detail is not logged).
    import logging

    logging.getLogger("clinic.audit").info("audit %s", action, extra={
        "event": action, "actor": actor, "user_id": user_id, "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None})
    return event



def deny(object_type: str, object_id: str | int | None, *, patient_id: str | None = None) -> None:
    """Record a refused access (another clinic's object or an unknown id), commit it, then 404.

    The request's own transaction is used so SQLite's single writer is never waited on twice."""
    from flask import abort

    db.session.rollback()
    record("access.denied", object_type=object_type, object_id=object_id, patient_id=patient_id)
    db.session.commit()
    abort(404)
