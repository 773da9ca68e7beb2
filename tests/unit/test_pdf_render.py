"""Rendering the demo assessment: content, tagging, page counts, looks, atomic writes, bulk export.

Every test here fails on any WeasyPrint warning (missing font, bad CSS, refused URL...).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from pypdf import PdfReader

import pdf
from pdf import render as render_module
from pdf.assets import ASSETS, FONT_FACES, FONTS_CSS_PATH, FONTS_DIR, font_face_css
from pdf.render import RenderError, output_name, render, render_html, render_many, write_pdf_atomic
from pdf.sample import sample_context, sample_contexts


@pytest.fixture(scope="module")
def signed():
    return sample_context(signed=True)


@pytest.fixture(scope="module")
def clinician_pdf(signed):
    return render(signed, "clinician")


@pytest.fixture(scope="module")
def patient_pdf(signed):
    return render(signed, "patient")


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Text without whitespace, so line wrapping cannot hide or fake a match."""
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- content


def test_clinician_report_shows_scores_tiers_red_flags_and_citations(signed, clinician_pdf):
    text = flat(text_of(clinician_pdf))
    expected = [
        "9/21", "3/10", "moderate", "Klovning", "notanswered",         # scores, bands, incompleteness
        "T3", "GP/medicalreview", "T2a", "supervisedpelvichealthphysiotherapy",
        "Redflags(1)", "Vaginalbleedingmorethan8weeksafterbirth", "Whattodo:",
        "Source:Goom", "NICENG123", "Avery", "Stellingwerff",                  # citations
        "Adaptedwording", "ICIQ-UISFiscopyright",                              # licence + marker
        "Single-legbridge", "Leakageontheleftatthe6thhop",                    # gate test rows
        "✓Pass", "✗Notmet", "Green", "Provisional",                              # gates, CAT2
        "Dearcolleague", "Changesinceearliervisits", "reachestheminimalimportantdifferenceof2.5",
        "Keentorun",                                                           # clinician-only note
        "DrAileenMacRae", "Signed17Mar2026",
        "RPT-2026-0317-4127", "Page1of",
    ]
    missing = [e for e in expected if flat(e) not in text]
    assert missing == []
    for flag in signed.red_flags:
        assert flat(flag.citation) in text


def test_patient_summary_is_plain_and_leaves_clinician_content_out(signed, patient_pdf):
    text = flat(text_of(patient_pdf))
    assert flat("Please book an appointment with your GP") in text
    assert flat(signed.red_flags[0].patient_text) in text
    assert flat("When to get help urgently") in text
    assert flat("Your self-management plan") in text
    assert flat(signed.next_step) in text
    leaked = [
        *(flat(n) for n in signed.clinician_notes),                            # clinician-only notes
        *(flat(a.label) for i in signed.instruments for a in i.answers),      # item-level table
        *(flat(a.answer) for i in signed.instruments for a in i.answers if len(a.answer) > 3),
        *(flat(r.clinician_text) for r in signed.reasons),
        flat(signed.referral_letter),
        "U-SUI", "SP-15", "REC-PFMT", "QUESTION", "Clinicianreport", "Dearcolleague",
    ]
    assert [item for item in leaked if item in text] == []


def test_draft_is_marked_on_every_page():
    data = render(sample_context(signed=False), "clinician")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "DRAFT – not signed" in page.extract_text()
    assert "Draft: not signed" in text_of(data)


def pink_pixels(data: bytes, tmp_path, page: int) -> int:
    from PIL import Image

    source = tmp_path / f"{len(data)}.pdf"
    source.write_bytes(data)
    out = tmp_path / f"p{len(data)}-{page}"
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", str(page), "-l", str(page), "-singlefile",
                    str(source), str(out)], check=True, timeout=60)
    pixels = Image.open(f"{out}.png").convert("RGB").get_flattened_data()
    return sum(1 for r, g, b in pixels if r >= 240 and 8 <= r - g <= 30 and abs(g - b) <= 6)


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm not installed (apt-get install poppler-utils)")
def test_draft_watermark_is_drawn_on_every_page(clinician_pdf, tmp_path):
    draft = render(sample_context(signed=False), "clinician")
    pages = len(PdfReader(io.BytesIO(draft)).pages)
    for page in range(2, pages + 1):  # page 1 has the (pink) red-flag box in both versions
        assert pink_pixels(draft, tmp_path, page) > pink_pixels(clinician_pdf, tmp_path, page) + 300


def test_signed_report_is_not_marked_draft(clinician_pdf):
    for page in PdfReader(io.BytesIO(clinician_pdf)).pages:
        assert "DRAFT" not in page.extract_text() and "Draft" not in page.extract_text()


def test_referral_paragraph_only_for_t2b_and_above(signed):
    lower = replace(signed, overall_tier="T2a")
    assert "Dear colleague" not in render_html(lower)
    assert "Dear colleague" in render_html(signed)


def test_render_html_escapes_and_links_only_given_stylesheets(signed):
    html = render_html(signed, "clinician", stylesheet_urls=["/report-assets/fonts/fonts.css",
                                                             "/report-assets/report.css"],
                       logo_src="/clinic/logo")
    assert "Sarah O&#39;Neill" in html
    assert html.count('<link rel="stylesheet"') == 2 and 'src="/clinic/logo"' in html
    assert "<style" not in html and "<script" not in html and "style=" not in html
    pdf_html = render_html(signed, "clinician")
    assert "<link" not in pdf_html and "data:image/png;base64," in pdf_html


def test_unknown_kind_is_refused(signed):
    with pytest.raises(ValueError):
        render_html(signed, "insurer")


def test_templates_folder_can_be_overridden(signed, tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "patient.html").write_text("<p>{{ ctx.patient.name }}</p>")
    assert render_html(signed, "patient", templates=tmp_path) == "<p>Sarah O&#39;Neill</p>"


# --------------------------------------------------------------------------- structure


def test_pdfs_are_tagged_with_title_and_language(signed, clinician_pdf, patient_pdf):
    for data, title in ((clinician_pdf, "Clinician report: Sarah O'Neill, 17 Mar 2026"),
                        (patient_pdf, "Your assessment summary, 17 Mar 2026")):
        reader = PdfReader(io.BytesIO(data))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root
        assert bool(root["/MarkInfo"]["/Marked"])
        assert root["/Lang"] == "en-GB"
        assert reader.metadata.title == title
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def _structure(data: bytes) -> list[tuple[str, str]]:
    """(parent type, child type) for every link of the PDF's structure tree."""
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]["/StructTreeRoot"]
    links, stack = [], [(root, "Root")]
    while stack:
        node, name = stack.pop()
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object()
            if isinstance(kid, dict) and "/S" in kid:
                links.append((name, str(kid["/S"])[1:]))
                stack.append((kid, str(kid["/S"])[1:]))
    return links


def test_structure_tree_uses_lists_tables_and_headings_as_iso_32000_allows(clinician_pdf, patient_pdf):
    """Lists hold only list items (WeasyPrint tags a <dl> with wrapper <div>s as L > Div), and no
    heading holds another heading (a block inside an <h1> is tagged H1 > H1)."""
    for data in (clinician_pdf, patient_pdf):
        links = _structure(data)
        assert len(links) > 100
        assert not [(p, c) for p, c in links if p == "L" and c not in ("LI", "L", "Caption")]
        assert not [(p, c) for p, c in links if p[:1] == "H" and p[1:].isdigit() and c[:1] == "H" and c[1:].isdigit()]
        assert not [(p, c) for p, c in links if p == "LI" and c not in ("Lbl", "LBody")]
    types = {child for _, child in _structure(clinician_pdf)}
    assert {"H1", "H2", "H3", "Table", "TH", "TD", "L", "LI", "Figure"} <= types


def test_page_counts_are_in_range(clinician_pdf, patient_pdf):
    assert 2 <= len(PdfReader(io.BytesIO(clinician_pdf)).pages) <= 4
    assert 1 <= len(PdfReader(io.BytesIO(patient_pdf)).pages) <= 2


def test_bundled_font_is_embedded(clinician_pdf):
    reader = PdfReader(io.BytesIO(clinician_pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # The unique CSS family name proves the bundled files were used, not a system font.
    assert fonts and all("Report-Sans" in name for name in fonts), fonts


def test_fonts_css_matches_the_declared_faces():
    assert FONTS_CSS_PATH.read_text(encoding="utf-8").endswith(font_face_css(""))
    for face in FONT_FACES:
        assert (FONTS_DIR / face.file).stat().st_size < 80_000  # subset, not the 250 KB originals
    assert (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    assert all(path.is_file() for path in ASSETS.values())


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm not installed (apt-get install poppler-utils)")
def test_first_page_renders_visibly(clinician_pdf, tmp_path):
    from PIL import Image  # WeasyPrint depends on Pillow, so it is always there

    source = tmp_path / "report.pdf"
    source.write_bytes(clinician_pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True, timeout=60)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    pixels = list(image.get_flattened_data())
    ink = sum(1 for r, g, b in pixels if min(r, g, b) < 200)
    teal = sum(1 for r, g, b in pixels if b > r + 40 and g > r + 20)       # header, headings
    red = sum(1 for r, g, b in pixels if r > 150 and g < 110 and b < 110)  # red-flag box
    assert ink / len(pixels) > 0.04, "page 1 is (nearly) blank"
    assert teal > 50 and red > 20, "styles did not apply"


# --------------------------------------------------------------------------- writing files


def test_write_pdf_atomic_writes_a_private_file(signed, tmp_path):
    target = write_pdf_atomic(signed, tmp_path / "out.pdf", "patient")
    assert target.read_bytes().startswith(b"%PDF-1.7")
    assert os.stat(target).st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_render_failure_leaves_no_file(signed, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(render_module.HTML, "write_pdf", boom)
    with pytest.raises(RenderError) as info:
        write_pdf_atomic(signed, tmp_path / "out.pdf")
    assert "could not be produced" in str(info.value) and "exploded" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_write_failure_keeps_the_old_file_and_leaves_no_temp(signed, tmp_path, monkeypatch):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old report")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render_module.os, "replace", fail)
    with pytest.raises(RenderError, match="could not be saved"):
        write_pdf_atomic(signed, target, "patient")
    assert target.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_missing_folder_is_a_clear_error(signed, tmp_path):
    with pytest.raises(RenderError, match="does not exist"):
        write_pdf_atomic(signed, tmp_path / "nope" / "out.pdf")


def test_render_many_in_process_and_in_workers(tmp_path):
    contexts = sample_contexts(3, signed=False)
    in_process = render_many(contexts[:2], tmp_path / "one", processes=1, kind="patient")
    pooled = render_many(contexts, tmp_path / "two", processes=2, kind="patient")
    assert [p.name for p in pooled] == [output_name(c, "patient") for c in contexts]
    for path in [*in_process, *pooled]:
        assert PdfReader(path).pages
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(p.name for p in pooled)


def test_render_many_refuses_colliding_names(tmp_path):
    same = [sample_context(), sample_context()]
    with pytest.raises(ValueError, match="both"):
        render_many(same, tmp_path, processes=1)
    assert output_name(replace(same[0], report_id="../../etc/x y"), "patient") == "etc_x_y-patient.pdf"


def test_package_level_api_is_callable(signed):
    assert pdf.render(signed, "patient").startswith(b"%PDF")
    assert pdf.RenderError is RenderError
    assert pdf.prepare() is pdf.prepare()  # fonts and CSS built once per process


def test_a_minimal_assessment_renders_both_kinds():
    import datetime as dt

    from pdf.context import Assessment, Clinic, Patient, ReportContext, SignOff

    minimal = ReportContext(
        report_id="R-1", generated_at=dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC),
        clinic=Clinic("Clinic"), patient=Patient("Zoë Łukasiewicz-Ørsted", None),
        assessment=Assessment(dt.date(2026, 1, 5), "First visit"),
        sign_off=SignOff("A Clinician", "Physiotherapist"), overall_tier="T0")
    for kind in ("clinician", "patient"):
        data = render(minimal, kind)
        text = text_of(data)
        assert "Zoë Łukasiewicz-Ørsted" in text
        assert "not recorded" in text or kind == "patient"
        assert "Nothing needs treating right now" in text or kind == "clinician"


def test_context_validates_vocabulary():
    import datetime as dt

    from pdf.context import Assessment, Gate, Reason

    with pytest.raises(ValueError, match="unknown tier"):
        Reason("X1", "T9", "urinary", "c", "p", "s")
    with pytest.raises(ValueError):
        Assessment(dt.date(2026, 1, 1), "x", status="final")
    with pytest.raises(ValueError):
        Gate("G1", "Time", "maybe")
    with pytest.raises(ValueError, match="timezone"):
        replace(sample_context(), generated_at=dt.datetime(2026, 1, 1))
    assert isinstance(Assessment(dt.date(2026, 1, 1), "x", complaints=["a", "b"]).complaints, tuple)
