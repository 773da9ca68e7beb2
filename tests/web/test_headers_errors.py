"""Security headers, no-store and friendly error pages without tracebacks."""

from __future__ import annotations

import pytest

from .support import login, make_account, post


def test_security_headers_on_pages_and_errors(app, client):
    for url in ("/login", "/definitely-missing"):
        resp = client.get(url)
        h = resp.headers
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert "script-src 'self'" in h["Content-Security-Policy"]
        assert "unsafe-inline" not in h["Content-Security-Policy"]
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert h["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    with client.get("/static/app.css") as resp:
        assert resp.status_code == 200
        assert resp.headers.get("Cache-Control") != "no-store"


def test_no_inline_script_or_style_in_pages(app, client):
    acct = make_account(app)
    login(client, acct)
    from bs4 import BeautifulSoup

    for url in ("/login", "/", "/patients", "/patients/new", "/account/password"):
        soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
        assert all(s.get("src") for s in soup.find_all("script")), url
        assert not soup.find_all("style"), url
        assert not soup.find_all(attrs={"style": True}), url
        assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs), url


def test_404_page_is_friendly(client):
    resp = client.get("/nowhere")
    assert resp.status_code == 404
    assert "Page not found" in resp.get_data(as_text=True)


def test_500_page_has_reference_and_no_traceback(app, client, caplog):
    @app.get("/boom-test")
    def boom():
        raise RuntimeError("SELECT secret FROM patients -- internal detail")

    from clinic.access import public
    public(boom)
    resp = client.get("/boom-test")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "Traceback" not in text and "SELECT" not in text and "RuntimeError" not in text
    assert "Reference:" in text
    ref = text.split("<code>")[1].split("</code>")[0]
    assert any(ref in r.getMessage() for r in caplog.records)


def test_csrf_failure_is_a_friendly_400(app, client):
    acct = make_account(app)
    login(client, acct)
    resp = client.post("/patients/new", data={"given_name": "x"})
    assert resp.status_code == 400
    assert "This form has expired" in resp.get_data(as_text=True)


def test_oversized_request_is_refused(app, client):
    acct = make_account(app)
    login(client, acct)
    resp = post(client, "/patients/new", {"given_name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert resp.status_code == 413


@pytest.mark.parametrize("method", ["PUT", "DELETE", "TRACE"])
def test_unexpected_methods_are_refused(client, method):
    assert client.open("/login", method=method).status_code == 405
