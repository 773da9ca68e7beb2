"""A clinician prints both documents for the demo patient seen twice, as a new user would:
find the patient, open the latest visit, preview each report, download it, and the PDF says
what the preview said (Chromium)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import run_cli
from .test_clinician_basics import sign_in

pytestmark = pytest.mark.browser


def _download(page, steps, link_name: str, label: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    target = steps.folder / f"{label}.pdf"
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def _first_page_png(steps, pdf_path, label: str) -> Image.Image:
    """Page 1 at 60 dpi through pdftoppm, kept beside the screenshots."""
    prefix = steps.folder / label
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                    str(prefix)], check=True)
    return Image.open(f"{prefix}.png").convert("L")


def _inked_share(image: Image.Image) -> float:
    histogram = image.histogram()
    return sum(histogram[:200]) / (image.width * image.height)


def test_clinician_previews_and_downloads_both_reports_for_a_patient_seen_twice(page, steps, live_server):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm not found: `make test` installs Debian's poppler-utils.")
    run_cli(live_server, "demo-data", "--force")
    sign_in(page, steps, live_server, DEMO_EMAIL, DEMO_PASSWORD)

    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Search by name or date of birth").fill("okafor")  # second word of "Demo-Okafor"
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Demo-Okafor, Sam").click()
    visits = page.locator("section.episode table tbody tr")
    expect(visits).to_have_count(2)
    steps.check("patient-seen-twice")
    visits.first.get_by_role("link").click()
    page.get_by_role("link", name="Clinician report").click()

    # The preview frames the same HTML the PDF is made from, trend charts included.
    report = page.frame_locator("iframe.report-frame")
    report.get_by_role("heading", name="Change since earlier visits").wait_for()
    assert report.get_by_text("Sam Demo-Okafor").first.is_visible()
    steps.check("clinician-preview")
    name, data = _download(page, steps, "Download PDF", "clinician")
    assert re.fullmatch(r"pht-[0-9a-f]{10}-v\d+-clinician\.pdf", name), name  # opaque: no name, no date of birth
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert 2 <= len(reader.pages) <= 6  # two visits' instruments, trends and every threshold in force
    for expected in ("Sam Demo-Okafor", "Born 2 Nov 1987", "T2a", "Supervised pelvic", "ICIQ",
                     "Change since earlier visits", "minimal important difference", "Signed", "Page 1 of"):
        assert expected in text, expected
    assert _inked_share(_first_page_png(steps, steps.folder / "clinician.pdf", "clinician-page-1")) > 0.02

    page.get_by_role("link", name="Patient summary").click()
    summary = page.frame_locator("iframe.report-frame")
    summary.get_by_role("heading", name="Your pelvic health assessment").wait_for()
    steps.check("patient-preview")
    name, data = _download(page, steps, "Download PDF", "patient")
    assert re.fullmatch(r"pht-[0-9a-f]{10}-v\d+-patient\.pdf", name), name
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert 1 <= len(reader.pages) <= 2
    assert "Your pelvic health assessment" in text and "999" in text
    for clinician_only in ("SYM-UI", "Klovning", "Hop still provokes", "Clinician notes"):
        assert clinician_only not in text, clinician_only
    assert _inked_share(_first_page_png(steps, steps.folder / "patient.pdf", "patient-page-1")) > 0.02
