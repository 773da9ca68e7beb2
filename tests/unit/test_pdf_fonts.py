"""The bundled report fonts: tabular figures by default, licence names kept, and a stylesheet
that asks WeasyPrint for no OpenType features (each request costs an unfreed Pango attribute list
per text layout in WeasyPrint 70: about 0.2 MB per clinician report)."""

from __future__ import annotations

import re

import pytest
from fontTools.ttLib import TTFont

from pdf.assets import FONT_FACES, FONTS_DIR, STYLESHEET_PATH


@pytest.mark.parametrize("face", FONT_FACES, ids=lambda face: face.file)
def test_digits_are_tabular_without_asking_for_a_feature(face):
    font = TTFont(FONTS_DIR / face.file)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    widths = {hmtx[cmap[ord(digit)]][0] for digit in "0123456789"}
    # Inter's own tabular figures differ by up to 5 units in 2800 in the heavier weights;
    # proportional ones differ by a third (1308-1808 in the regular weight).
    assert max(widths) - min(widths) <= 0.01 * max(widths), f"{face.file}: digit widths {sorted(widths)}"


@pytest.mark.parametrize("face", FONT_FACES, ids=lambda face: face.file)
def test_subset_keeps_the_licence_and_the_characters_reports_print(face):
    font = TTFont(FONTS_DIR / face.file)
    names = " ".join(record.toUnicode() for record in font["name"].names)
    assert "SIL Open Font License" in names or "OFL" in names
    cmap = font.getBestCmap()
    for char in "AZaz09ÀÿŁłŒœ–—‘’“”•…≥≤−⚠✓€":
        assert ord(char) in cmap, f"{face.file} lacks {char!r}"


def test_report_stylesheet_requests_no_opentype_features():
    css = STYLESHEET_PATH.read_text(encoding="utf-8")
    assert not re.search(r"font-(variant(-[a-z-]+)?|feature-settings|kerning)\s*:", css)
    templates = sorted((STYLESHEET_PATH.parents[1] / "templates" / "report").glob("*.html"))
    assert {t.name for t in templates} >= {"base.html", "clinician.html", "patient.html"}
    assert not [t.name for t in templates if re.search(r"\sstyle\s*=|<style", t.read_text(encoding="utf-8"))]
