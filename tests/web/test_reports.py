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
        flagged = [a.id for a in rows if a.patient.family_name == "Demo-Mensah"][0]  # heavy bleeding (B2, T5)
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
    assert 2 <= len(reader.pages) <= 6  # five instruments, exam, gates, plan, two trends, every threshold in force
    assert "Thresholds in force" in text and "Pain score bands" in text and "Nprs" not in text
    assert "Blood in the urine after a run" in text and "Pessary review" in text  # triage settings too
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


# ---- issue 11: the four cases of the issue get the tier the clinical policy asks for, on the review page
# and in both PDFs
_RUNNER = {"menopause": "periods", "pregnancy": "no", "given_birth": False, "contraception": ["none"],
           "running_status": "regular", "run_km_week": 40, "load_change": "none", "rest_days": 2,
           "skip_meals": False, "push_through_fatigue": False, "sleep_hours": 7.5, "fatigue": "usual",
           "diagnoses": ["none"], "mental_health": ["none"], "feels_off": False}
_QUIET_BLEED = {"heavy_periods": "no", "any_bleeding": True, "source": ["vaginal"], "timing": "no_pattern",
                "with_runs": "some_runs", "clots": False, "getting_heavier": False, "lasts": "hours",
                "faint": ["none"], "fever": False, "discharge": False, "pain": ["none"], "after_sex": "no",
                "since_birth": "not_recent", "ectropion": False, "dryness": False, "new_pattern": False,
                "heavy_training": "no", "cycle_changes": ["none"], "low_energy": False, "injuries_illness": False,
                "periods_returning": False}
ISSUE_11_CASES = {
    # 58, last birth 30 years ago, returning to running: a T1 strength recommendation, no postnatal wording
    "58-year-old": ("1968-03-01", {**_RUNNER, "age": 58, "menopause": "post", "given_birth": True,
                                   "last_birth": "over_2y", "delivery": "vaginal", "perineal_trauma": "minor",
                                   "breastfeeding": False, "running_status": "returning"},
                    {"intake-prolapse": {"heaviness": "never", "bulge": "none", "diagnosed": False,
                                         "pessary": False, "dryness": False}}, "T1"),
    "marathoner": ("1990-05-05", dict(_RUNNER, age=36, race_goal="marathon"),
                   {"intake-bleeding": {"heavy_periods": "no", "any_bleeding": True, "source": ["urine"],
                                        "urine_after_runs": True, "urine_hours": 14, "urine_still": False,
                                        "urine_recurs": False}}, "T1"),
    "parous runner": ("1984-01-10", {**_RUNNER, "age": 42, "given_birth": True, "last_birth": "over_2y",
                                     "delivery": "vaginal", "perineal_trauma": "minor", "breastfeeding": False},
                      {"intake-prolapse": {"heaviness": "sometimes", "worse_running": True, "bulge": "none",
                                           "diagnosed": False, "pessary": False, "dryness": False}}, "T2a"),
    "first heavy bleed": ("1995-09-09", dict(_RUNNER, age=31),
                          {"intake-bleeding": {**_QUIET_BLEED, "heaviness": "hourly", "hourly_two_hours": False,
                                               "duration": "first"}}, "T3"),
}


@pytest.mark.parametrize("case", sorted(ISSUE_11_CASES))
def test_issue_11_cases_on_the_review_page_and_in_both_pdfs(app, case):
    import datetime as dt

    from clinic.models import Episode, User
    from clinic.operations import save_answers, start_assessment

    from .support import make_episode, make_patient

    dob, context, answers, tier = ISSUE_11_CASES[case]
    acct = make_account(app)
    client = app.test_client()
    login(client, acct)
    pid = make_patient(app, acct, date_of_birth=dt.date.fromisoformat(dob))
    eid = make_episode(app, acct, pid)
    with app.app_context():
        episode = db.session.get(Episode, eid)
        user = db.session.get(User, acct.id)
        a = start_assessment(episode, user, list(answers), dt.date(2026, 12, 1))
        save_answers(a, "intake-context", context)
        for iid, given in answers.items():
            save_answers(a, iid, given)
        db.session.commit()
        aid = a.id
        assert a.overall_tier == tier
    from bs4 import BeautifulSoup

    review = BeautifulSoup(client.get(f"/assessments/{aid}").get_data(as_text=True), "html.parser")
    assert review.find(id="tier-title").get_text(" ", strip=True).startswith(f"Overall: {tier} ·")
    clinician = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/assessments/{aid}/report/clinician.pdf").data)).pages)
    patient = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/assessments/{aid}/report/patient.pdf").data)).pages)
    assert tier in clinician
    assert "after birth" not in patient.lower() and "postnatal" not in patient.lower()
    if case == "first heavy bleed":
        assert "not serious" not in patient and "Nothing needs action now" not in patient
    if case == "marathoner":
        assert "comes back" in patient


def test_demo_ages_follow_the_date_of_birth(app, demo):
    from clinic.intake_forms import age_on

    with app.app_context():
        for a in db.session.scalars(select(Assessment)):
            context = (a.answers or {}).get("intake-context") or {}
            assert context.get("age") == age_on(a.patient.date_of_birth, a.performed_on), a.patient.family_name
