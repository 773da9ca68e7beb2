"""Every sentence a rule or recommendation can put on a page or in a report is free of internal
provenance (clinical-policy section 7): evidence tags, seed ids, section numbers, module names and
host names stay in the citations, which pages print only as reader-facing references."""

from __future__ import annotations

import pytest

from assessments.recommendations import CATALOGUE
from assessments.references import PROVENANCE
from assessments.triage import RULES

RULE_TEXTS = [(f"{spec.id}/{name}/{field}", getattr(variant, field) or "")
              for spec in RULES.values() for name, variant in spec.variants.items()
              for field in ("clinician", "patient", "action")]
ADVICE_TEXTS = [(f"{rec.id}/{field}", getattr(rec, field) or "")
                for rec in CATALOGUE.values() for field in ("title", "clinician", "patient")]


@pytest.mark.parametrize("where, text", RULE_TEXTS + ADVICE_TEXTS, ids=[w for w, _ in RULE_TEXTS + ADVICE_TEXTS])
def test_no_internal_provenance_in_what_pages_print(where, text):
    found = PROVENANCE.search(text)
    assert found is None, f"{where}: {found.group(0)!r} in {text!r}"


def test_the_check_finds_provenance():
    assert PROVENANCE.search("GP review (seed 000 'seek attention' checklist)")
    assert PROVENANCE.search("urgent GP review [M].")
