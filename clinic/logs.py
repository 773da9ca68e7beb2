"""Structured logs (issue 13): one JSON object per line on standard error, which gunicorn's error
log (or journald, or a shipper) collects.

Every record carries the request id, also sent as ``X-Request-ID`` and shown on error pages as
the reference a clinician can quote.  Records hold ids and codes only: no names, dates of birth,
email addresses, search terms, passwords, codes or tokens (the audit module logs the action, the
actor's user id and the object's opaque id; request paths hold only random ids).  JSON encoding
escapes CR/LF, so a value can never forge a second record.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys

from flask import Flask, g, has_request_context, request

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HANDLER_MARK = "_phat_json_handler"


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key in ("endpoint", "method", "user_id", "event", "object_type", "object_id", "actor"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(record, "request_id", None) or g.get("request_id")
            record.endpoint = getattr(record, "endpoint", None) or request.endpoint
            record.method = getattr(record, "method", None) or request.method
        return True


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        # A proxy's id is kept (to join its log with ours) only when proxies are trusted.
        if app.config.get("PROXY_FIX_HOPS") and _INCOMING_ID.match(incoming):
            g.request_id = incoming
        else:
            g.request_id = secrets.token_hex(8)

    @app.after_request
    def _send_id(response):
        if g.get("request_id"):
            response.headers["X-Request-ID"] = g.request_id
        return response

    logger = logging.getLogger("clinic")
    if not any(getattr(f, "_phat", False) for f in logger.filters):
        context = RequestContextFilter()
        context._phat = True  # type: ignore[attr-defined]
        logger.addFilter(context)
    logger.setLevel(logging.INFO)
    if app.testing or any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
        return  # tests read records through pytest's caplog
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    logger.propagate = False
