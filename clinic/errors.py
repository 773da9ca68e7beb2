"""Friendly error pages: no traceback, no SQL, a reference id that matches the server log."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError


class OperationError(Exception):
    """An operation (clinic.operations, clinic.alerts) is not allowed in the object's current state
    (maps to 409/410).  Defined here, beside the error pages, so every module can raise it without
    importing the operations."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status

log = logging.getLogger("clinic.errors")

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check the page and try again."),
    403: ("You do not have access to this page", "If you think you should, ask your clinic administrator."),
    404: ("Page not found", "The address may be mistyped, or the record is not available to you."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    409: ("That cannot be done right now", "The record changed or is in a state that does not allow this."),
    410: ("This link is no longer active", "It may have expired or already been used. "
                                           "Please contact your clinic for a new link."),
    413: ("That was too much data to send", "Shorten what you entered and try again."),
    429: ("Too many attempts", "Please wait a few minutes and try again."),
    503: ("The service is busy", "Nothing was lost or changed. Please wait a moment and try again."),
    500: ("Sorry, something went wrong on our side", "Your last action may not have been saved. "
                                                     "Try again in a moment; if it keeps happening, "
                                                     "tell your administrator the reference below."),
}


def render_error(code: int, title: str | None = None, message: str | None = None, ref: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    body = render_template("errors/error.html", code=code, title=title or default_title,
                           message=message or default_message, ref=ref)
    return body, code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        handler = app.extensions.get("phat_csrf_recovery", {}).get(request.endpoint)
        if handler is not None:
            try:
                response = handler(exc)
            except HTTPException as inner:  # e.g. another clinic's (404) or a signed (409) assessment
                db_rollback()
                return _http(inner)
            if response is not None:
                return response
        return render_error(400, "This form has expired",
                            "For your security, forms expire after a while. Go back, reload the page "
                            "and submit it again.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = exc.code or 500
        if code >= 500:
            return _server_error(exc)
        custom = exc.description if exc.description != type(exc).description else None
        return render_error(code, None, custom)

    @app.errorhandler(PoolTimeout)
    def _busy(_exc: PoolTimeout):
        """Every database connection of this worker is in use for longer than the pool timeout: say
        so at once (503, try again) rather than hang or look like a failure (DB-02)."""
        from .logs import request_id

        ref = request_id() or secrets.token_hex(8)
        log.warning("database pool exhausted ref=%s endpoint=%s", ref, request.endpoint, extra={"request_id": ref})
        db_rollback()
        # The page must not ask the pool again (loading the signed-in user would wait once more).
        from flask import g

        g._login_user = app.login_manager.anonymous_user()
        body, code = render_error(503, ref=ref)
        return body, code, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception):
        return _server_error(exc)

    def db_rollback() -> None:
        from .db import db
        db.session.rollback()

    def _server_error(exc: BaseException):
        from .logs import request_id

        ref = request_id() or secrets.token_hex(8)  # the same id as the log record and X-Request-ID
        original = getattr(exc, "original_exception", None) or exc
        if not isinstance(original, InternalServerError):
            log.error("unhandled error ref=%s endpoint=%s", ref, request.endpoint, exc_info=original,
                      extra={"request_id": ref})
        try:
            from .db import db
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the error page must render even if the session is broken
            log.exception("rollback failed ref=%s", ref)
        return render_error(500, ref=ref)
