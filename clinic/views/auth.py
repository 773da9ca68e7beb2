"""Sign in, sign out and password change for clinicians."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit, throttle
from ..access import public
from ..db import db
from ..forms import ChangePasswordForm, LoginForm
from ..models import User
from ..security import end_all_sessions, end_session, hash_password, password_problem, start_session, verify_password

bp = Blueprint("auth", __name__)


def too_many_attempts(seconds: int) -> str:
    return (f"Too many failed attempts. For your security, wait {throttle.describe_wait(seconds)} and try again, "
            "or reset your password from the sign-in page.")


def safe_next(target: str | None) -> str | None:
    """Only same-site absolute paths: '/x', never '//host', '/\\host', 'http:...' or control characters."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or c.isspace() for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        # The shared limiter answers before any password is hashed (and for unknown emails alike).
        wait = throttle.wait_seconds(form.email.data)
        if wait:
            audit.record("auth.throttled", object_type="user", actor="anonymous")
            db.session.commit()
            form.password.errors = [too_many_attempts(wait)]
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        ok = verify_password(user, form.password.data)
        if ok and user is not None and user.active:
            target = safe_next(session.get("next"))
            throttle.succeeded(user.email)
            start_session(user)
            audit.record("auth.login", object_type="user", object_id=user.id, user_id=user.id,
                         clinic_id=user.clinic_id)
            db.session.commit()
            if user.must_change_password:
                flash("Welcome. Please choose your own password before you continue.", "info")
                return redirect(url_for("auth.change_password"), 303)
            return redirect(target or url_for("main.dashboard"), 303)
        throttle.failed(form.email.data)
        audit.record("auth.fail", object_type="user", object_id=user.id if user else None,
                     clinic_id=user.clinic_id if user else None, actor="anonymous")
        db.session.commit()
        form.password.errors = ["The email address or password is not right."]
    elif request.method == "GET" and g.get("session_timed_out"):
        flash("You were signed out after a period of inactivity.", "info")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    user_id, clinic_id = current_user.id, current_user.clinic_id
    end_session()
    audit.record("auth.logout", object_type="user", object_id=user_id, user_id=user_id, clinic_id=clinic_id)
    db.session.commit()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        wait = throttle.wait_seconds(user.email)
        if wait:
            form.current_password.errors = [too_many_attempts(wait)]
            return render_template("auth/change_password.html", form=form), 429
        if not verify_password(user, form.current_password.data):
            throttle.failed(user.email)
            audit.record("auth.fail", object_type="user", object_id=user.id, detail={"form": "change_password"})
            db.session.commit()
            form.current_password.errors = ["Your current password is not right."]
        elif problem := password_problem(form.new_password.data, email=user.email, name=user.name):
            form.new_password.errors = [problem]
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors = ["Choose a password different from the current one."]
        else:
            user.password_hash = hash_password(form.new_password.data)
            user.must_change_password = False
            throttle.succeeded(user.email)
            end_all_sessions(user.id, except_current=True)
            audit.record("auth.password_changed", object_type="user", object_id=user.id)
            db.session.commit()
            flash("Your password has been changed. Other signed-in sessions have been ended.", "success")
            return redirect(url_for("main.dashboard"), 303)
    return render_template("auth/change_password.html", form=form)


# --------------------------------------------------------------------------- self-service reset (issue 13)

RESET_SESSION_KEY = "password_reset"


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    from ..forms import ForgotPasswordForm
    from ..password_reset import request_reset

    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        db.session.commit()
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        # The same answer whether or not the address has an account.
        flash(f"If an account uses that address, we have emailed it a link to choose a new password. "
              f"The link works once, for {minutes} minutes.", "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form), 200 if request.method == "GET" else 422


@bp.get("/password/reset/<token>")
@public
def reset_password_link(token: str):
    """Opening the emailed link changes nothing (scanners may open it): the token moves into the
    session and leaves the address bar, then the form asks for the new password."""
    from ..password_reset import find

    if find(token) is None:
        session.pop(RESET_SESSION_KEY, None)
        return _reset_gone()
    session[RESET_SESSION_KEY] = token
    return redirect(url_for("auth.reset_password"), 303)


def _reset_gone():
    from ..errors import render_error

    return render_error(410, "This reset link is no longer active",
                        "Links work once and for a short time. Ask for a new one from the sign-in page.")


@bp.route("/password/reset", methods=["GET", "POST"])
@public
def reset_password():
    from ..forms import NewPasswordForm
    from ..password_reset import complete, find

    reset = find(session.get(RESET_SESSION_KEY))
    if reset is None:
        session.pop(RESET_SESSION_KEY, None)
        return _reset_gone()
    user = db.session.get(User, reset.user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        if problem := password_problem(form.new_password.data, email=user.email, name=user.name):
            form.new_password.errors = [problem]
        elif not complete(reset, form.new_password.data):
            session.pop(RESET_SESSION_KEY, None)
            return _reset_gone()
        else:
            db.session.commit()
            session.clear()  # no sign-in here: the next sign-in asks for every factor as usual
            flash("Your password has been changed and every signed-in session has ended. "
                  "Sign in with your new password.", "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset_password.html", form=form), 200 if request.method == "GET" else 422
