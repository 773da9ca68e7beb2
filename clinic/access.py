"""Deny by default: every endpoint needs a signed-in clinician unless marked :func:`public`.

Object access goes through the ``get_*`` helpers, which scope every lookup to the clinician's
clinic and answer 404 (with an audit event) for anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from . import audit
from .db import db
from .extensions import login_manager
from .models import Assessment, Episode, Invitation, Patient, User

F = TypeVar("F", bound=Callable[..., Any])

# POSTs that carry a page of answers: when the sign-in lapsed while the page was open, the
# clinician re-enters their password on the spot and the answers are saved, not lost.
REAUTH_ENDPOINTS = {"assessments.step"}

# Route arguments that name a file, a variant or a position, not a record.
NON_RECORD_ARGS = frozenset({"filename", "name", "kind", "step", "version"})

# Signed-in users who must change their password may reach only these.
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static"}
# ... and, when the second factor is required (MFA_REQUIRED), users without one only these.
_MFA_SETUP_ALLOWED = {"auth.mfa_setup", "auth.change_password", "auth.logout", "static"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view._public = True  # type: ignore[attr-defined]
    return view


def is_public(endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "_public", False))


def init_app(app: Flask) -> None:
    @app.before_request
    def _gate():
        endpoint = request.endpoint
        if is_public(endpoint):
            return None
        if not current_user.is_authenticated:
            if request.method == "POST" and endpoint in REAUTH_ENDPOINTS and session.get("_user_id"):
                return _reauthenticate()
            return login_manager.unauthorized()
        if current_user.must_change_password and endpoint not in _PASSWORD_CHANGE_ALLOWED:
            return redirect(url_for("auth.change_password"))
        if current_app.config["MFA_REQUIRED"] and not current_user.has_mfa and endpoint not in _MFA_SETUP_ALLOWED:
            return redirect(url_for("auth.mfa_setup"))
        if endpoint and endpoint.startswith("admin.") and not current_user.is_admin:
            abort(403)
        return None


def needs_fresh_sign_in(back_endpoint: str | None = None, **back_values):
    """A redirect to the confirm page when the last sign-in is older than REAUTH_FRESH_MINUTES
    (creating users, resetting passwords or second factors, bulk and whole-record exports); None
    when recent enough.  The confirm page sends the user back to ``back_endpoint`` (a page with the
    form again: a POST's data is not replayed), or to this GET's own path."""
    import datetime as dt

    from .db import utcnow

    try:
        fresh = dt.datetime.fromisoformat(session.get("fresh_at", ""))
    except ValueError:
        fresh = None
    limit = dt.timedelta(minutes=current_app.config["REAUTH_FRESH_MINUTES"])
    if fresh is not None and utcnow() - fresh <= limit:
        return None
    session["fresh_next"] = url_for(back_endpoint, **back_values) if back_endpoint else request.path
    return redirect(url_for("auth.confirm_identity"), 303)


def _reauthenticate():
    """Ask for the password again on the same page; on success continue to the view with the
    posted answers.  Returns a response, or None to let the request through."""
    from flask import render_template

    from . import throttle
    from .security import start_session, verify_password

    try:
        user = db.session.get(User, int(session["_user_id"]))
    except (TypeError, ValueError):
        user = None
    if user is None or not user.active:
        return login_manager.unauthorized()
    error = None
    password = request.form.get("reauth_password")
    if password is not None:
        # The same shared limiter as the sign-in page: failures are counted on the server, per
        # account and address, never in the cookie (a replayed cookie gains nothing).
        from . import mfa

        wait = throttle.wait_seconds(user.email)
        if not wait and verify_password(user, password) and (
                not user.has_mfa or mfa.verify(user, request.form.get("reauth_code") or "")):
            throttle.succeeded(user.email)
            start_session(user)
            audit.record("auth.reauth", object_type="user", object_id=user.id, user_id=user.id,
                         clinic_id=user.clinic_id)
            db.session.commit()
            return None
        if not wait:
            throttle.failed(user.email)
        audit.record("auth.fail", object_type="user", object_id=user.id, clinic_id=user.clinic_id,
                     actor="anonymous", detail={"reauth": True, "throttled": bool(wait)})
        db.session.commit()
        if wait or throttle.account_failures(user.email) >= current_app.config["REAUTH_MAX_FAILURES"]:
            session.clear()
            return login_manager.unauthorized()
        error = "That password is not right."
    fields = [(k, v) for k in request.form for v in request.form.getlist(k)
              if k not in ("csrf_token", "reauth_password", "reauth_code")]
    return render_template("auth/reauth.html", email=user.email, fields=fields, error=error,
                           action=request.path, has_mfa=user.has_mfa), 401


# What an administrator may still do with a restricted record besides reading it: give the
# patient her copy (a subject access request is still answered).
RESTRICTED_ADMIN_POSTS = {"exports.patient_record"}


def _scoped(model: type, object_id: str, object_type: str, *, restriction: bool = True) -> Any:
    obj = db.session.scalar(select(model).where(model.id == object_id,
                                                model.clinic_id == current_user.clinic_id))
    if obj is None:
        audit.deny(object_type, object_id)
    if restriction:
        _check_restriction(obj, object_type)
    return obj


def get_patient_including_restricted(patient_id: str) -> Patient:
    """The clinic's patient whether or not her record is restricted (the erasure pages only)."""
    return _scoped(Patient, patient_id, "patient", restriction=False)


def _check_restriction(obj: Any, object_type: str) -> None:
    """A restricted record (erasure requested; see clinic.privacy) is frozen: every change is
    refused (409) with a clear message; only administrators may read it (others 403)."""
    from .privacy import RESTRICTED_MESSAGE, RESTRICTED_READ_MESSAGE

    if isinstance(obj, Patient):
        patient_id, restricted = obj.id, obj.restricted_at is not None
    elif isinstance(obj, Episode | Assessment | Invitation):
        patient_id = obj.patient_id
        restricted = db.session.scalar(select(Patient.restricted_at).where(Patient.id == patient_id)) is not None
    else:
        return
    if not restricted:
        return
    reading = request.method in ("GET", "HEAD")
    if current_user.is_admin and (reading or request.endpoint in RESTRICTED_ADMIN_POSTS):
        return
    db.session.rollback()
    audit.record("access.restricted", object_type=object_type, object_id=obj.id, patient_id=patient_id,
                 detail={"method": request.method})
    db.session.commit()
    if reading:
        abort(403, RESTRICTED_READ_MESSAGE)
    abort(409, RESTRICTED_MESSAGE)


def get_patient(patient_id: str) -> Patient:
    return _scoped(Patient, patient_id, "patient")


def get_episode(episode_id: str) -> Episode:
    return _scoped(Episode, episode_id, "episode")


def get_assessment(assessment_id: str) -> Assessment:
    return _scoped(Assessment, assessment_id, "assessment")


def get_invitation(invitation_id: str) -> Invitation:
    return _scoped(Invitation, invitation_id, "invitation")


def get_user(user_id: int) -> User:
    return _scoped(User, user_id, "user")
