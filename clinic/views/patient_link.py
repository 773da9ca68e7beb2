"""The patient's pre-visit link: date-of-birth check, one questionnaire per step with a draft saved
at every step, a check page, one submission, and a thank-you page.

The token is 256-bit random and only its SHA-256 is stored. Opening the link (GET/HEAD) never uses
it up, so email link scanners do no harm. After the date-of-birth check the token leaves the
address bar: the patient continues in a short-lived intake session bound to the invitation.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import alerts, audit, operations, throttle
from .. import catalogue as defs
from .. import settings as clinic_settings
from ..access import public
from ..concurrency import posted_version
from ..db import db, utcnow
from ..models import Assessment, Clinic, Invitation
from ..operations import Incomplete, parse_dob, submit_intake, token_hash
from .steps import build_step, handle_step_post, review_view

bp = Blueprint("patient_link", __name__)

SESSION_KEY = "intake"


class SessionEnded(Exception):
    """No usable intake session: the patient opens their link again (saved answers are kept)."""


class LinkGone(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _gone(reason: str):
    messages = {
        "expired": ("This link has expired", "Links work for a limited time to keep your information safe. "
                    "Please contact your clinic and ask for a new one."),
        "submitted": ("You have already sent your answers", "Thank you: your clinic has them. If you need to "
                      "change something, tell your physiotherapist at your appointment."),
        "revoked": ("This link is no longer active", "Your clinic has replaced or cancelled it. "
                    "Please use the newest link they sent you, or contact them."),
    }
    title, message = messages.get(reason, messages["expired"])
    return render_template("patient_link/gone.html", title=title, message=message), 410


def _state(invitation: Invitation) -> str | None:
    now = utcnow()
    if invitation.submitted_at is not None:
        return "submitted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return None


def _by_token(token: str) -> Invitation | None:
    if not 20 <= len(token) <= 100:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def check_dob(invitation: Invitation, form) -> str | None:
    """Verify the posted date of birth (see :func:`clinic.operations.check_dob`)."""
    cfg = current_app.config
    dob = parse_dob(form.get("dob_day", ""), form.get("dob_month", ""), form.get("dob_year", ""))
    return operations.check_dob(invitation, dob, max_attempts=cfg["DOB_MAX_ATTEMPTS"],
                                lock_minutes=cfg["DOB_LOCK_MINUTES"], max_locks=cfg["DOB_MAX_LOCKS"])


def _begin_session(invitation: Invitation) -> None:
    session.pop("sid", None)  # a patient link never runs inside a clinician's sign-in
    session[SESSION_KEY] = {"inv": invitation.id, "until": _until()}
    session.permanent = True


def _until() -> str:
    return (utcnow() + dt.timedelta(minutes=current_app.config["INTAKE_SESSION_MINUTES"])).isoformat()


def current_invitation(*, allow_expired_session: bool = False) -> tuple[Invitation, bool]:
    """The invitation of this intake session and whether the session is still verified.

    Aborts with a kind page when there is no session; raises LinkGone for an inactive link."""
    state = session.get(SESSION_KEY)
    if not state:
        raise SessionEnded()
    invitation = db.session.get(Invitation, state.get("inv"))
    if invitation is None:
        session.pop(SESSION_KEY, None)
        raise SessionEnded()
    gone = _state(invitation)
    if gone:
        raise LinkGone(gone)
    verified = dt.datetime.fromisoformat(state["until"]) > utcnow()
    if not verified and not allow_expired_session:
        raise SessionEnded()
    return invitation, verified


def _refresh() -> None:
    state = dict(session.get(SESSION_KEY) or {})
    state["until"] = _until()
    session[SESSION_KEY] = state


@bp.errorhandler(LinkGone)
def _link_gone(exc: LinkGone):
    session.pop(SESSION_KEY, None)
    return _gone(exc.reason)


@bp.errorhandler(SessionEnded)
def _session_ended(_exc: SessionEnded):
    return render_template("patient_link/gone.html", title="Please open your link again",
                           message="For your security, this page closes after a while without activity. Open the "
                                   "link from your clinic's message again and enter your date of birth: every "
                                   "step you saved is kept."), 403


def _csrf_recover(_exc):
    """The page was open so long that its security token expired: show it again with everything the
    patient typed, unsaved, so one more press of the button keeps it."""
    try:
        invitation, verified = current_invitation(allow_expired_session=True)
    except LinkGone as exc:
        return _gone(exc.reason)
    except SessionEnded as exc:
        return _session_ended(exc)
    assessment = db.session.get(Assessment, invitation.assessment_id)
    index = (request.view_args or {}).get("step", 0)
    if not 0 <= index < len(assessment.instruments):
        abort(404)
    ctx = build_step(assessment, index, respondent="patient", formdata=request.form)
    return render_template("patient_link/step.html", ctx=ctx, step=index, total=len(assessment.instruments),
                           reverify=not verified, csrf_expired=True, form_values=request.form,
                           row_version=posted_version(request.form) or assessment.row_version), 400


@bp.record_once
def _register(state) -> None:
    state.app.extensions.setdefault("phat_csrf_recovery", {})["patient_link.step"] = _csrf_recover


# --------------------------------------------------------------------------- routes

def _too_many(reason: str, seconds: int):
    """429 for an address that opened too many links, or too many that do not work (TOK-06)."""
    wait = throttle.describe_wait(seconds)
    if reason == "bad_tokens":
        title = "Too many links that do not work"
        message = (f"Several links opened from this connection were not recognised or are no longer active. "
                   f"For your security, please wait {wait} and try again, or contact your clinic for a new link.")
    else:
        title = "Too many attempts"
        message = (f"Links were opened many times from this connection in a short time. Please wait {wait} "
                   f"and try again.")
    response = current_app.make_response((render_template("patient_link/gone.html", title=title,
                                                           message=message), 429))
    response.headers["Retry-After"] = str(max(1, seconds))
    return response


@bp.route("/p/<token>", methods=["GET", "POST"])
@public
def open_link(token: str):
    # Counted per address in the shared store (clinic.throttle) before the token is looked up, and
    # committed at once: a refused or unknown link still counts.  The token itself is never stored
    # or logged there.
    refusal = throttle.patient_link_refusal()
    db.session.commit()
    if refusal is not None:
        return _too_many(*refusal)
    invitation = _by_token(token)
    if invitation is None:
        throttle.patient_link_bad_token()
        db.session.commit()
        abort(404, "This link is not recognised. Check that you copied all of it, or contact your clinic.")
    gone = _state(invitation)
    if gone:
        throttle.patient_link_bad_token()
        db.session.commit()
        return _gone(gone)
    clinic = db.session.get(Clinic, invitation.clinic_id).name
    error = None
    if request.method == "POST":
        error = check_dob(invitation, request.form)
        if error is None:
            audit.record("intake.open", object_type="invitation", object_id=invitation.id,
                         patient_id=invitation.patient_id, clinic_id=invitation.clinic_id, actor="patient_link")
            db.session.commit()
            _begin_session(invitation)
            return redirect(url_for("patient_link.resume"), 303)
        db.session.commit()
    status = 422 if error else 200
    return render_template("patient_link/verify.html", error=error, form=request.form, clinic=clinic,
                           action=request.path), status


@bp.get("/intake")
@public
def resume():
    invitation, _ = current_invitation()
    assessment = db.session.get(Assessment, invitation.assessment_id)
    step = min(assessment.current_step or 0, len(assessment.instruments))
    if step >= len(assessment.instruments):
        return redirect(url_for("patient_link.check"), 303)
    return redirect(url_for("patient_link.step", step=step), 303)


@bp.route("/intake/steps/<int:step>", methods=["GET", "POST"])
@public
def step(step: int):
    invitation, verified = current_invitation(allow_expired_session=request.method == "POST")
    assessment = db.session.get(Assessment, invitation.assessment_id)
    if not 0 <= step < len(assessment.instruments):
        abort(404)
    ctx = build_step(assessment, step, respondent="patient",
                     formdata=request.form if request.method == "POST" else None)
    reverify_error = None
    incomplete = request.method == "GET" and request.args.get("incomplete") == "1"
    if request.method == "POST":
        if not verified:
            # The intake session lapsed while the patient was typing: keep what they typed and ask for
            # the date of birth again on the same page; nothing is saved until it matches.
            if request.form.get("dob_year"):
                reverify_error = check_dob(invitation, request.form)
                db.session.commit()
                verified = reverify_error is None
            if not verified:
                ctx = build_step(assessment, step, respondent="patient", formdata=request.form)
                return render_template("patient_link/step.html", ctx=ctx, step=step, total=len(assessment.instruments),
                                       reverify=True, reverify_error=reverify_error, form_values=request.form,
                                       row_version=posted_version(request.form) or assessment.row_version), 401
            _refresh()
        posted = posted_version(request.form)
        if posted != assessment.row_version:
            return _changed_elsewhere(invitation, step)
        try:
            outcome = handle_step_post(assessment, ctx, request.form, actor="patient_link")
            db.session.commit()
        except StaleDataError:
            # Sent (or saved from another window) between reading this page and saving it.
            db.session.rollback()
            return _changed_elsewhere(invitation, step)
        if outcome is not None:
            _refresh()
            if outcome == "later":
                session.pop(SESSION_KEY, None)
                session["intake_saved_until"] = invitation.expires_at.isoformat()
                return redirect(url_for("patient_link.saved"), 303)
            if outcome == "back":
                return redirect(url_for("patient_link.step", step=max(0, step - 1)), 303)
            if outcome == "save":
                return redirect(url_for("patient_link.step", step=step, saved=1), 303)
            if step + 1 < len(assessment.instruments):
                return redirect(url_for("patient_link.step", step=step + 1), 303)
            return redirect(url_for("patient_link.check"), 303)
    else:
        _refresh()
        if incomplete and assessment.instruments[step] in (assessment.answers or {}):
            # Sent before this step was finished: mark the questions that still need an answer (a
            # step never saved only gets the notice).
            visible = {item.id for item in ctx.step.items}
            ctx.step.errors = {k: v for k, v in operations.missing_answers(assessment, step, "patient").items()
                               if k in visible}
    status = 422 if request.method == "POST" else 200
    return render_template("patient_link/step.html", ctx=ctx, step=step, total=len(assessment.instruments),
                           saved=request.args.get("saved") == "1", reverify=False,
                           incomplete=incomplete,
                           row_version=posted_version(request.form) if request.method == "POST"
                           else assessment.row_version), status


def _changed_elsewhere(invitation: Invitation, step: int):
    """A stale step save: nothing is stored.  If the answers were sent meanwhile, say so (410);
    otherwise show the page again with what the patient typed, based on the answers now saved."""
    db.session.rollback()
    db.session.refresh(invitation)
    gone = _state(invitation)
    if gone:
        raise LinkGone(gone)
    assessment = db.session.get(Assessment, invitation.assessment_id)
    db.session.refresh(assessment)
    ctx = build_step(assessment, step, respondent="patient", formdata=request.form)
    return render_template("patient_link/step.html", ctx=ctx, step=step, total=len(assessment.instruments),
                           reverify=False, changed_elsewhere=True, row_version=assessment.row_version), 409


@bp.route("/intake/check", methods=["GET"])
@public
def check():
    invitation, _ = current_invitation()
    assessment = db.session.get(Assessment, invitation.assessment_id)
    view = review_view(assessment, with_scores=False, respondent="patient")  # answers in words only, in her own voice
    # Steps not saved, or saved with questions still to answer: sending goes to the first of them.
    missing = [i for i, iid in enumerate(assessment.instruments)
               if iid not in (assessment.answers or {}) or operations.missing_answers(assessment, i, "patient")]
    _refresh()
    return render_template("patient_link/check.html", view=view, missing=missing, assessment=assessment,
                           changed=request.args.get("changed") == "1")


@bp.post("/intake/submit")
@public
def submit():
    invitation, _ = current_invitation()
    assessment = db.session.get(Assessment, invitation.assessment_id)
    if posted_version(request.form) != assessment.row_version:
        db.session.refresh(invitation)
        gone = _state(invitation)
        if gone:  # sent meanwhile from another window
            raise LinkGone(gone)
        # The answers changed (another window) after the patient checked them: check again.
        return redirect(url_for("patient_link.check", changed=1), 303)
    try:
        submitted = submit_intake(invitation.id)
    except Incomplete as exc:
        # Steps left unsaved or unfinished: nothing is sent; the first such step says what is missing.
        db.session.rollback()
        return redirect(url_for("patient_link.step", step=exc.step, incomplete=1), 303)
    if not submitted:
        db.session.rollback()
        db.session.refresh(invitation)
        raise LinkGone(_state(invitation) or "submitted")
    db.session.commit()
    session.pop(SESSION_KEY, None)
    session["intake_done"] = invitation.id  # an id, never the answers or their urgency
    return redirect(url_for("patient_link.thanks"), 303)


@bp.get("/intake/saved")
@public
def saved():
    until = session.get("intake_saved_until")
    if not until:
        return redirect(url_for("auth.login"))
    return render_template("patient_link/saved.html", expires=dt.datetime.fromisoformat(until))


@bp.get("/intake/thanks")
@public
def thanks():
    done = session.get("intake_done")
    if not done:
        return redirect(url_for("auth.login"))
    urgency, maternity = None, False
    invitation = db.session.get(Invitation, done) if isinstance(done, str) else None
    if invitation is not None and invitation.submitted_at is not None:
        assessment = db.session.get(Assessment, invitation.assessment_id)
        urgency = {"T5": "emergency", "T4": "urgent", "T3": "contact"}.get(alerts.firing(assessment.result)[0])
        context = (assessment.answers or {}).get(defs.CONTEXT) or {}
        weeks = context.get("weeks_since_birth")
        maternity = context.get("pregnancy") == "pregnant" or (
            bool(context.get("given_birth")) and isinstance(weeks, int) and weeks <= 6)
    settings = clinic_settings.for_clinic(invitation.clinic_id) if invitation is not None else None
    return render_template("patient_link/thanks.html", urgency=urgency, maternity=maternity,
                           clinic=settings.name if settings else None, phone=settings.phone if settings else "")
