"""Sign in, sign out and password change for clinicians."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import audit, throttle
from ..access import public
from ..db import db, utcnow
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
            if user.has_mfa:
                # Password right: now the second factor.  The guessing count is cleared only when
                # both are right, so a known password does not buy fresh code guesses.
                session.clear()
                session[MFA_SESSION_KEY] = {"uid": user.id, "at": utcnow().isoformat(), "next": target}
                db.session.commit()
                return redirect(url_for("auth.login_mfa"), 303)
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
    response = redirect(url_for("auth.login"), 303)
    # Nothing of the session stays in the browser (ASVS 14.3.1).
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


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


# --------------------------------------------------------------------------- second factor (issue 13)

MFA_SESSION_KEY = "mfa_pending"
MFA_PENDING_MINUTES = 5


def _pending_user() -> tuple[User | None, dict]:
    import datetime as dt

    state = session.get(MFA_SESSION_KEY) or {}
    try:
        started = dt.datetime.fromisoformat(state["at"])
        user = db.session.get(User, int(state["uid"]))
    except (KeyError, TypeError, ValueError):
        return None, {}
    if utcnow() - started > dt.timedelta(minutes=MFA_PENDING_MINUTES) or user is None or not user.active \
            or not user.has_mfa:
        return None, {}
    return user, state


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_mfa():
    from .. import mfa
    from ..forms import MfaCodeForm

    user, state = _pending_user()
    if user is None:
        session.pop(MFA_SESSION_KEY, None)
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"), 303)
    form = MfaCodeForm()
    status = 200
    if form.validate_on_submit():
        wait = throttle.wait_seconds(user.email)
        method = None if wait else mfa.verify(user, form.code.data)
        if method:
            throttle.succeeded(user.email)
            start_session(user)
            audit.record("auth.login", object_type="user", object_id=user.id, user_id=user.id,
                         clinic_id=user.clinic_id, detail={"second_factor": method})
            db.session.commit()
            if user.must_change_password:
                return redirect(url_for("auth.change_password"), 303)
            return redirect(safe_next(state.get("next")) or url_for("main.dashboard"), 303)
        if wait:
            form.code.errors = [too_many_attempts(wait)]
            status = 429
        else:
            throttle.failed(user.email)
            form.code.errors = ["That code is not right, or it was already used. Enter the newest code."]
            status = 422
        audit.record("auth.fail", object_type="user", object_id=user.id, clinic_id=user.clinic_id,
                     actor="anonymous", detail={"second_factor": True, "throttled": bool(wait)})
        db.session.commit()
    elif request.method == "POST":
        status = 422
    return render_template("auth/mfa_login.html", form=form), status


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def mfa_setup():
    """Enrol an authenticator app: scan the QR code, confirm with one code, keep the backup codes."""
    from .. import mfa
    from ..forms import MfaCodeForm

    user = current_user._get_current_object()
    form = MfaCodeForm()
    form.code.description = "The 6 digits your authenticator app shows now."
    if user.has_mfa:
        return render_template("auth/mfa_status.html", user=user, remaining=mfa.unused_backup_codes(user),
                               form=form)
    secret = session.get("mfa_setup")
    if not secret:
        secret = session["mfa_setup"] = mfa.new_secret()
    status = 200
    if form.validate_on_submit():
        step = mfa.matching_step(secret, form.code.data)
        if step is not None:
            codes = mfa.enable(user, secret, step)
            session.pop("mfa_setup", None)
            audit.record("mfa.enrolled", object_type="user", object_id=user.id)
            db.session.commit()
            return render_template("auth/mfa_codes.html", codes=codes)
        form.code.errors = ["That code is not right. Enter the 6 digits your app shows now."]
        status = 422
    elif request.method == "POST":
        status = 422
    uri = mfa.provisioning_uri(user.email, secret)
    return render_template("auth/mfa_setup.html", form=form, qr=mfa.qr_data_uri(uri), secret=secret,
                           required=current_app.config["MFA_REQUIRED"]), status


@bp.post("/account/two-step/backup-codes")
@login_required
def mfa_new_backup_codes():
    from .. import mfa
    from ..access import needs_fresh_sign_in
    from ..forms import ConfirmForm

    if (redirect_to := needs_fresh_sign_in("auth.mfa_setup")) is not None:
        return redirect_to
    user = current_user._get_current_object()
    if not ConfirmForm().validate_on_submit() or not user.has_mfa:
        return redirect(url_for("auth.mfa_setup"), 303)
    codes = mfa.new_backup_codes(user)
    audit.record("mfa.backup_codes_renewed", object_type="user", object_id=user.id)
    db.session.commit()
    return render_template("auth/mfa_codes.html", codes=codes)


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
def confirm_identity():
    """Sign in again (password, and code when enrolled) before a sensitive action."""
    from .. import mfa
    from ..forms import ConfirmIdentityForm

    user = current_user._get_current_object()
    form = ConfirmIdentityForm()
    status = 200
    if form.validate_on_submit():
        wait = throttle.wait_seconds(user.email)
        ok = not wait and verify_password(user, form.password.data)
        if ok and user.has_mfa:
            ok = mfa.verify(user, form.code.data or "") is not None
        if ok:
            throttle.succeeded(user.email)
            session["fresh_at"] = utcnow().isoformat()
            audit.record("auth.reauth", object_type="user", object_id=user.id, detail={"purpose": "sensitive"})
            db.session.commit()
            return redirect(safe_next(session.pop("fresh_next", None)) or url_for("main.dashboard"), 303)
        if wait:
            form.password.errors = [too_many_attempts(wait)]
            status = 429
        else:
            throttle.failed(user.email)
            audit.record("auth.fail", object_type="user", object_id=user.id, detail={"form": "confirm"})
            form.password.errors = ["That is not right." if not user.has_mfa
                                    else "The password or the code is not right."]
            status = 422
        db.session.commit()
    elif request.method == "POST":
        status = 422
    return render_template("auth/confirm.html", form=form, has_mfa=user.has_mfa), status
