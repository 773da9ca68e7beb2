"""Report preview and download: own clinic only, audited, opaque file names, no-store; CLI export."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from clinic.db import db
from clinic.models import Assessment, AuditEvent

from .support import Account, login, make_account


@pytest.fixture
def demo(app):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert login(client, Account(0, 0, DEMO_EMAIL, DEMO_PASSWORD)).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(Assessment).order_by(Assessment.performed_on)).all()
        okafor = [a.id for a in rows if a.patient.family_name == "Demo-Okafor"]
        flagged = [a.id for a in rows if a.red_flag_count][0]
    return client, okafor, flagged


def test_download_is_an_opaque_attachment_with_the_scores_and_the_trend(app, demo):
    client, okafor, _ = demo
    resp = client.get(f"/assessments/{okafor[-1]}/report/clinician.pdf")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "Okafor" not in disposition and "1987" not in disposition
    assert resp.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(resp.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Sam Demo-Okafor" in text
    assert "T2a" in text and "Supervised pelvic" in text
    assert "ICIQ" in text and "Change since earlier visits" in text
    assert "Klovning" in text and "NICE QS77" in text
    assert 2 <= len(reader.pages) <= 5  # five instruments, exam, gates, plan, two trends
    assert "Thresholds in force" in text and "Pain score bands (NPRS)" in text and "Nprs" not in text
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.download")).all()
        assert len(events) == 1 and events[0].patient_id is not None


def test_patient_summary_leaves_out_clinician_only_content(app, demo):
    client, okafor, _ = demo
    resp = client.get(f"/assessments/{okafor[-1]}/report/patient.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)
    assert "Your pelvic health assessment" in text
    assert "Hop still provokes a little leakage" not in text  # clinician notes
    assert "SYM-UI" not in text and "Klovning" not in text
    assert "call 999" in text.lower()


def test_red_flag_appears_in_both_documents(app, demo):
    client, _, flagged = demo
    clinician = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/assessments/{flagged}/report/clinician.pdf").data)).pages)
    patient = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/assessments/{flagged}/report/patient.pdf").data)).pages)
    assert "B2" in clinician and "T5" in clinician
    assert "999" in patient


def test_preview_page_frames_the_same_html(app, demo):
    client, okafor, _ = demo
    page = client.get(f"/assessments/{okafor[-1]}/report/clinician")
    assert page.status_code == 200 and "Download PDF" in page.get_data(as_text=True)
    doc = client.get(f"/assessments/{okafor[-1]}/report/clinician/document")
    assert doc.status_code == 200 and "frame-ancestors 'self'" in doc.headers["Content-Security-Policy"]
    assert doc.headers["Cache-Control"] == "no-store"
    html = doc.get_data(as_text=True)
    assert "/report-assets/report.css" in html and "Sam Demo-Okafor" in html
    with client.get("/report-assets/report.css") as css:
        assert css.status_code == 200
    assert client.get("/report-assets/../../etc/passwd").status_code == 404
    assert client.get("/report-assets/render.py").status_code == 404


def test_item_ids_print_only_for_instruments_with_their_own_numbering(app, demo):
    from bs4 import BeautifulSoup

    client, okafor, _ = demo
    soup = BeautifulSoup(client.get(f"/assessments/{okafor[-1]}/report/clinician/document").data, "html.parser")
    heads = {}
    for article in soup.select("article.instrument"):
        name = article.h3.get_text(" ", strip=True)
        heads[name.split(" version")[0]] = [th.get_text(strip=True) for th in article.select("table.answers th")]
    intake = next(cols for name, cols in heads.items() if name.startswith("About you"))
    iciq = next(cols for name, cols in heads.items() if name.startswith("International Consultation"))
    assert intake[0].startswith("Question") and len(intake) == 2  # named items: no id column
    assert iciq[0] == "Item" and len(iciq) == 3                     # ICIQ's own item numbers
    assert "weeks_since_birth" not in soup.get_text()


def test_review_page_shows_item_numbers_only_where_the_instrument_has_them(app, demo):
    from bs4 import BeautifulSoup

    client, okafor, _ = demo
    soup = BeautifulSoup(client.get(f"/assessments/{okafor[-1]}").data, "html.parser")
    columns = {table.caption.get_text(strip=True): [th.get_text(strip=True) for th in table.select("thead th")]
               for table in soup.select("details.answers table")}
    assert columns["Answers to About you and your running"] == ["Question", "Answer"]
    iciq = next(cols for caption, cols in columns.items() if "Incontinence" in caption)
    assert iciq == ["Item", "Question", "Answer"]


def test_review_page_charts_change_since_the_earlier_visit(app, demo):
    from bs4 import BeautifulSoup

    client, okafor, _ = demo
    soup = BeautifulSoup(client.get(f"/assessments/{okafor[-1]}").data, "html.parser")
    section = soup.find("h2", string="Change since earlier visits").find_parent("section")
    figures = section.select("figure.trend")
    assert len(figures) == 2  # ICIQ-UI SF and POP-SS were scored at both visits
    for figure in figures:
        chart = figure.find("svg")
        assert chart["role"] == "img" and chart.find("title").get_text()
        assert "minimal important difference" in figure.figcaption.get_text()
    assert "Improved by 5 points since the previous visit (10 \u2192 5)" in section.get_text()  # ICIQ-UI SF
    first = BeautifulSoup(client.get(f"/assessments/{okafor[0]}").data, "html.parser")
    assert not first.find("h2", string="Change since earlier visits")  # nothing earlier to compare with


def test_which_instruments_print_their_item_numbers():
    import assessments
    from clinic.catalogue import numbered

    def ids(instrument_id):
        return [item.id for item in assessments.get(instrument_id).items]

    for own_numbers in ("iciq-ui-sf", "pfiq-7", "pop-ss", "pfdi-20"):  # pop-ss: 7 of 8 items numbered
        assert numbered(ids(own_numbers)), own_numbers
    for named in ("intake-context", "intake-bladder-bowel", "nprs", "wexner"):
        assert not numbered(ids(named)), named
    assert not numbered([]) and not numbered(["q1_anything"])


def test_reports_are_404_for_another_clinic(app, demo):
    _, okafor, _ = demo
    other = app.test_client()
    login(other, make_account(app, clinic="Another clinic"))
    for url in (f"/assessments/{okafor[-1]}/report/clinician.pdf", f"/assessments/{okafor[-1]}/report/patient",
                f"/assessments/{okafor[-1]}/report/clinician/document"):
        assert other.get(url).status_code == 404
    assert app.test_client().get(f"/assessments/{okafor[-1]}/report/clinician.pdf").status_code == 302


def test_cli_render_and_export(app, demo, tmp_path):
    _, okafor, _ = demo
    runner = app.test_cli_runner()
    out = tmp_path / "one.pdf"
    result = runner.invoke(args=["render-report", okafor[-1], "--out", str(out), "--kind", "patient"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    result = runner.invoke(args=["export-reports", "--from", "2000-01-01", "--to", "2100-01-01",
                                 "--out", str(tmp_path / "bulk"), "--processes", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        signed = db.session.scalars(select(Assessment).where(Assessment.status == "signed")).all()
    assert len(list((tmp_path / "bulk").glob("*.pdf"))) == len(signed)
    bad = runner.invoke(args=["render-report", "nope", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and not (tmp_path / "x.pdf").exists()


def test_render_failure_gives_a_clear_message_and_no_file(app, demo):
    client, _, _ = demo
    with app.app_context():  # an unsigned visit (a signed one downloads from the archive)
        unsigned = db.session.scalar(select(Assessment.id).where(Assessment.status != "signed").limit(1))
    # Reports render in a separate, capped process (clinic.archive): starve it of memory.
    app.config["RENDER_MEMORY_MB"] = 64
    resp = client.get(f"/assessments/{unsigned}/report/clinician.pdf")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 500 and resp.mimetype == "text/html"
    assert "The report could not be produced" in text and "more memory" in text and "Traceback" not in text
    with app.app_context():
        assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.download")).all()
