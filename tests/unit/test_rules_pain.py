"""Pelvic pain red flags PP1-PP9, seed rules PP-09 / PP-19 and SYM-PAIN / SYM-CSI."""

from __future__ import annotations

import pytest

from .builders import QUIET_PAIN, bb, bleeding, codes, fired, ids, pain, run


def test_quiet_pelvic_pain_is_physiotherapy_only():
    result = run(answers=pain())
    assert result.tier == "T2a"
    assert ids(result) == {"SYM-PAIN"}
    assert not result.red_flags


# ---- PP1 RCOG red flags with pain
@pytest.mark.parametrize("context,answers,label", [
    ({}, {**pain(), **bb(rectal_blood=True)}, "bleeding per rectum"),
    ({"age": 50}, {**pain(), **bb(bowel_change=True)}, "new bowel symptoms at 50 or over"),
    ({"age": 60, "menopause": "post"}, pain(after_menopause="yes"), "new pain after the menopause"),
    ({}, pain(mass="yes"), "pelvic mass"),
    ({}, pain(weight_loss=True), "weight loss"),
    ({"age": 41}, {**pain(), **bleeding(timing="between")}, "irregular vaginal bleeding at 40 or over"),
    ({}, {**pain(), **bleeding(after_sex="yes")}, "post-coital bleeding"),
])
def test_pp1_rcog_red_flags_with_pain_fire_t4(context, answers, label):
    result = run(context, answers)
    rcog = [r for r in fired(result, "PP1") if r.code == "RF_CPP_RCOG_RED_FLAG"]
    assert rcog and label in rcog[0].clinician and rcog[0].tier == "T4"


def test_pp1_bowel_change_at_49_is_not_an_rcog_flag():
    result = run({"age": 49}, {**pain(), **bb(bowel_change=True)})
    assert not [r for r in fired(result, "PP1") if r.code == "RF_CPP_RCOG_RED_FLAG"]


def test_pp1_rcog_flags_need_pelvic_pain():
    result = run(answers={**bb(rectal_blood=True)})
    assert not fired(result, "PP1")
    assert fired(result, "F1")  # rectal bleeding is still urgent on its own


def test_pp1_known_fibroids_are_not_the_mass_red_flag():
    assert not fired(run(answers=pain(mass="fibroids")), "PP1")


def test_pp1_suicidal_thoughts_t4_and_intent_t5_even_without_pain():
    thoughts = run(answers={"intake-pelvic-pain": {"has_pain": False, "self_harm": "thoughts"}})
    assert "RF_SUICIDAL_IDEATION" in codes(thoughts) and thoughts.tier == "T4"
    assert thoughts.domains["general"] == "T4"
    intent = run(answers={"intake-pelvic-pain": {"has_pain": False, "self_harm": "plans"}})
    assert "RF_SUICIDAL_INTENT" in codes(intent) and intent.tier == "T5"
    none = run(answers={"intake-pelvic-pain": {"has_pain": False, "self_harm": "no"}})
    assert not fired(none, "PP1")


def test_pp1_declined_self_harm_question_is_discussed_in_person():
    result = run(answers={"intake-pelvic-pain": {"has_pain": False, "self_harm": "declined"}})
    assert not fired(result, "PP1")
    assert "intake-pelvic-pain.self_harm" in fired(result, "DISCUSS")[0].because


# ---- PP2 ovarian symptoms more than 12 days a month
def test_pp2_over_12_days_fires_and_12_or_fewer_does_not():
    assert fired(run(answers=pain(ovarian=["bloating"], ovarian_days="over_12")), "PP2")[0].tier == "T4"
    assert not fired(run(answers=pain(ovarian=["bloating"], ovarian_days="up_to_12")), "PP2")


# ---- PP3 acute severe pain
def test_pp3_acute_severe_pain_is_emergency():
    result = run(answers={"intake-pelvic-pain": {"has_pain": False, "acute_severe": True,
                                                 "acute_features": ["vomiting"]}})
    [rule] = fired(result, "PP3")
    assert result.tier == "T5" and "vomiting" in rule.clinician
    assert not fired(run(answers=pain(acute_severe=False)), "PP3")


# ---- PP4 fever or discharge
@pytest.mark.parametrize("change", [{"fever": True}, {"discharge": True}])
def test_pp4(change):
    assert fired(run(answers=pain(**change)), "PP4")[0].tier == "T4"


def test_pp4_needs_pain():
    assert not fired(run(answers={"intake-pelvic-pain": {"has_pain": False}}), "PP4")


# ---- PP5 cauda equina
@pytest.mark.parametrize("symptom", ["saddle_numbness", "bladder_change", "bladder_control", "bowel_control",
                                     "leg_weakness"])
def test_pp5_new_cauda_equina_symptom_is_emergency(symptom):
    result = run(answers=pain(ces_symptoms=[symptom], ces_onset="new", back_leg_pain=True))
    assert fired(result, "PP5") and result.tier == "T5"


def test_pp5_worsening_fires_but_longstanding_unchanged_is_u8():
    assert fired(run(answers=pain(ces_symptoms=["saddle_numbness"], ces_onset="worsening", back_leg_pain=False)), "PP5")
    stable = run(answers=pain(ces_symptoms=["saddle_numbness"], ces_onset="longstanding", back_leg_pain=False))
    assert not fired(stable, "PP5")
    assert fired(stable, "U8")


def test_pp5_sexual_symptom_counts_only_with_back_or_leg_pain():
    assert fired(run(answers=pain(ces_symptoms=["sexual"], ces_onset="new", back_leg_pain=True)), "PP5")
    assert not fired(run(answers=pain(ces_symptoms=["sexual"], ces_onset="new", back_leg_pain=False)), "PP5")


# ---- PP6 bone stress injury
def test_pp6_groin_pain_on_hopping_is_urgent_and_stops_running():
    result = run(answers=pain(sites=["groin"], hop_pain=True))
    assert fired(result, "PP6")[0].tier == "T4"
    rec_ids = [r.id for r in result.recommendations]
    assert "REC-STOP-RUNNING" in rec_ids
    assert not any(r.keeps_running for r in result.recommendations)


def test_pp6_night_pain_at_a_bsi_site_fires_but_not_elsewhere():
    assert fired(run(answers=pain(sites=["sacrum"], night_pain=True)), "PP6")
    assert not fired(run(answers=pain(sites=["lower_abdomen"], night_pain=True, hop_pain=True)), "PP6")


def test_pp6_needs_a_sign_and_risk_context_alone_does_not_fire_it():
    # Clinical policy section 4: high-risk site AND one of impact/hop pain, night/rest pain, bony tenderness.
    assert fired(run(answers=pain(sites=["pubic"], impact_worse=True)), "PP6")
    assert not fired(run({"skip_meals": True, "diagnoses": ["low_bone_density"]}, pain(sites=["pubic"])), "PP6")
    postnatal = {"given_birth": True, "weeks_since_birth": 20, "delivery": "caesarean_planned", "breastfeeding": True}
    assert not fired(run(postnatal, pain(sites=["buttock"])), "PP6")
    [rule] = fired(run(postnatal, pain(sites=["buttock"], impact_worse=True)), "PP6")
    assert rule.code == "RF_BONE_STRESS_INJURY_RISK_CONTEXT" and "breastfeeding" in rule.patient


def test_pp6_clinician_bony_tenderness_is_a_sign():
    result = run(answers=pain(sites=["sacrum"], bony_tenderness=True))
    assert fired(result, "PP6")[0].tier == "T4"
    assert not fired(run(answers=pain(sites=["sacrum"], bony_tenderness=False)), "PP6")


def test_pp6_patient_wording_names_only_the_signs_she_reported():
    [rule] = fired(run(answers=pain(sites=["groin"], impact_worse=True, hop_pain=False, night_pain=False)), "PP6")
    assert "running or jumping" in rule.patient
    assert "hop" not in rule.patient and "night" not in rule.patient
    [night] = fired(run(answers=pain(sites=["groin"], night_pain=True)), "PP6")
    assert "night" in night.patient and "hop" not in night.patient


def test_pp6_risk_context_wording_uses_the_postnatal_window():
    outside = {"given_birth": True, "weeks_since_birth": 300, "delivery": "vaginal", "perineal_trauma": "none",
               "breastfeeding": False}
    [rule] = fired(run(outside, pain(sites=["groin"], hop_pain=True)), "PP6")
    assert rule.code == "RF_BONE_STRESS_INJURY" and "baby" not in rule.patient


# ---- B1 ectopic signs asked with pain as well as bleeding (clinical policy section 3)
def test_b1_possible_pregnancy_with_pain_and_ectopic_signs_without_bleeding_is_t5():
    result = run({"pregnancy": "possible"}, pain(ectopic_signs=["one_sided"]))
    [rule] = fired(result, "B1")
    assert rule.code == "RF_PREGNANCY_ECTOPIC_SIGNS_WITH_PAIN" and result.tier == "T5"


def test_b1_pain_with_signs_but_pregnancy_excluded_or_no_signs_does_not_fire():
    assert not fired(run({"pregnancy": "no"}, pain(ectopic_signs=["one_sided", "faint"])), "B1")
    assert not fired(run({"pregnancy": "possible"}, pain(ectopic_signs=["none"])), "B1")


# ---- PP7 persistent pain, PP8 endometriosis features, PP9 mood
def test_pp7_six_months_or_more():
    assert fired(run(answers=pain(duration="6m_plus")), "PP7")[0].tier == "T3"
    assert not fired(run(answers=pain(duration="3_6m")), "PP7")


@pytest.mark.parametrize("change", [{"cyclical": "yes"}, {"dyspareunia": "deep"}, {"dyspareunia": "both"},
                                    {"dyschezia": True}])
def test_pp8_features(change):
    assert fired(run(answers=pain(**change)), "PP8")


def test_pp8_entry_dyspareunia_is_not_endometriosis_feature():
    result = run(answers=pain(dyspareunia="entry"))
    assert not fired(result, "PP8")


def test_pp9_low_mood_with_pain():
    assert fired(run(answers=pain(low_mood=True)), "PP9")[0].tier == "T2a"
    assert not fired(run(answers=pain(low_mood=False)), "PP9")


def test_pp9_gives_way_to_an_answered_phq9():
    answered = run(answers={**pain(low_mood=True), "phq-9": {"1": 0, "2": 0}})
    assert not fired(answered, "PP9") and answered.tier == "T2a"


# ---- seed 001
def test_pp09_recurring_with_runs_or_lasting_next_day():
    assert fired(run(answers=pain(runs_affected="some_runs")), "PP-09")
    assert fired(run(answers=pain(timing=["next_day"])), "PP-09")
    assert not fired(run(answers=pain(runs_affected="one_run")), "PP-09")


def test_pp19_worsening_or_with_incontinence():
    assert fired(run(answers=pain(trend="worse")), "PP-19")
    assert fired(run(answers={**pain(), **bb(leak=True, leak_when=["running"])}), "PP-19")
    assert not fired(run(answers=pain(trend="better")), "PP-19")


def test_sym_pain_needs_pain():
    assert not fired(run(answers={"intake-pelvic-pain": {**QUIET_PAIN, "has_pain": False}}), "SYM-PAIN")


# ---- SYM-CSI reads the published CSI total (phase 2)
def test_sym_csi_at_40_with_pain_fires_and_39_does_not():
    def csi(total):
        answers = {str(i): 0 for i in range(1, 26)}
        for i in range(1, 26):
            step = min(4, total)
            answers[str(i)] = step
            total -= step
        return answers
    assert fired(run(answers={**pain(), "csi": csi(40)}), "SYM-CSI")
    assert not fired(run(answers={**pain(), "csi": csi(39)}), "SYM-CSI")
    assert not fired(run(answers={"csi": csi(60)}), "SYM-CSI")


# ---- mood and safety: PHQ-2 -> PHQ-9 and EPDS (clinical policy section 5)
def phq(*values, intent=None):
    answers = {str(i + 1): v for i, v in enumerate(values)}
    if intent is not None:
        answers["intent"] = intent
    return {"phq-9": answers}


# EPDS answers by option position (0 = top answer as printed); items 3 and 5-10 print the highest score first.
EPDS_TOP_SCORE = {"1": 0, "2": 0, "3": 3, "4": 0, "5": 3, "6": 3, "7": 3, "8": 3, "9": 3, "10": 3}


def epds(scores: dict, intent=None):
    answers = dict(scores)
    if intent is not None:
        answers["intent"] = intent
    return {"epds": answers}


QUIET_EPDS = {str(i): 0 for i in range(1, 11)}


def test_phq9_total_of_10_is_gp_review_and_9_is_not():
    at10 = run(answers=phq(2, 2, 2, 2, 1, 1, 0, 0, 0))
    [rule] = fired(at10, "MOOD-PHQ9")
    assert rule.tier == "T3" and not rule.red_flag and "moderate" in rule.clinician
    assert not fired(run(answers=phq(2, 2, 2, 1, 1, 1, 0, 0, 0)), "MOOD-PHQ9")


def test_phq2_negative_skips_items_3_to_9_and_scores_zero():
    result = run(answers=phq(0, 0))
    assert result.scores["phq-9"].total == 0 and not fired(result, "MOOD-PHQ9")
    assert result.tier == "T0"


def test_phq9_item_9_above_zero_is_same_day_risk_assessment():
    result = run(answers=phq(1, 1, 0, 0, 0, 0, 0, 0, 1, intent=False))
    [rule] = fired(result, "MOOD-RISK")
    assert rule.tier == "T4" and rule.red_flag and "116 123" in rule.patient and "same day" in rule.clinician
    assert not fired(run(answers=phq(1, 1, 0, 0, 0, 0, 0, 0, 0)), "MOOD-RISK")


def test_stated_intent_is_an_emergency():
    result = run(answers=phq(3, 3, 3, 3, 3, 3, 3, 3, 2, intent=True))
    assert "RF_SELF_HARM_INTENT" in codes(result) and result.tier == "T5"
    assert "MOOD-PHQ9" in ids(result)  # the score is still reported beside the red flag


def test_epds_reverse_scored_items_and_cut_off_13():
    # items 1, 2 and 4 score 0-3 and items 3 and 5-10 score 3-0 from the top answer (Cox 1987)
    from assessments import model
    inst = model.get("epds")
    assert {i: inst.item(i).options[0].value for i in EPDS_TOP_SCORE} == EPDS_TOP_SCORE
    top = run(answers=epds(EPDS_TOP_SCORE, intent=False))
    assert top.scores["epds"].total == 21
    at13 = {**QUIET_EPDS, "1": 2, "2": 2, "3": 3, "4": 3, "5": 3}
    [rule] = fired(run(answers=epds(at13)), "MOOD-EPDS")
    assert rule.tier == "T3" and not rule.red_flag
    at12 = {**QUIET_EPDS, "1": 2, "2": 2, "3": 3, "4": 3, "5": 2}
    assert not fired(run(answers=epds(at12)), "MOOD-EPDS")


def test_epds_item_10_above_zero_is_t4_and_intent_t5():
    thoughts = run(answers=epds({**QUIET_EPDS, "10": 1}, intent=False))
    assert "RF_SELF_HARM_THOUGHTS" in codes(thoughts) and thoughts.tier == "T4"
    assert "Hardly ever" in fired(thoughts, "MOOD-RISK")[0].clinician
    intent = run(answers=epds({**QUIET_EPDS, "10": 2}, intent=True))
    assert intent.tier == "T5"
    assert not fired(run(answers=epds(QUIET_EPDS)), "MOOD-RISK")


def test_mood_instruments_are_adapted_wording_and_accept_a_text_pack():
    from assessments import model
    for iid in ("phq-9", "epds"):
        inst = model.get(iid)
        assert inst.wording == "adapted"
        packed = model.apply_text_pack(inst, {"items": {"1": {"label": "Licensed wording"}}})
        assert packed.item("1").label == "Licensed wording"
        assert [o.value for o in packed.item("1").options] == [o.value for o in inst.item("1").options]
