"""The seed trace accounts for every statement in reference section 1 and points only at rules,
recommendations and intake items that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessments import trace
from assessments.recommendations import CATALOGUE
from assessments.triage import RULES

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "clinical.md"


def test_trace_has_no_problems():
    assert trace.problems() == []


def test_seed_ids_are_the_reference_statement_ids():
    assert len(trace.SEED_IDS) == 31 + 19 + 15
    if REFERENCE.is_file():
        found = set(re.findall(r"^\| ((?:SP|PP|RR)-\d\d) \|", REFERENCE.read_text(encoding="utf-8"), re.M))
        assert found == set(trace.SEED_IDS)


def test_a_missing_statement_is_reported(monkeypatch):
    trimmed = {k: v for k, v in trace.TRACE.items() if k != "PP-14"}
    monkeypatch.setattr(trace, "TRACE", trimmed)
    assert "PP-14: not traced" in trace.problems()


def test_an_unknown_rule_is_reported(monkeypatch):
    broken = dict(trace.TRACE)
    broken["SP-15"] = trace.TraceEntry("SP-15", ("SP-99",))
    monkeypatch.setattr(trace, "TRACE", broken)
    assert "SP-15: unknown rule or recommendation 'SP-99'" in trace.problems()


def test_an_unknown_intake_item_is_reported(monkeypatch):
    broken = dict(trace.TRACE)
    broken["SP-02"] = trace.TraceEntry("SP-02", ("SP-15",), ("intake-bleeding.no_such_item",))
    monkeypatch.setattr(trace, "TRACE", broken)
    assert "SP-02: unknown intake item 'intake-bleeding.no_such_item'" in trace.problems()


def test_an_entry_without_implementation_needs_a_reason(monkeypatch):
    broken = dict(trace.TRACE)
    broken["PP-11"] = trace.TraceEntry("PP-11")
    monkeypatch.setattr(trace, "TRACE", broken)
    assert "PP-11: neither implemented nor explained" in trace.problems()


@pytest.mark.parametrize("sid", ["PP-11", "PP-14"])
def test_drug_and_injection_advice_is_deliberately_not_encoded(sid):
    entry = trace.TRACE[sid]
    assert entry.note
    assert not [t for t in entry.implemented_by if t.startswith("REC-")]
    text = " ".join(r.clinician + r.patient for r in CATALOGUE.values()).lower()
    for word in ("coreflex", "ibuprofen", "paracetamol", "acetaminophen", "nsaid"):
        assert word not in text


def test_every_seed_rule_id_registered_is_traced():
    seed_rules = {rid for rid in RULES if re.match(r"^(SP|PP|RR)-\d\d$", rid)}
    traced = {t for e in trace.TRACE.values() for t in e.implemented_by}
    assert seed_rules <= traced
