"""Clinic administrators manage the users of their own clinic."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit, throttle
from ..access import get_user, needs_fresh_sign_in
from ..db import db
from ..forms import ConfirmForm, ResetPasswordForm, UserForm
from ..models import AuditEvent, User
from ..security import end_all_sessions, hash_password, password_problem

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
        if db.session.scalar(select(User.id).where(User.email == form.email.data)):
            form.email.errors = ["Someone already uses this email address."]
        elif problem := password_problem(form.password.data, email=form.email.data, name=form.name.data):
            form.password.errors = [problem]
        else:
            user = User(clinic_id=current_user.clinic_id, name=form.name.data, email=form.email.data,
                        job_title=form.job_title.data or None, role=form.role.data,
                        password_hash=hash_password(form.password.data), must_change_password=True)
            db.session.add(user)
            db.session.flush()
            audit.record("user.create", object_type="user", object_id=user.id, detail={"role": user.role})
            db.session.commit()
            flash(f"Account created for {user.name}. Give them the temporary password in person.", "success")
            return redirect(url_for("admin.users"), 303)
    return render_template("admin/user_form.html", form=form), 200 if request.method == "GET" else 422


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    user = get_user(user_id)
    if user.id == current_user.id:
        abort(409, "You cannot deactivate your own account.")
    ConfirmForm().validate_on_submit()
    user.active = False
    end_all_sessions(user.id)
    audit.record("user.deactivate", object_type="user", object_id=user.id)
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
        if problem := password_problem(form.password.data, email=user.email, name=user.name):
            form.password.errors = [problem]
        else:
            user.password_hash = hash_password(form.password.data)
            user.must_change_password = True
            end_all_sessions(user.id)
            throttle.succeeded(user.email)  # a reset lifts a guessing delay on the account
            audit.record("user.password_reset", object_type="user", object_id=user.id)
            db.session.commit()
            flash(f"Temporary password set for {user.name}. Give it to them in person; "
                  "they choose their own at the next sign-in.", "success")
            return redirect(url_for("admin.users"), 303)
    status = 200 if request.method == "GET" else 422
    return render_template("admin/reset_password.html", form=form, user=user), status


@bp.post("/users/<int:user_id>/activate")
def user_activate(user_id: int):
    user = get_user(user_id)
    user.active = True
    audit.record("user.activate", object_type="user", object_id=user.id)
    db.session.commit()
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("admin.users"), 303)


@bp.get("/audit")
def audit_log():
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.clinic_id == current_user.clinic_id)
                                .order_by(AuditEvent.id.desc()).limit(200)).all()
    names = {u.id: u.name for u in db.session.scalars(select(User).where(User.clinic_id == current_user.clinic_id))}
    return render_template("admin/audit.html", events=events, names=names)


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
