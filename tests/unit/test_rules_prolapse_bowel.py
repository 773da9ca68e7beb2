"""Prolapse red flags P1-P7, RR-11, SYM-POP; bowel red flags F1-F4 and SYM-BOWEL."""

from __future__ import annotations

from assessments.config import Config

from .builders import bb, codes, fired, pain, pop, run

POSTNATAL = {"given_birth": True, "weeks_since_birth": 30, "delivery": "vaginal", "perineal_trauma": "minor",
             "breastfeeding": False}


def test_quiet_prolapse_intake_fires_nothing():
    assert run(answers=pop()).domains["prolapse"] == "T0"


def test_p1_ulcer_or_bleeding_on_bulge_and_suspicious_mass():
    assert "RF_PROLAPSE_ULCER_BLEEDING" in codes(run(answers=pop(bulge="outside", reducible="yes",
                                                                 bulge_problems=["sore"])))
    assert "RF_SUSPICIOUS_VAGINAL_MASS" in codes(run(answers=pop(suspicious_mass=True)))
    assert not fired(run(answers=pop(bulge="outside", reducible="yes", bulge_problems=["none"])), "P1")


def test_p2_retention_with_prolapse_is_emergency_and_needs_prolapse():
    result = run(answers={**pop(heaviness="often"), **bb(retention=True)})
    assert fired(result, "P2") and result.tier == "T5"
    assert not fired(run(answers={**pop(), **bb(retention=True)}), "P2")


def test_p3_irreducible_t4_and_painful_irreducible_t5():
    plain = run(answers=pop(bulge="outside", reducible="no", bulge_problems=["none"]))
    assert "RF_PROLAPSE_IRREDUCIBLE" in codes(plain) and plain.tier == "T4"
    painful = run(answers=pop(bulge="outside", reducible="no", bulge_problems=["painful"]))
    assert "RF_PROLAPSE_STRANGULATED" in codes(painful) and painful.tier == "T5"
    assert not fired(run(answers=pop(bulge="outside", reducible="yes", bulge_problems=["none"])), "P3")


def test_p4_beyond_the_opening_or_popq_stage_3():
    assert fired(run(answers=pop(bulge="outside", reducible="yes", bulge_problems=["none"])), "P4")
    assert not fired(run(answers=pop(bulge="at_opening", reducible="yes", bulge_problems=["none"])), "P4")
    stage3 = {"Aa": -3, "Ba": -3, "C": -7, "D": -8, "Ap": -3, "Bp": 2, "gh": 3, "pb": 3, "tvl": 10}
    stage2 = {**stage3, "Bp": 1}
    assert fired(run(answers={"pop-q": stage3}), "P4")
    assert not fired(run(answers={"pop-q": stage2}), "P4")


def test_p5_prolapse_with_emptying_problems():
    assert fired(run(answers={**pop(heaviness="sometimes"), **bb(voiding=["incomplete"])}), "P5")
    assert not fired(run(answers={**pop(), **bb(voiding=["incomplete"])}), "P5")


def test_p6_dryness_around_menopause_or_atrophy_on_exam():
    assert fired(run({"age": 58, "menopause": "post"}, pop(dryness=True)), "P6")
    assert not fired(run({"age": 30, "menopause": "periods"}, pop(dryness=True)), "P6")
    assert fired(run(answers=pop(atrophy_signs=True)), "P6")


def test_p7_pessary_review_6_vs_7_months_and_configurable():
    assert not fired(run(answers=pop(pessary=True, pessary_review_months=6)), "P7")
    [rule] = fired(run(answers=pop(pessary=True, pessary_review_months=7)), "P7")
    assert not rule.red_flag
    assert not fired(run(answers=pop(pessary=True, pessary_review_months=7), config=Config(pessary_review_months=12)),
                     "P7")


def test_rr11_postnatal_runner_with_heaviness_is_t2a_with_a_gp_recommendation():
    [rule] = fired(run(POSTNATAL, pop(heaviness="sometimes")), "RR-11")
    assert rule.tier == "T2a" and "GP" in rule.action
    assert not fired(run(answers=pop(heaviness="sometimes")), "RR-11")
    assert not fired(run({**POSTNATAL, "running_status": "not_running"}, pop(heaviness="sometimes")), "RR-11")


def test_rr11_is_t3_only_with_a_p1_to_p6_feature():
    [rule] = fired(run(POSTNATAL, {**pop(heaviness="sometimes"), **bb(voiding=["straining"])}), "RR-11")
    assert rule.tier == "T3" and "P5" in rule.because
    [plain] = fired(run(POSTNATAL, {**pop(heaviness="sometimes"), **bb()}), "RR-11")
    assert plain.tier == "T2a"


def test_rr11_does_not_apply_outside_the_postnatal_window():
    years = {**POSTNATAL, "weeks_since_birth": 6 * 52, "age": 42}
    result = run(years, pop(heaviness="sometimes", worse_running=True))
    assert not fired(result, "RR-11") and result.tier == "T2a"
    assert fired(run({**POSTNATAL, "weeks_since_birth": 52}, pop(heaviness="sometimes")), "RR-11")
    assert not fired(run({**POSTNATAL, "weeks_since_birth": 53}, pop(heaviness="sometimes")), "RR-11")
    wider = Config(postnatal_window_months=18)
    assert fired(run({**POSTNATAL, "weeks_since_birth": 70}, pop(heaviness="sometimes"), config=wider), "RR-11")


def test_sym_pop_offers_16_weeks_pfmt():
    result = run(answers=pop(heaviness="often", worse_running=True))
    assert fired(result, "SYM-POP") and result.tier == "T2a"
    [rec] = [r for r in result.recommendations if r.id == "REC-POP-PFMT"]
    assert "16 weeks" in rec.clinician
    assert fired(run(answers={"pop-ss": {str(i): (1 if i == 3 else 0) for i in range(1, 8)}}), "SYM-POP")


# ---- bowel
def test_f1_rectal_bleeding_per_nice_ng12():
    # Policy section 3 / NICE NG12 1.3.1 and 1.3.3.
    at50 = fired(run({"age": 50}, bb(rectal_blood=True)), "F1")
    assert [r.tier for r in at50] == ["T4"]
    alone = fired(run({"age": 31}, bb(rectal_blood=True, constipation=True)), "F1")
    assert [(r.code, r.tier) for r in alone] == [("RECTAL_BLEEDING_UNDER50", "T3")]
    assert not fired(run(answers=bb()), "F1")


def test_f1_rectal_bleeding_under_50_with_a_feature_is_urgent():
    with_change = run({"age": 31}, bb(rectal_blood=True, bowel_change=True))
    assert "RF_RECTAL_BLEEDING" in codes(with_change) and with_change.tier == "T4"
    with_ida = run({"age": 31}, bb(rectal_blood=True, ida=True))
    assert "RF_RECTAL_BLEEDING" in codes(with_ida)
    with_pain = run({"age": 31}, {**bb(rectal_blood=True), **pain(sites=["lower_abdomen"])})
    assert "RF_RECTAL_BLEEDING" in codes(with_pain)


def test_f1_bowel_change_50_urgent_49_routine():
    assert "RF_BOWEL_HABIT_CHANGE_50PLUS" in codes(run({"age": 50}, bb(bowel_change=True)))
    at49 = run({"age": 49}, bb(bowel_change=True))
    assert "BOWEL_HABIT_CHANGE" in codes(at49) and "RF_BOWEL_HABIT_CHANGE_50PLUS" not in codes(at49)


def test_f1_weight_loss_and_anaemia():
    assert "RF_UNEXPLAINED_WEIGHT_LOSS" in codes(run(answers={"intake-pelvic-pain": {"has_pain": False,
                                                                                       "weight_loss": True}}))
    assert "RF_IRON_DEFICIENCY_ANAEMIA" in codes(run(answers=bb(ida=True)))


def test_f2_new_faecal_incontinence_with_saddle_numbness():
    answers = {**bb(bowel_leak=["liquid"], bowel_leak_new=True),
               **pain(ces_symptoms=["saddle_numbness"], ces_onset="longstanding", back_leg_pain=False)}
    result = run(answers=answers)
    assert fired(result, "F2") and result.tier == "T5"
    old = {**bb(bowel_leak=["liquid"], bowel_leak_new=False),
           **pain(ces_symptoms=["saddle_numbness"], ces_onset="longstanding", back_leg_pain=False)}
    assert not fired(run(answers=old), "F2")


def test_f3_postnatal_faecal_incontinence_and_oasi_variant():
    assert "POSTNATAL_FAECAL_INCONTINENCE" in codes(run(POSTNATAL, bb(bowel_leak=["wind"], bowel_leak_new=False)))
    oasi = {**POSTNATAL, "perineal_trauma": "oasi"}
    assert "POSTNATAL_FI_AFTER_OASI" in codes(run(oasi, bb(bowel_leak=["wind"], bowel_leak_new=False)))
    assert not fired(run(answers=bb(bowel_leak=["wind"], bowel_leak_new=False)), "F3")
    wexner = {"solid": 0, "liquid": 1, "gas": 0, "pad": 0, "lifestyle": 0}
    assert fired(run(POSTNATAL, {"wexner": wexner}), "F3")
    assert not fired(run(POSTNATAL, {"wexner": {k: 0 for k in wexner}}), "F3")


def test_f4_obstructed_defecation():
    assert fired(run(answers=bb(obstructed=["digitation"])), "F4")
    assert fired(run(answers=bb(obstructed=["straining", "incomplete"])), "F4")
    assert not fired(run(answers=bb(obstructed=["straining"])), "F4")


def test_sym_bowel_from_intake_or_scores():
    assert fired(run(answers=bb(bowel_urgency=True)), "SYM-BOWEL")
    st_marks = {"solid": 0, "liquid": 0, "gas": 0, "lifestyle": 0, "pad": 0, "medicines": 0, "urgency": 4}
    assert fired(run(answers={"st-marks": st_marks}), "SYM-BOWEL")
    assert not fired(run(answers=bb()), "SYM-BOWEL")
