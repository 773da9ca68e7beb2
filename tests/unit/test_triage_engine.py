"""The triage engine: result shape, ordering, red flags before scores, purity, and property tests
(adding a red-flag answer never lowers the tier; the tier is never below the highest fired rule;
T5 suppresses exercise advice)."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import DECLINED, model, triage, validate_intake
from assessments.triage import RULES, TIERS
from assessments.vocabulary import DOMAINS

from .builders import at_least, bb, bleeding, ids, intake, pain, run

KEYS = {"schema_version", "tier", "domains", "red_flags", "rules", "recommendations", "return_to_run", "cat2", "scores",
        "config"}


def test_to_dict_shape():
    iciq = {"3": 1, "4": 2, "5": 2, "6": ["active"]}
    result = run({"age": 57, "menopause": "post"}, {**bleeding(), "iciq-ui-sf": iciq})
    data = result.to_dict()
    assert set(data) == KEYS
    assert data["tier"] == "T4"
    assert set(data["domains"]) == set(DOMAINS) and data["domains"]["bleeding"] == "T4"
    for rule in data["rules"] + data["red_flags"]:
        assert {"id", "tier", "clinician", "patient", "citation", "red_flag", "domain", "code", "action"} <= set(rule)
        assert rule["clinician"] and rule["patient"] and rule["citation"]
        assert "{" not in rule["clinician"] + rule["patient"]
    assert all(r["red_flag"] for r in data["red_flags"])
    assert {r["id"] for r in data["red_flags"]} == {"B4"}
    for rec in data["recommendations"]:
        assert {"id", "clinician", "patient", "citation", "exercise"} <= set(rec)
    assert data["scores"]["iciq-ui-sf"]["total"] == 5
    assert data["config"]["haematuria_clear_hours"] == 48 and data["config"]["postnatal_guideline"] == "goom-2019"
    assert {t.key for t in result.thresholds} >= {"haematuria_window", "postnatal"}
    json.dumps(data)


def test_empty_intake_is_t0_with_preventive_advice():
    result = triage({"context": {}, "answers": {}})
    assert result.tier == "T0" and not result.rules
    assert [r.id for r in result.recommendations] == ["REC-RESCREEN", "REC-PREVENTION-NG210"]
    assert set(result.domains.values()) == {"T0"}


def test_rules_are_ordered_by_tier_then_red_flag():
    result = run(answers={**bleeding(after_sex="yes", fever=True), **bb(leak=True, leak_when=["running"])})
    ranks = [TIERS.index(r.tier) for r in result.rules]
    assert ranks == sorted(ranks, reverse=True)
    assert result.rules[0].tier == "T5"


def test_triage_is_pure_and_deterministic():
    answers = {**pain(sites=["groin"], hop_pain=True), **bb(leak=True, leak_when=["effort"])}
    data = validate_intake(intake(answers=answers))
    before = copy.deepcopy(data)
    first = triage(data).to_dict()
    assert data == before
    assert triage(data).to_dict() == first


def test_result_is_frozen():
    result = run()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.tier = "T5"
    with pytest.raises(TypeError):
        result.domains["bleeding"] = "T5"


def test_red_flags_are_evaluated_before_any_score(monkeypatch):
    import assessments.scoring as scoring

    log = []
    for rid, spec in list(RULES.items()):
        def check(facts, _spec=spec):
            log.append((_spec.phase, _spec.id))
            return _spec.check(facts)
        monkeypatch.setitem(RULES, rid, dataclasses.replace(spec, check=check))
    real = scoring.score

    def recording_score(*args, **kwargs):
        log.append(("score", args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "score", recording_score)
    run(answers={**bb(retention=True), "iciq-ui-sf": {"3": 0, "4": 0, "5": 0, "6": ["never"]},
                 "csi": {str(i): 0 for i in range(1, 26)}})
    first_score = next(i for i, entry in enumerate(log) if entry[0] == "score")
    last_phase1 = max(i for i, entry in enumerate(log) if entry[0] == 1)
    assert last_phase1 < first_score
    phase1 = {rid for rid, spec in RULES.items() if spec.phase == 1}
    assert {rid for phase, rid in log[:first_score] if phase == 1} == phase1


def test_a_low_score_never_suppresses_a_red_flag():
    zero = {"iciq-ui-sf": {"3": 0, "4": 0, "5": 0, "6": ["never"]}, "pop-ss": {str(i): 0 for i in range(1, 8)},
            "wexner": {"solid": 0, "liquid": 0, "gas": 0, "pad": 0, "lifestyle": 0}}
    result = run(answers={**zero, **bleeding(heaviness="hourly", hourly_two_hours=True)})
    assert result.tier == "T5" and "B2" in ids(result)


def test_t5_keeps_only_safety_recommendations():
    result = run(answers={**bb(retention=True, leak=True, leak_when=["running"]),
                          "intake-prolapse": {"heaviness": "often", "bulge": "none", "diagnosed": False,
                                              "pessary": False, "dryness": False}})
    assert result.tier == "T5"
    assert result.recommendations and all(r.category == "safety" for r in result.recommendations)
    assert not result.exercise_advice
    assert "REC-URGENT-CARE" in [r.id for r in result.recommendations]


# --------------------------------------------------------------------------- property tests

OWN = ["intake-bleeding", "intake-pelvic-pain", "intake-bladder-bowel", "intake-prolapse", "reds-cat2", "goom-rtr"]


def _value(item: model.Item) -> st.SearchStrategy:
    if item.type == "choice":
        strategy = st.sampled_from([o.value for o in item.options])
    elif item.type == "multi":
        strategy = st.lists(st.sampled_from([o.value for o in item.options]), unique=True, max_size=3)
    elif item.type in ("integer", "decimal"):
        strategy = st.integers(int(item.min or 0), int(min(item.max or 100, 100)))
    elif item.type == "boolean":
        strategy = st.booleans()
    else:
        strategy = st.just("a note")
    return st.one_of(strategy, st.just(DECLINED)) if item.sensitive else strategy


def _answers(iid: str) -> st.SearchStrategy:
    inst = model.get(iid)
    return st.fixed_dictionaries({}, optional={it.id: _value(it) for it in inst.items})


INTAKES = st.fixed_dictionaries(
    {"context": _answers("intake-context")},
    optional={"answers": st.fixed_dictionaries({}, optional={iid: _answers(iid) for iid in OWN})},
).map(lambda d: validate_intake({"context": d["context"], "answers": d.get("answers", {})}))

# Red-flag answers on questions that are always shown: (instrument, answers to merge, rule, minimum tier).
FLAGS = [
    ("intake-bladder-bowel", {"retention": True}, "U13", "T5"),
    ("intake-pelvic-pain", {"acute_severe": True}, "PP3", "T5"),
    ("intake-pelvic-pain", {"self_harm": "plans"}, "PP1", "T5"),
    ("intake-pelvic-pain", {"ces_symptoms": ["leg_weakness"], "ces_onset": "new"}, "PP5", "T5"),
    ("reds-cat2", {"serious": ["ecg"]}, "R1", "T5"),
    ("intake-bleeding", {"any_bleeding": True, "source": "vaginal", "fever": True}, "B3", "T5"),
    ("intake-bladder-bowel", {"rectal_blood": True}, "F1", "T3"),  # NICE NG12: T4 at 50+ or with features
    ("intake-pelvic-pain", {"weight_loss": True}, "F1", "T4"),
    ("intake-bladder-bowel", {"bladder_pain": True}, "U5", "T3"),
    ("intake-bleeding", {"heavy_periods": "yes"}, "B7", "T3"),
]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _merge(data: dict, iid: str, patch: dict) -> dict:
    merged = copy.deepcopy(data)
    answers = merged["answers"].setdefault(iid, {})
    for key, value in patch.items():
        old = answers.get(key)
        if isinstance(value, list) and isinstance(old, list):
            answers[key] = sorted(set(old) | set(value))
        else:
            answers[key] = value
    return validate_intake(merged)


@SETTINGS
@given(INTAKES)
def test_tier_is_the_highest_fired_rule_and_never_below_any(data):
    result = triage(data)
    expected = max((r.tier for r in result.rules), key=TIERS.index, default="T0")
    assert result.tier == expected
    for rule in result.rules:
        assert at_least(result.tier, rule.tier)
    for domain, tier in result.domains.items():
        assert at_least(result.tier, tier)
        assert tier == max((r.tier for r in result.rules if r.domain == domain), key=TIERS.index, default="T0")


@SETTINGS
@given(INTAKES)
def test_t5_suppresses_exercise_advice(data):
    result = triage(data)
    if result.tier == "T5":
        assert not result.exercise_advice
        assert all(r.category == "safety" for r in result.recommendations)


@SETTINGS
@given(INTAKES, st.sampled_from(FLAGS))
def test_adding_a_red_flag_answer_never_lowers_the_tier(data, flag):
    iid, patch, rule_id, floor = flag
    before = triage(data)
    after = triage(_merge(data, iid, patch))
    assert at_least(after.tier, before.tier)
    assert at_least(after.tier, floor)
    assert rule_id in {r.id for r in after.red_flags}


@SETTINGS
@given(INTAKES)
def test_every_result_serialises(data):
    json.dumps(triage(data).to_dict())
