"""The composition (assessments.summary) for realistic scenarios, and the typed result's round trip."""

from __future__ import annotations

import json
import re

import pytest

import assessments
from assessments import scenarios
from assessments.config import Config
from assessments.references import PROVENANCE
from assessments.result import SCHEMA_VERSION, TriageResult, load, migrate
from assessments.summary import BENIGN_RULES, compose
from assessments.vocabulary import CAT2_LIGHT_LABELS, TIER_LABELS, max_tier, rank

BANNED_PATIENT_TERMS = (
    "OASI", "RED-S", "REDs", "CAT2", "PFMT", "POP-Q", "LEAF-Q", "ICIQ", "lumbopelvic", "haematuria",
    "amenorrhoea", "dyspareunia", "GAQ", "NICE", "IOC", "BSI", "UTI", "SUI", "IUS", "T2a", "T2b",
)
"""Terms a patient must never read (acronyms, jargon, codes)."""
PATIENT_CODE = re.compile(r"\b(?:T[0-5]|[BUPFRG]\d{1,2}|PP\d|(?:SP|PP|RR|REC|SYM)-[A-Z0-9]+)\b")
INTERNAL = re.compile(PROVENANCE.pattern + r"|\[S\]|\bSeed\b|\bclinical reference\b", re.IGNORECASE)
BENIGN = ("follow harder training", "easing off", "usually not serious", "day of your cycle", "normal hormone",
          "training hard without enough fuel")

PHONE = "0131 496 0000"


def _compose(name):
    sc = scenarios.SCENARIOS[name]
    intake = assessments.validate_intake(sc["intake"])
    result = assessments.triage(intake)
    return result, compose(result, intake, complaints=sc["complaints"], clinic_phone=PHONE)


def _texts(sections):
    return [s.title for s in sections] + [i for s in sections for i in s.items]


ALL = sorted(scenarios.SCENARIOS)


def test_scenarios_cover_every_complaint():
    covered = {c for sc in scenarios.SCENARIOS.values() for c in sc["complaints"]}
    assert covered == {"bleeding", "pelvic_pain", "incontinence", "prolapse", "return_to_running", "energy"}


# --------------------------------------------------------------------------- round trip


def _shapes():
    yield from (assessments.validate_intake(sc["intake"]) for sc in scenarios.SCENARIOS.values())
    yield {"context": {}, "answers": {}}


@pytest.mark.parametrize("config", [Config(), Config(rtr_targets={"calf_raise": 25}, klovning_bands=False,
                                                      postnatal_guideline="delphi-2024")])
def test_every_result_round_trips_through_json(config):
    for intake in _shapes():
        result = assessments.triage(intake, config)
        data = json.loads(json.dumps(result.to_dict()))
        assert data["schema_version"] == SCHEMA_VERSION
        again = load(data)
        assert again == result
        assert again.to_dict() == result.to_dict()


def test_a_schema_1_result_is_migrated_not_recomputed():
    intake = assessments.validate_intake(scenarios.intake("postmenopausal-bleeding"))
    fresh = assessments.triage(intake).to_dict()
    old = {"triage": {**fresh, "config": {"postnatal": "Minimum 12 weeks after birth (goom-2019)"}},
           "scores": fresh["scores"], "config": {"postnatal": "Minimum 12 weeks after birth (goom-2019)"},
           "computed_at": "2026-11-01T10:00:00+00:00"}
    del old["triage"]["schema_version"]
    old["triage"]["rules"][0]["clinician"] = "Wording as stored in November."
    typed = load(old)
    assert typed.migrated_from == 1 and typed.config is None
    assert typed.rules[0].clinician == "Wording as stored in November."   # read, not recomputed
    assert [t.label for t in typed.thresholds] == ["Return to running after birth"]
    assert migrate(old)["schema_version"] == SCHEMA_VERSION
    assert TriageResult.from_dict(typed.to_dict()) == typed
    summary = compose(typed, intake)
    assert summary.tier == "T4" and [f.rule_id for f in summary.red_flags] == ["B4"]


def test_unknown_schema_is_refused():
    with pytest.raises(ValueError):
        load({"schema_version": 99, "tier": "T0"})


# --------------------------------------------------------------------------- every scenario


@pytest.mark.parametrize("name", ALL)
def test_each_rule_once_and_headings_agree_with_values(name):
    result, s = _compose(name)
    listed = [f.rule_id for f in s.red_flags] + [f.rule_id for d in s.domains for f in d.findings]
    assert len(listed) == len(set(listed)) == len(set(result.rule_ids))
    text = "\n".join(_texts(s.clinician_sections()))
    for f in (*s.red_flags, *(f for d in s.domains for f in d.findings)):
        if f.code:
            assert len(re.findall(rf"(?<![\w-]){re.escape(f.code)}(?![\w-])", text)) == 1, f.code
    for d in s.domains:
        assert d.tier == max_tier(f.tier for f in (*d.findings, *d.red_flags)), d.domain
        assert d.findings or d.red_flags
    assert s.tier == max_tier([d.tier for d in s.domains] or ["T0"])
    if s.cat2_heading:
        assert CAT2_LIGHT_LABELS[result.cat2.light] in s.cat2_heading
        assert not any(re.search(rf"\b{w}\b", s.cat2_heading.lower()) for w in CAT2_LIGHT_LABELS
                       if w != result.cat2.light)
    assert f"Overall tier: {s.tier} {TIER_LABELS[s.tier]}" in text


@pytest.mark.parametrize("name", ALL)
def test_no_internal_provenance_anywhere(name):
    _, s = _compose(name)
    for line in _texts(s.clinician_sections()) + _texts(s.patient_sections()):
        assert not INTERNAL.search(line), line
        assert ".." not in line and ".;" not in line and ";." not in line, line


@pytest.mark.parametrize("name", ALL)
def test_patient_words_are_plain(name):
    _, s = _compose(name)
    for line in _texts(s.patient_sections()):
        for term in BANNED_PATIENT_TERMS:
            assert not re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", line), (term, line)
        assert not PATIENT_CODE.search(line), line
    contact = next(x for x in s.patient_sections() if x.kind == "safety").items[-1]
    assert PHONE in contact


@pytest.mark.parametrize("name", ALL)
def test_no_benign_explanation_beside_a_t3_rule(name):
    result, s = _compose(name)
    serious = {d for d, t in result.domains.items() if rank(t) >= rank("T3")}
    patient = " ".join(_texts(s.patient_sections())).lower()
    if serious:
        assert not any(phrase in patient for phrase in BENIGN), [p for p in BENIGN if p in patient]
        for f in result.rules:
            if f.domain in serious and rank(f.tier) < rank("T3") and f.id in BENIGN_RULES:
                assert f.patient.lower() not in patient
        if s.patient_self_care:
            assert s.self_care_title == "While you wait to be seen"


def test_the_banned_term_check_can_fail():
    line = "Your CAT2 light and PFMT plan (SP-15)"
    assert any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", line) for t in BANNED_PATIENT_TERMS)
    assert PATIENT_CODE.search(line) and INTERNAL.search("Seed 000 'Spotting' [M]")


# --------------------------------------------------------------------------- the six stories


def test_postmenopausal_bleeding_gets_the_cancer_pathway_and_nothing_that_explains_it_away():
    result, s = _compose("postmenopausal-bleeding")
    assert s.tier == "T4" and [f.rule_id for f in s.red_flags] == ["B4"]
    patient = " ".join(_texts(s.patient_sections())).lower()
    assert "cycle" not in patient and "after birth" not in patient and "ease back" not in patient
    assert "numbness around your bottom" not in patient           # no cauda equina warning for bleeding
    assert "REC-CYCLE-TRACK" not in {a.id for a in s.patient_self_care + s.patient_plan}
    assert s.gp_letter and "suspected-cancer" in s.gp_letter


def test_amenorrhoeic_marathoner_is_not_told_about_heavier_bleeding():
    _, s = _compose("amenorrhoeic-marathoner")
    patient = " ".join(_texts(s.patient_sections())).lower()
    assert "bleeding gets heavier" not in patient and "soaking a pad" not in patient
    assert s.cat2_heading and "Yellow" in s.cat2_heading
    assert {"R3", "R4", "B9"} <= {f.rule_id for f in s.red_flags}


def test_postnatal_runner_at_14_weeks_sees_a_modify_gate_not_a_pass():
    _, s = _compose("postnatal-runner-14-weeks")
    gates = {g.id: g for g in s.gates}
    assert gates["G5"].status == "modify" and gates["G5"].status_label == "Modify the plan"
    assert gates["G3"].status == "fail"
    patient = " ".join(_texts(s.patient_sections())).lower()
    assert "midwife" in patient                                  # postnatal safety net
    assert "pelvic floor" in patient


def test_cauda_equina_is_an_emergency_with_only_safety_advice():
    _, s = _compose("cauda-equina")
    assert s.tier == "T5" and s.red_flags[0].rule_id == "PP5"
    patient = s.patient_sections()
    assert patient[0].title == "Act on this first"              # the red flag before anything else
    assert "A&E" in patient[0].items[0] and "999" in patient[1].items[0]
    assert not s.patient_self_care
    assert "numbness around your bottom" in " ".join(patient[2].items)


def test_no_running_advice_for_someone_who_does_not_run():
    _, s = _compose("not-running-pelvic-pain")
    patient = " ".join(_texts(s.patient_sections())).lower()
    assert "running" not in patient and "ease back" not in patient and " run" not in patient
    assert "REC-RELATIVE-REST" not in {a.id for a in s.plan}


def test_safety_net_follows_the_complaint():
    _, leak = _compose("stress-incontinence")
    lines = " ".join(leak.safety_net).lower()
    assert "blood in your urine" in lines and "soaking a pad" not in lines and "numbness" not in lines


def test_summary_cli_prints_the_composition(tmp_path, capsys):
    from assessments.__main__ import main
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(scenarios.intake("cauda-equina")))
    assert main(["summary", str(path), "--complaint", "pelvic_pain", "--phone", PHONE]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"tier", "red_flags", "clinician", "patient"}
    assert data["tier"] == "T5" and data["red_flags"] == ["PP5"]
    assert all(set(s) == {"title", "items"} for s in data["clinician"] + data["patient"])


def test_rulebook_prints_every_rule_with_its_provenance(capsys):
    from assessments.__main__ import main
    from assessments.triage import RULES
    assert main(["rules", "--markdown"]) == 0
    out = capsys.readouterr().out
    for rid in RULES:
        assert f"### {rid}: " in out
    assert "Internal provenance" in out and "[S]" in out and "Trigger:" in out
    assert "Blood in the urine after a run" in out
