"""A clinician starts a bulk report export in the browser, watches the progress bar fill (app.js
asks the server every 2 s; no inline script, no timed refresh), downloads the zip, and exports a
signed assessment as FHIR that validates with the R4B models.  The live server has no Redis, so
the local worker process that starts with the first job renders the reports: the embedded path of
`make run` (Chromium)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import zipfile

import pytest
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import expect

from .conftest import run_cli
from .test_clinician_basics import sign_in

pytestmark = pytest.mark.browser


def test_bulk_export_with_progress_then_fhir(page, steps, live_server):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    run_cli(live_server, "demo-data", "--force")
    sign_in(page, steps, live_server, DEMO_EMAIL, DEMO_PASSWORD)
    page.get_by_role("link", name="Exports", exact=True).click()
    steps.check("exports-page")
    today = dt.date.today()
    bulk = page.locator("form[action='/exports/reports']")
    bulk.get_by_label("From").fill((today - dt.timedelta(days=90)).isoformat())
    bulk.get_by_label("To").fill(today.isoformat())
    bulk.get_by_label("Both").check()
    bulk.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report export")
    progress = page.locator("progress#job-progress")
    expect(progress).to_be_visible()
    steps.check("progress-started")
    seen = set()
    expect(page.get_by_role("link", name="Refresh to see how far it has got")).to_be_hidden()  # app.js runs
    for _ in range(240):
        seen.add(page.get_by_role("status").inner_text())
        if page.get_by_role("link", name="Download the zip").count():
            break
        page.wait_for_timeout(500)
    steps.check("progress-done")
    assert len(seen) >= 2  # it moved while we watched
    expect(progress).to_have_attribute("value", progress.get_attribute("max"))
    with page.expect_download() as info:
        page.locator("a", has_text="Download the zip").click()
    target = steps.folder / "reports.zip"
    info.value.save_as(target)
    names = zipfile.ZipFile(io.BytesIO(target.read_bytes())).namelist()
    with sqlite3.connect(live_server.db_url.removeprefix("sqlite:///")) as conn:
        signed = conn.execute("SELECT count(*) FROM assessments WHERE status = 'signed' AND performed_on >= ?",
                              ((today - dt.timedelta(days=90)).isoformat(),)).fetchone()[0]
    assert signed >= 3 and len(names) == 2 * signed  # every signed demo visit in the range, both reports
    assert all(n.endswith(".pdf") for n in names)

    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Search by name or date of birth").fill("okafor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Demo-Okafor, Sam").click()
    page.locator("section.episode table tbody tr").first.get_by_role("link").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="FHIR export").click()
    target = steps.folder / "assessment.fhir.json"
    info.value.save_as(target)
    Bundle.model_validate(json.loads(target.read_text()))
