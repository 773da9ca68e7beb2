"""The clinical vocabulary lives in assessments/vocabulary.py only: no template or module spells a tier,
a CAT2 light label or an assessment status of its own."""

from __future__ import annotations

import re
from pathlib import Path

from assessments import vocabulary

ROOT = Path(__file__).resolve().parents[2]
WORDS = {*vocabulary.TIER_LABELS.values(), *vocabulary.TIER_SHORT.values(), "Waiting for review",
         "Self-management / education"}
TIER_KEYED = re.compile(r"""[{,]\s*["']T0["']\s*:""")


def _templates():
    for folder in ("clinic/templates", "pdf/templates"):
        yield from (ROOT / folder).rglob("*.html")


def test_no_template_spells_a_tier_or_a_status():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        found += [(path.name, w) for w in WORDS if w in text]
    assert found == []


def test_no_module_but_the_vocabulary_keys_a_mapping_by_tier():
    found = []
    for pkg in ("assessments", "clinic", "pdf"):
        for path in (ROOT / pkg).rglob("*.py"):
            if path.name == "vocabulary.py" or "migrations" in path.parts:
                continue
            if TIER_KEYED.search(path.read_text(encoding="utf-8")):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_the_checks_can_fail(tmp_path):
    assert TIER_KEYED.search('NAMES = {"T0": "No action"}')
    assert any(w in "<span>Emergency / same day</span>" for w in WORDS)
