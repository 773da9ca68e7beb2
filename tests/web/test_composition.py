"""The review page and both PDFs say the same thing, from one composition, for every demo scenario;
no page or PDF shows internal provenance; an old-schema stored result still renders."""

from __future__ import annotations

import io
import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import delete, select

from assessments.references import PROVENANCE
from assessments.scenarios import SCENARIOS
from assessments.vocabulary import TIER_LABELS, TIER_SHORT
from clinic.db import db
from clinic.demo_assessments import SCENARIO_PATIENTS
from clinic.models import Assessment, SignedDocument

from .support import Account, login

INTERNAL = re.compile(PROVENANCE.pattern + r"|\[S\]|\bSeed\b|\bclinical reference\b|\bSYM-|\bREC-",
                      re.IGNORECASE)
PHONE = "0131 496 0000"


@pytest.fixture
def demo(app):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    app.config["CLINIC_PHONE"] = PHONE
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert login(client, Account(0, 0, DEMO_EMAIL, DEMO_PASSWORD)).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(Assessment)).all()
        by_family = {a.patient.family_name: a.id for a in rows}
    return client, {name: by_family[family] for _g, family, _d, _s, name in SCENARIO_PATIENTS}


def _pdf_text(client, aid, kind):
    resp = client.get(f"/assessments/{aid}/report/{kind}.pdf")
    assert resp.status_code == 200
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)


def _flat(text):
    return re.sub(r"\s+", "", text)


def _page_text(client, aid):
    resp = client.get(f"/assessments/{aid}")
    assert resp.status_code == 200
    soup = BeautifulSoup(resp.get_data(as_text=True), "html.parser")
    return soup, soup.get_text(" ")


def test_every_scenario_says_the_same_on_the_page_and_in_the_pdfs(app, demo):
    client, ids = demo
    assert set(ids) == set(SCENARIOS)
    for name, aid in ids.items():
        soup, page = _page_text(client, aid)
        clinician = _pdf_text(client, aid, "clinician")
        patient = _pdf_text(client, aid, "patient")
        with app.app_context():
            a = db.session.get(Assessment, aid)
            tier, flags = a.overall_tier, [r for r in a.result["rules"] if r["red_flag"]]
        # the same overall tier and the same red flags on the page and in the clinician report
        assert f"{tier} · {TIER_SHORT[tier]}" in soup.select_one("#tier-title").get_text(" "), name
        assert TIER_LABELS[tier] in page, name
        assert _flat(f"{tier}") in _flat(clinician)
        page_flags = [li.select_one("strong").get_text() for li in soup.select(".red-flags li.red-flag")]
        assert page_flags == list(dict.fromkeys(r["title"] for r in flags)), name
        for title in page_flags:
            assert _flat(title) in _flat(clinician), (name, title)
        if flags:
            assert f"Red flags ({len(page_flags)})" in clinician
        # nothing internal anywhere
        for where, text in (("page", page), ("clinician", clinician), ("patient", patient)):
            hit = INTERNAL.search(text)
            assert hit is None, (name, where, text[max(0, hit.start() - 60):hit.end() + 60])
        assert _flat(PHONE) in _flat(patient), name
        assert not re.search(r"\bT[0-5]\b|\bT2[ab]\b", patient), name


def test_a_stored_schema_1_result_still_renders_without_recomputing(app, demo):
    client, ids = demo
    aid = ids["postmenopausal-bleeding"]
    with app.app_context():
        a = db.session.get(Assessment, aid)
        new = dict(a.result)
        rules = [dict(r) for r in new["rules"]]
        rules[0]["clinician"] = "Stored in November: urgent referral letter sent."
        old = {"triage": {**{k: v for k, v in new.items() if k != "schema_version"}, "rules": rules,
                          "red_flags": [r for r in rules if r["red_flag"]],
                          "config": {"postnatal": "Minimum 12 weeks after birth before running (goom-2019)"}},
               "scores": new["scores"],
               "config": {"postnatal": "Minimum 12 weeks after birth before running (goom-2019)"},
               "computed_at": "2026-11-01T10:00:00+00:00"}
        a.result = old
        # A result of the old schema predates the archive of signed documents: no archived PDF, so
        # the download is rendered from the stored (old) result.
        db.session.execute(delete(SignedDocument).where(SignedDocument.assessment_id == aid))
        db.session.commit()
    _soup, page = _page_text(client, aid)
    assert "Stored in November: urgent referral letter sent." in page
    clinician = _pdf_text(client, aid, "clinician")
    assert _flat("Stored in November") in _flat(clinician)
    assert "Return to running after birth" in clinician          # the threshold recorded with it
    with app.app_context():
        assert db.session.get(Assessment, aid).result == old        # read, never rewritten
