"""Request input the database cannot store or compare is refused before any view runs.

* Integers in URLs: the ``int`` converter accepts only what fits a 32-bit signed column (both
  databases store ids and versions in INTEGER); anything larger is a plain 404, never an overflow.
* NUL bytes: PostgreSQL text cannot hold U+0000 and SQLite would store a string that no later
  comparison matches.  A request whose path, query string or form (names or values) contains one
  is answered 400 with a message saying what to remove; nothing is stored.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1
NUL_MESSAGE = ("Something you sent contains a control character (NUL) that cannot be stored. "
               "Remove it, for example by typing the text again instead of pasting it, and try again.")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:x>`` limited to 0 .. 2**31-1 unless a route says otherwise."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class NulInRequest(BadRequest):
    def __init__(self) -> None:
        super().__init__(NUL_MESSAGE)  # an instance description: the error page shows it


def has_nul(values) -> bool:
    return any("\x00" in v for v in values)


def check_request() -> None:
    """Raise :class:`NulInRequest` when any part of the request holds a NUL character."""
    if "\x00" in request.path or "\x00" in (request.query_string or b"").decode("latin-1") \
            or has_nul(request.args.keys()) or has_nul(request.args.values()):
        raise NulInRequest()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        form = request.form
        if has_nul(form.keys()) or any(has_nul(form.getlist(k)) for k in form):
            raise NulInRequest()


class TrustedHostGuard:
    """Answer 400 to a Host header outside TRUSTED_HOSTS before Flask routes the request (Flask's
    own check leaves no URL adapter, so even its error page could not be drawn)."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.flask_app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        from werkzeug.exceptions import SecurityError
        from werkzeug.sansio.utils import get_host
        from werkzeug.wrappers import Response

        hosts = self.flask_app.config.get("TRUSTED_HOSTS")
        if hosts:
            try:
                get_host(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"),
                         (environ.get("SERVER_NAME", ""), int(environ.get("SERVER_PORT") or 0)), hosts)
            except SecurityError:
                body = ("<!doctype html><html lang=\"en\"><head><title>Unknown address</title></head><body>"
                        "<h1>Unknown address</h1><p>This server does not answer to that host name.</p></body></html>")
                response = Response(body, status=400, mimetype="text/html")
                response.headers["Cache-Control"] = "no-store"
                response.headers["X-Content-Type-Options"] = "nosniff"
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Install the bounded converter (before blueprints register routes), the NUL check and the
    trusted-host guard (inside ProxyFix, so it sees the forwarded host)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app.app = TrustedHostGuard(app, app.wsgi_app.app)
    else:
        app.wsgi_app = TrustedHostGuard(app, app.wsgi_app)  # type: ignore[method-assign]
    app.url_map.converters["int"] = BoundedIntegerConverter
    # First before_request: runs ahead of the sign-in gate, so nothing touches the database.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
