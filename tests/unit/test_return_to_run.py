"""Postnatal return to running: gates G0-G5 at their boundaries for both guidelines, every test at
target - 1 and at target, symptoms failing a test, overrides and applicability."""

from __future__ import annotations

import pytest

from assessments.config import Config
from assessments.return_to_run import TESTS

from .builders import bb, codes, fired, run

POSTNATAL = {"given_birth": True, "weeks_since_birth": 16, "delivery": "vaginal", "perineal_trauma": "minor",
             "breastfeeding": False, "running_status": "returning", "sleep_hours": 8}
QUIET = {**bb(), "intake-prolapse": {"heaviness": "never", "bulge": "none", "diagnosed": False, "pessary": False,
                                     "dryness": False}}


def exam(**overrides):
    answers = {"medical": ["none"], "abdominal": ["none"], "referral": ["none"], "modifiers": ["none"]}
    for t in TESTS:
        if t.per_side:
            answers[f"{t.id}_left"] = t.target
            answers[f"{t.id}_right"] = t.target
        else:
            answers[t.id] = t.target
        answers[f"{t.id}_symptoms"] = ["none"]
    answers.update(overrides)
    return {"goom-rtr": answers, **QUIET}


def rtr(context=None, answers=None, config=None):
    result = run({**POSTNATAL, **(context or {})}, answers if answers is not None else exam(),
                 config=config or Config())
    return result, result.return_to_run


def test_everything_at_target_is_ready_with_a_walk_run_plan():
    result, report = rtr()
    assert report.applicable and report.ready
    assert [g.status for g in report.gates] == ["pass", "pass", "pass", "pass", "pass", "clear"]
    assert "REC-RTR-PLAN" in [r.id for r in result.recommendations]
    assert not ({"G0", "G1", "G2", "G3", "G4"} & {r.id for r in result.rules})
    assert result.tier in ("T0", "T1")


@pytest.mark.parametrize("guideline,below,at", [("goom-2019", 11, 12), ("delphi-2024", 2, 3)])
def test_time_gate_boundary_for_each_guideline(guideline, below, at):
    cfg = Config(postnatal_guideline=guideline)
    result_below, early = rtr({"weeks_since_birth": below}, config=cfg)
    assert early.gate("G1").status == "fail" and not early.ready
    assert fired(result_below, "G1")
    assert early.min_weeks == at and early.guideline == guideline
    assert ("Goom" in early.guideline_citation) == (guideline == "goom-2019")
    assert ("Delphi" in early.guideline_citation) == (guideline == "delphi-2024")
    result_at, on_time = rtr({"weeks_since_birth": at}, config=cfg)
    assert on_time.gate("G1").status == "pass" and on_time.ready
    assert not fired(result_at, "G1")


def test_running_before_the_minimum_is_flagged_as_starting_over():
    result, _ = rtr({"weeks_since_birth": 6, "running_status": "regular"})
    assert "RTR_RUNNING_TOO_SOON" in codes(result)
    planning, _ = rtr({"weeks_since_birth": 6, "running_status": "planning"})
    assert "RTR_TOO_SOON" in codes(planning)


CASES = [(t, side) for t in TESTS for side in (("left", "right") if t.per_side else ("value",))]


@pytest.mark.parametrize("test,side", CASES, ids=[f"{t.id}-{s}" for t, s in CASES])
def test_each_test_fails_at_target_minus_one_and_passes_at_target(test, side):
    key = test.id if side == "value" else f"{test.id}_{side}"
    gate = "G3" if test.kind == "load" else "G4"
    result, report = rtr(answers=exam(**{key: test.target - 1}))
    [res] = [t for t in report.tests if t.id == test.id]
    assert res.status == "fail" and report.gate(gate).status == "fail" and not report.ready
    assert fired(result, gate)
    _, passing = rtr(answers=exam(**{key: test.target}))
    assert [t for t in passing.tests if t.id == test.id][0].status == "pass"


@pytest.mark.parametrize("symptom", ["leakage", "heaviness", "pain", "bulging"])
@pytest.mark.parametrize("test", [TESTS[0], TESTS[5], TESTS[-1]], ids=lambda t: t.id)
def test_a_symptom_fails_a_test_at_target(test, symptom):
    result, report = rtr(answers=exam(**{f"{test.id}_symptoms": [symptom]}))
    [res] = [t for t in report.tests if t.id == test.id]
    assert res.status == "fail" and symptom in res.reasons[-1]
    assert not report.ready


def test_one_side_only_is_incomplete_not_passed():
    answers = exam()
    del answers["goom-rtr"]["hop_right"]
    _, report = rtr(answers=answers)
    assert [t for t in report.tests if t.id == "hop"][0].status == "incomplete"
    assert report.gate("G3").status == "not_assessed" and not report.ready


def test_tests_not_done_leave_the_gates_unassessed():
    _, report = rtr(answers={"goom-rtr": {"medical": ["none"]}, **QUIET})
    assert report.gate("G3").status == "not_assessed" and report.gate("G4").status == "not_assessed"
    assert all(t.status == "not_done" for t in report.tests)


def test_target_override_and_unknown_test():
    cfg = Config(rtr_targets={"calf_raise": 25})
    _, report = rtr(answers=exam(calf_raise_left=24, calf_raise_right=25), config=cfg)
    assert report.gate("G4").status == "fail"
    _, report = rtr(answers=exam(calf_raise_left=25, calf_raise_right=25), config=cfg)
    assert report.gate("G4").status == "pass"
    with pytest.raises(ValueError):
        rtr(config=Config(rtr_targets={"marathon": 1}))


@pytest.mark.parametrize("item,code,tier", [("chest_stroke", "RF_POSTNATAL_SCREEN_EMERGENCY", "T5"),
                                            ("syncope", "RF_POSTNATAL_SCREEN_EMERGENCY", "T5"),
                                            ("bp", "POSTNATAL_MEDICAL_CLEARANCE", "T3"),
                                            ("cs_wound", "POSTNATAL_MEDICAL_CLEARANCE", "T3")])
def test_g0_medical_screen(item, code, tier):
    result, report = rtr(answers=exam(medical=[item]))
    assert code in codes(result) and result.tier == tier
    assert report.gate("G0").status == "fail" and not report.ready


def test_g0_fails_on_any_intake_red_flag():
    result, report = rtr(answers={**exam(), **bb(rectal_blood=True)})
    assert report.gate("G0").status == "fail"
    assert any("F1" in reason for reason in report.gate("G0").reasons)


def test_g0_exhaustion_in_the_first_postnatal_year():
    result, _ = rtr({"fatigue": "exhausted"})
    assert "POSTNATAL_MEDICAL_CLEARANCE" in codes(result)


def test_g2_goom_referral_items_from_the_intake_hold_running():
    result, report = rtr(answers={**exam(), **bb(leak=True, leak_when=["running"])})
    assert fired(result, "G2") and report.gate("G2").status == "fail" and not report.ready
    assert "REC-RTR-PREP" in [r.id for r in result.recommendations]


def test_g2_abdominal_doming_from_the_exam():
    result, report = rtr(answers=exam(abdominal=["doming"]))
    assert fired(result, "G2") and "pendular abdomen" in report.gate("G2").reasons[0]


def test_g5_modifiers_modify_but_do_not_block():
    result, report = rtr({"breastfeeding": True, "sleep_hours": 5.5},
                         exam(modifiers=["buggy"]))
    assert report.ready and report.gate("G5").status == "modify"
    assert fired(result, "G5")[0].tier == "T1"
    rec_ids = [r.id for r in result.recommendations]
    assert {"REC-BREASTFEEDING", "REC-BUGGY", "REC-RTR-PLAN"} <= set(rec_ids)


def test_sleep_at_christopher_threshold_is_not_a_modifier():
    _, report = rtr({"sleep_hours": 6.8})
    assert report.gate("G5").status == "clear"
    _, report = rtr({"sleep_hours": 6.7})
    assert report.gate("G5").status == "modify"


def test_not_applicable_when_not_postnatal_or_not_running():
    assert not run().return_to_run.applicable
    result = run({**POSTNATAL, "running_status": "not_running"}, QUIET)
    assert not result.return_to_run.applicable and not fired(result, "G1")


def test_postnatal_rules_apply_years_after_birth():
    _, report = rtr({"weeks_since_birth": 300})
    assert report.applicable and report.ready


# ---- postnatal is a window (clinical policy section 2)
PAROUS_LONG_AGO = {"age": 58, "menopause": "post", "given_birth": True, "weeks_since_birth": 1560,
                   "delivery": "vaginal", "perineal_trauma": "minor", "breastfeeding": False,
                   "running_status": "returning"}


def test_a_birth_30_years_ago_is_not_postnatal():
    result = run(PAROUS_LONG_AGO, QUIET)
    assert not result.return_to_run.applicable
    assert not [r for r in result.rules if r.id.startswith("G") or r.id in ("B8", "F3", "RR-11")]
    rec_ids = {r.id for r in result.recommendations}
    assert "REC-POSTNATAL-PHYSIO" not in rec_ids
    assert "after birth" not in " ".join(r.patient + r.title for r in result.recommendations).lower()


def test_parous_runner_returning_outside_the_window_gets_a_t1_strength_recommendation():
    result = run(PAROUS_LONG_AGO, QUIET)
    [rule] = fired(result, "RR-09")
    assert rule.tier == "T1" and result.tier == "T1"
    assert "birth" not in rule.patient
    assert not fired(run({**PAROUS_LONG_AGO, "running_status": "regular"}, QUIET), "RR-09")
    assert not fired(run({**PAROUS_LONG_AGO, "given_birth": False}, QUIET), "RR-09")
    assert not fired(run(POSTNATAL, QUIET), "RR-09")  # within the window the gates apply instead


def test_the_window_edge_and_its_configuration():
    inside = run({**POSTNATAL, "weeks_since_birth": 52}, QUIET)
    outside = run({**POSTNATAL, "weeks_since_birth": 53}, QUIET)
    assert inside.return_to_run.applicable and not outside.return_to_run.applicable
    assert run({**POSTNATAL, "weeks_since_birth": 60}, QUIET,
               config=Config(postnatal_window_months=18)).return_to_run.applicable
    for bad in (0, 2, 25, True, 12.5):
        with pytest.raises(ValueError):
            Config(postnatal_window_months=bad)
    assert Config.from_mapping({"postnatal_window_months": 24}).postnatal_window_months == 24


def test_clinician_starting_the_return_to_run_module_applies_the_gates_outside_the_window():
    result = run({**POSTNATAL, "weeks_since_birth": 200}, exam())
    assert result.return_to_run.applicable


# ---- the patient's own postnatal medical screen (clinical reference 4.7; clinical policy 2)
NOT_RUNNING_MUM = {**POSTNATAL, "running_status": "not_running"}


def test_patient_screen_emergency_item_is_t5_even_when_not_running():
    result = run({**NOT_RUNNING_MUM, "postnatal_screen": ["chest_stroke"]}, QUIET)
    [rule] = fired(result, "G0")
    assert rule.code == "RF_POSTNATAL_SCREEN_EMERGENCY" and result.tier == "T5"
    assert not fired(run({**NOT_RUNNING_MUM, "postnatal_screen": ["none"]}, QUIET), "G0")


def test_patient_screen_clearance_items_apply_only_within_the_window():
    inside = run({**NOT_RUNNING_MUM, "weeks_since_birth": 20, "postnatal_screen": ["cs_wound"]}, QUIET)
    assert "POSTNATAL_MEDICAL_CLEARANCE" in codes(inside) and inside.tier == "T3"
    outside = run({**NOT_RUNNING_MUM, "weeks_since_birth": 80, "postnatal_screen": ["cs_wound"]}, QUIET)
    assert not fired(outside, "G0")
    late_emergency = run({**NOT_RUNNING_MUM, "weeks_since_birth": 80, "postnatal_screen": ["dvt_pe"]}, QUIET)
    assert late_emergency.tier == "T5"


def test_patient_screen_fails_the_g0_gate():
    result = run({**POSTNATAL, "postnatal_screen": ["fatigue"]}, QUIET)
    assert result.return_to_run.gate("G0").status == "fail"
    clear = run({**POSTNATAL, "postnatal_screen": ["none"]}, QUIET)
    assert clear.return_to_run.gate("G0").status == "pass"


def test_birth_recency_decides_which_questions_are_asked():
    from assessments import model
    ctx = model.get("intake-context")
    on = {it.id for it in model.enabled_items(ctx, {"given_birth": True, "last_birth": "within_2y",
                                                     "weeks_since_birth": 30})}
    assert {"weeks_since_birth", "postnatal_screen"} <= on
    off = {it.id for it in model.enabled_items(ctx, {"given_birth": True, "last_birth": "over_2y"})}
    assert "weeks_since_birth" not in off and "postnatal_screen" not in off
    legacy = {it.id for it in model.enabled_items(ctx, {"given_birth": True, "weeks_since_birth": 30})}
    assert "weeks_since_birth" in legacy  # answers stored before the question existed keep their weeks
    assert not fired(run({**PAROUS_LONG_AGO, "weeks_since_birth": None, "last_birth": "over_2y"}, QUIET), "G1")
    assert not run({**PAROUS_LONG_AGO, "weeks_since_birth": None, "last_birth": "over_2y"},
                   QUIET).return_to_run.applicable
