"""Hostile free text stays text, and the report fetcher refuses everything but its own assets.

A listening socket on 127.0.0.1 stands in for an internal service: the hostile text points
at it, and the test proves nothing ever connected.
"""

from __future__ import annotations

import io
import re
import select
import socket
from dataclasses import replace
from urllib.request import HTTPRedirectHandler

import pytest
from pypdf import PdfReader
from weasyprint import CSS
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from pdf.assets import ASSETS, STYLESHEET_PATH
from pdf.context import InstrumentResult, ItemAnswer, Patient
from pdf.fetcher import MAX_DATA_URI, RefusedURL, ReportURLFetcher
from pdf.render import RenderError, render, render_html
from pdf.sample import sample_context

PNG_1PX = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")




@pytest.fixture
def listener():
    """A TCP listener on a free loopback port; yields (port, connections_seen())."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)

    def connections() -> int:
        seen = 0
        while select.select([server], [], [], 0.3)[0]:
            conn, _ = server.accept()
            conn.close()
            seen += 1
        return seen

    try:
        yield server.getsockname()[1], connections
    finally:
        server.close()


def payloads(port: int) -> list[str]:
    return [
        "<script>alert(1)</script>",
        f'<img src="http://127.0.0.1:{port}/">',
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/hostname">',
        f"<style>@import url(http://127.0.0.1:{port}/);</style>",
        f"@import url(http://127.0.0.1:{port}/);",
    ]


def hostile_context(port: int):
    evil = " ".join(payloads(port))
    base = sample_context(signed=False)
    ins = base.instruments[0]
    answers = (ItemAnswer("3", f"Label {evil}", f"Answer {evil}"), *ins.answers[1:])
    instruments = (replace(ins, answers=answers, band_source=evil), *base.instruments[1:])
    return replace(
        base,
        patient=Patient(f"Eve {payloads(port)[0]}", base.patient.date_of_birth, "Female"),
        clinician_notes=(f"Note {evil}",),
        instruments=instruments,
        next_step=f"Next {evil}",
    )


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_hostile_text_is_printed_literally_and_fetches_nothing(listener):
    port, connections = listener
    context = hostile_context(port)
    for kind in ("clinician", "patient"):
        html = render_html(context, kind)
        assert "<script>" not in html and f'<img src="http://127.0.0.1:{port}/">' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        data = render(context, kind)
        reader = PdfReader(io.BytesIO(data))
        text = flat("\n".join(page.extract_text() for page in reader.pages))
        expected = payloads(port) if kind == "clinician" else [payloads(port)[0]]
        for payload in expected:
            assert flat(payload) in text, payload
        root = reader.trailer["/Root"]
        assert "/EmbeddedFiles" not in root.get("/Names", {})
        assert reader.attachments == {}
        assert b"root:x:0:0" not in data
    assert connections() == 0


def test_patient_summary_carries_the_hostile_next_step_but_not_the_note(listener):
    port, _ = listener
    text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render(hostile_context(port),
                                                                                 "patient"))).pages))
    assert flat("Next <script>alert(1)</script>") in text
    assert "Note<script>" not in text


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/hostname",
    "http://127.0.0.1:{port}/",
    "https://127.0.0.1:{port}/",
    "ftp://127.0.0.1:{port}/",
    "gopher://127.0.0.1:{port}/",
    "asset:../../../../etc/passwd",
    "asset:/etc/passwd",
    "asset:fonts/../../render.py",
    "report.css",
    "//127.0.0.1:{port}/",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/svg+xml,<svg/>",
])
def test_fetcher_refuses_everything_else(url, listener):
    port, connections = listener
    url = url.format(port=port)
    with pytest.raises(FatalURLFetchingError):
        ReportURLFetcher().fetch(url)
    with pytest.raises(RefusedURL):
        ReportURLFetcher(fatal=False).fetch(url)
    with pytest.raises(FatalURLFetchingError):
        ReportURLFetcher()(url)  # WeasyPrint calls the fetcher object itself
    assert connections() == 0


def test_fetcher_serves_packaged_assets_and_small_images_only():
    fetcher = ReportURLFetcher()
    css = fetcher.fetch("asset:report.css")
    assert css.read() == STYLESHEET_PATH.read_bytes() and css.content_type == "text/css"
    for name in ASSETS:
        assert fetcher.fetch(f"asset:{name}").read()
    image = fetcher.fetch(f"data:image/png;base64,{PNG_1PX}")
    assert image.read().startswith(b"\x89PNG") and image.content_type == "image/png"
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("data:image/png;base64," + "A" * MAX_DATA_URI)


def test_fetcher_has_no_url_opening_handlers():
    fetcher = ReportURLFetcher()
    assert isinstance(fetcher, URLFetcher)
    assert fetcher.handlers == [] and fetcher.handle_open == {}
    assert not any(isinstance(h, HTTPRedirectHandler) for h in fetcher.handlers)
    with pytest.raises(FatalURLFetchingError):
        fetcher.open("http://127.0.0.1:9/")


def test_css_import_through_the_fetcher_is_refused(listener):
    port, connections = listener
    with pytest.raises(FatalURLFetchingError):
        CSS(string=f"@import url(http://127.0.0.1:{port}/x.css);", url_fetcher=ReportURLFetcher())
    assert connections() == 0


def test_a_render_asking_for_a_forbidden_url_fails_closed(listener, monkeypatch, tmp_path):
    """If a template ever emitted a URL, the render stops with a RenderError and no PDF."""
    port, connections = listener
    from pdf import render as render_module

    real = render_module.render_html

    def leaky(context, kind="clinician", **kwargs):
        return real(context, kind, **kwargs).replace(
            "<main>", f'<main><img alt="x" src="http://127.0.0.1:{port}/leak.png">')

    monkeypatch.setattr(render_module, "render_html", leaky)
    with pytest.raises(RenderError, match="may not load"):
        render_module.render(sample_context(), "patient")
    with pytest.raises(RenderError):
        render_module.write_pdf_atomic(sample_context(), tmp_path / "x.pdf", "patient")
    assert list(tmp_path.iterdir()) == []
    assert connections() == 0


def test_logo_must_be_a_small_png_or_jpeg():
    from pdf.context import Logo

    with pytest.raises(ValueError):
        Logo(b"<svg onload=alert(1)>", "image/svg+xml")
    with pytest.raises(ValueError):
        Logo(b"x" * (256 * 1024 + 1), "image/png")


def test_instrument_text_fields_are_plain_text():
    ins = InstrumentResult(id="x", name="<b>X</b>", short_name="X", version="1", domain="urinary",
                           score=1, score_range=(0, 2), licence="<i>licence</i>")
    html = render_html(replace(sample_context(), instruments=(ins,)), "clinician")
    assert "&lt;b&gt;X&lt;/b&gt;" in html and "&lt;i&gt;licence&lt;/i&gt;" in html
