"""Bleeding red flags B1-B12 and the seed 000 rules: each fires, and its neighbour does not."""

from __future__ import annotations

import pytest

from assessments.config import Config

from .builders import bleeding, codes, fired, ids, pop, run


def test_quiet_spotting_fires_no_bleeding_red_flag():
    result = run(answers=bleeding())
    assert not [r for r in result.red_flags if r.domain == "bleeding"]
    assert result.tier in ("T0", "T1")


# ---- B1 possible pregnancy
@pytest.mark.parametrize("sign", [{"pain": ["one_sided"]}, {"pain": ["shoulder_tip"]}, {"faint": ["dizzy"]},
                                  {"faint": ["racing_heart"]}])
def test_b1_ectopic_signs_with_possible_pregnancy_are_t5(sign):
    result = run({"pregnancy": "possible"}, bleeding(**sign))
    assert "RF_BLEED_PREGNANCY_ECTOPIC_SIGNS" in codes(result)
    assert result.tier == "T5"


def test_b1_same_signs_without_possible_pregnancy_do_not_fire():
    result = run({"pregnancy": "no"}, bleeding(pain=["one_sided"]))
    assert not fired(result, "B1")


def test_b1_known_pregnancy_with_any_bleeding_is_same_day():
    assert "RF_BLEED_IN_PREGNANCY" in codes(run({"pregnancy": "pregnant"}, bleeding()))


@pytest.mark.parametrize("status", ["possible", "unsure"])
def test_b1_pregnancy_not_excluded_asks_for_a_test(status):
    result = run({"pregnancy": status}, bleeding())
    [rule] = fired(result, "B1")
    assert rule.code == "RF_BLEED_PREGNANCY_TEST" and rule.tier == "T3"
    assert "pregnancy test" in rule.patient


def test_b1_does_not_apply_to_blood_in_urine():
    assert not fired(run({"pregnancy": "possible"}, bleeding(source="urine", urine_after_runs=True, urine_hours=10,
                                                              urine_still=False, urine_recurs=False)), "B1")


# ---- B2 heavy bleeding
def test_b2_hourly_for_two_hours_fires():
    result = run(answers=bleeding(heaviness="hourly", hourly_two_hours=True))
    assert fired(result, "B2") and result.tier == "T5"


def test_b2_hourly_for_less_than_two_hours_without_faintness_is_not_an_emergency_but_is_t3():
    # Clinical policy section 3: not B2's emergency, but a new bleeding pattern: at least T3.
    result = run(answers=bleeding(heaviness="hourly", hourly_two_hours=False))
    [rule] = fired(result, "B2")
    assert rule.code == "RF_BLEED_HEAVY_SHORT" and result.tier == "T3" and rule.red_flag
    assert not [r for r in result.rules if r.id == "SP-04"]
    assert "not serious" not in " ".join(r.patient for r in result.recommendations)
    assert not fired(run(answers=bleeding(heaviness="period_like")), "B2")


def test_first_heavy_bleed_counts_as_new():
    result = run(answers=bleeding(heaviness="period_like", duration="first", new_pattern=False))
    assert "SEED_FIRST_HEAVY_BLEED" in codes(result) and result.tier == "T3"
    assert not fired(run(answers=bleeding(heaviness="spotting", duration="first", new_pattern=False)), "SP-23")
    assert not fired(run(answers=bleeding(heaviness="period_like", duration="weeks", new_pattern=False)), "SP-23")


def test_b2_period_like_bleeding_with_faintness_fires_but_spotting_with_faintness_does_not():
    assert fired(run(answers=bleeding(heaviness="period_like", faint=["faint"])), "B2")
    light = run(answers=bleeding(heaviness="spotting", faint=["faint"]))
    assert not fired(light, "B2")
    assert fired(light, "SP-26")  # dizziness / faintness still needs review


# ---- B3 infection or worsening pain
@pytest.mark.parametrize("change,code", [({"fever": True}, "RF_BLEED_INFECTION"),
                                         ({"discharge": True}, "RF_BLEED_INFECTION"),
                                         ({"pain": ["worsening"]}, "RF_BLEED_WORSENING_PAIN")])
def test_b3_fires_t5(change, code):
    result = run(answers=bleeding(**change))
    assert code in codes(result) and result.tier == "T5"


def test_b3_cramps_alone_are_sp25_not_b3():
    result = run(answers=bleeding(pain=["cramps"]))
    assert not fired(result, "B3")
    assert fired(result, "SP-25")[0].tier == "T3"


# ---- B4 postmenopausal bleeding, 54 vs 55
def test_b4_at_55_is_urgent_suspected_cancer_pathway():
    result = run({"age": 55, "menopause": "post"}, bleeding())
    [rule] = fired(result, "B4")
    assert rule.code == "RF_PMB_55PLUS" and rule.tier == "T4" and rule.red_flag
    assert "NG12" in rule.citation


def test_b4_at_54_is_gp_review_not_the_urgent_variant():
    result = run({"age": 54, "menopause": "post"}, bleeding())
    [rule] = fired(result, "B4")
    assert rule.code == "RF_PMB_UNDER55" and rule.tier == "T3"
    assert "RF_PMB_55PLUS" not in codes(result)


def test_b4_not_postmenopausal_does_not_fire():
    assert not fired(run({"age": 56, "menopause": "peri"}, bleeding()), "B4")


# ---- B5 post-coital bleeding
def test_b5_fires_and_persistent_over_35_refers():
    assert codes(run(answers=bleeding(after_sex="yes"))) >= {"RF_PCB"}
    assert "RF_PCB_PERSISTENT_35PLUS" in codes(run({"age": 36}, bleeding(after_sex="yes", duration="months")))
    assert "RF_PCB_PERSISTENT_35PLUS" not in codes(run({"age": 35}, bleeding(after_sex="yes", duration="months")))
    assert "RF_PCB_PERSISTENT_35PLUS" not in codes(run({"age": 36}, bleeding(after_sex="yes", duration="weeks")))


def test_b5_no_bleeding_after_sex_does_not_fire():
    assert not fired(run(answers=bleeding(after_sex="no")), "B5")


def test_b5_declined_is_not_a_no_and_asks_in_person():
    result = run(answers=bleeding(after_sex="declined"))
    assert not fired(result, "B5")
    [rule] = fired(result, "DISCUSS")
    assert "intake-bleeding.after_sex" in rule.clinician


# ---- B6 persistent intermenstrual bleeding
def test_b6_persistent_imb_fires_and_first_light_episode_does_not():
    assert fired(run(answers=bleeding(timing="between", duration="months")), "B6")
    assert not fired(run(answers=bleeding(timing="between", duration="first")), "B6")
    assert not fired(run(answers=bleeding(timing="before_period", duration="longer")), "B6")


def test_b6_first_period_like_bleed_between_periods_is_t3():
    result = run(answers=bleeding(timing="between", duration="first", heaviness="period_like"))
    [rule] = fired(result, "B6")
    assert rule.code == "RF_IMB_PERIOD_LIKE" and rule.tier == "T3"
    assert not fired(run(answers=bleeding(timing="before_period", duration="first", heaviness="period_like")), "B6")


# ---- B7 heavy menstrual bleeding
def test_b7():
    assert fired(run(answers={"intake-bleeding": {"heavy_periods": "yes", "any_bleeding": False}}), "B7")
    assert not fired(run(answers={"intake-bleeding": {"heavy_periods": "no", "any_bleeding": False}}), "B7")


# ---- B8 postnatal bleeding
POSTNATAL = {"given_birth": True, "delivery": "vaginal", "perineal_trauma": "none", "breastfeeding": False}


def test_b8_default_threshold_is_6_completed_weeks():
    at6 = run({**POSTNATAL, "weeks_since_birth": 6}, bleeding(since_birth="continued"))
    at5 = run({**POSTNATAL, "weeks_since_birth": 5}, bleeding(since_birth="continued"))
    assert "RF_POSTNATAL_BLEEDING_BEYOND_THRESHOLD" in codes(at6)
    assert not fired(at5, "B8")


def test_b8_goom_threshold_7_vs_8_weeks():
    cfg = Config(postnatal_bleeding_weeks=8)
    assert fired(run({**POSTNATAL, "weeks_since_birth": 8}, bleeding(since_birth="came_back"), config=cfg), "B8")
    assert not fired(run({**POSTNATAL, "weeks_since_birth": 7}, bleeding(since_birth="came_back"), config=cfg), "B8")


def test_b8_periods_returning_is_not_postnatal_bleeding():
    assert not fired(run({**POSTNATAL, "weeks_since_birth": 20}, bleeding(since_birth="periods")), "B8")


def test_b8_secondary_pph_signs_are_same_day():
    result = run({**POSTNATAL, "weeks_since_birth": 3}, bleeding(since_birth="continued", clots=True))
    [rule] = fired(result, "B8")
    assert rule.code == "RF_SECONDARY_PPH" and result.tier == "T5"
    calm = run({**POSTNATAL, "weeks_since_birth": 3}, bleeding(since_birth="continued"))
    assert not fired(calm, "B8")


def test_b8_bleeding_years_after_birth_is_not_b8():
    assert not fired(run({**POSTNATAL, "weeks_since_birth": 200}, bleeding(since_birth="not_recent")), "B8")


# ---- B10 irregular bleeding at 40 or over
def test_b10_at_40_fires_and_39_does_not():
    result = run({"age": 40}, bleeding(timing="between"))
    assert fired(result, "B10")[0].tier == "T4"
    assert not fired(run({"age": 39}, bleeding(timing="between")), "B10")


def test_b10_premenstrual_spotting_is_not_irregular():
    assert not fired(run({"age": 45}, bleeding(timing="before_period")), "B10")


# ---- B11 / U2 blood in urine after running: 48 h window by default, 72 h configurable
def urine(hours=None, still=False, recurs=False, after_runs=True):
    answers = {"any_bleeding": True, "source": "urine", "urine_after_runs": after_runs, "urine_still": still,
               "urine_recurs": recurs, "heavy_periods": "no"}
    if hours is not None:
        answers["urine_hours"] = hours
    return {"intake-bleeding": answers}


def test_b11_first_episode_cleared_within_48h_is_education_and_49h_is_urgent():
    cleared = run(answers=urine(48))
    [rule] = fired(cleared, "B11")
    assert rule.code == "EXERCISE_HAEMATURIA_CLEARED" and rule.tier == "T1" and not rule.red_flag
    assert cleared.tier == "T1" and not cleared.red_flags
    assert not fired(cleared, "U2")
    late = run(answers=urine(49))
    assert "RF_HAEMATURIA_PERSISTING" in codes(late) and late.tier == "T4"
    assert fired(late, "U2")


def test_b11_marathoner_cleared_in_14_hours_is_t1():
    result = run({"race_goal": "marathon"}, urine(14))
    assert result.tier == "T1" and not result.red_flags


def test_b11_cleared_but_recurrence_not_answered_stays_gp_review():
    answers = urine(14)
    del answers["intake-bleeding"]["urine_recurs"]
    assert "RF_HAEMATURIA_CLEARED" in codes(run(answers=answers))


def test_b11_window_at_72h_when_configured():
    cfg = Config(haematuria_clear_hours=72)
    assert "EXERCISE_HAEMATURIA_CLEARED" in codes(run(answers=urine(72), config=cfg))
    assert "RF_HAEMATURIA_PERSISTING" in codes(run(answers=urine(73), config=cfg))
    assert "RF_HAEMATURIA_PERSISTING" in codes(run(answers=urine(72)))


def test_b11_window_outside_published_range_is_rejected():
    with pytest.raises(ValueError):
        Config(haematuria_clear_hours=96)


def test_b11_recurrent_or_not_exercise_related_is_urgent():
    assert "RF_HAEMATURIA_RECURRENT" in codes(run(answers=urine(10, recurs=True)))
    assert "RF_HAEMATURIA_NOT_EXERCISE" in codes(run(answers=urine(10, after_runs=False)))


def test_b11_still_visible_inside_window_is_watched_and_unknown_duration_is_reviewed():
    assert "RF_HAEMATURIA_WATCH" in codes(run(answers=urine(20, still=True)))
    assert "RF_HAEMATURIA_DURATION_UNKNOWN" in codes(run(answers=urine()))


def test_b11_unsure_source_is_flagged_and_vaginal_rules_still_apply():
    result = run({"age": 57, "menopause": "post"}, bleeding(source="unsure"))
    assert "RF_BLEED_SOURCE_UNSURE" in codes(result)
    assert fired(result, "B4")


def test_b11_vaginal_source_does_not_fire():
    assert not fired(run(answers=bleeding()), "B11")


def test_rectal_source_goes_to_f1_not_vaginal_rules():
    result = run({"age": 57, "menopause": "post"}, {"intake-bleeding": {"any_bleeding": True, "source": "rectal"}})
    assert "RF_RECTAL_BLEEDING" in codes(result)
    assert not fired(result, "B4")


# ---- several sources at once (clinical policy section 3): each source's rules apply
def test_vaginal_and_urine_sources_both_apply():
    answers = bleeding(source=["vaginal", "urine"], heaviness="hourly", hourly_two_hours=True,
                       urine_after_runs=True, urine_hours=80, urine_still=False, urine_recurs=False)
    result = run(answers=answers)
    assert fired(result, "B2") and fired(result, "U2") and "RF_HAEMATURIA_PERSISTING" in codes(result)


def test_old_single_choice_source_still_reads():
    assert fired(run({"age": 57, "menopause": "post"}, bleeding(source="vaginal")), "B4")
    assert fired(run({"age": 57, "menopause": "post"}, bleeding(source=["vaginal"])), "B4")
    assert not fired(run({"age": 57, "menopause": "post"}, urine(10)), "B4")


# ---- B5 abnormal-looking cervix (clinician field)
@pytest.mark.parametrize("cervix", ["abnormal_seen", "abnormal_reported"])
def test_b5_abnormal_cervix_is_suspected_cancer_pathway(cervix):
    result = run(answers={"intake-bleeding": {"heavy_periods": "no", "any_bleeding": False, "cervix": cervix}})
    [rule] = fired(result, "B5")
    assert rule.code == "RF_SUSPICIOUS_CERVIX" and result.tier == "T4"


@pytest.mark.parametrize("cervix", ["normal", "not_examined"])
def test_b5_normal_or_unexamined_cervix_does_not_fire(cervix):
    assert not fired(run(answers={"intake-bleeding": {"heavy_periods": "no", "any_bleeding": False,
                                                      "cervix": cervix}}), "B5")


# ---- B12 coil or ectropion
def test_b12_coil_and_ectropion_are_routine_not_red_flags():
    coil = run({"contraception": ["copper_iud"], "iud_months": 2}, bleeding())
    [rule] = fired(coil, "B12")
    assert rule.tier == "T3" and not rule.red_flag and "2 months ago" in rule.clinician
    assert any(r.id == "REC-IUD-CHECK" for r in coil.recommendations)
    assert fired(run(answers=bleeding(ectropion=True)), "B12")
    assert not fired(run(answers=bleeding()), "B12")


# ---- seed 000 rules
def test_sp04_premenstrual_spotting_is_t1_only_without_red_flags():
    calm = run(answers=bleeding(timing="before_period"))
    assert fired(calm, "SP-04") and calm.tier == "T1"
    alarmed = run(answers=bleeding(timing="before_period", fever=True))
    assert not fired(alarmed, "SP-04")


def test_sp15_load_spike_with_spotting():
    assert fired(run({"load_change": "both"}, bleeding()), "SP-15")
    assert fired(run(answers=bleeding(heavy_training="yes")), "SP-15")
    assert not fired(run({"load_change": "reduced"}, bleeding()), "SP-15")


def test_sp19_persistent_and_painful_or_every_run():
    assert fired(run(answers=bleeding(duration="longer", with_runs="every_run")), "SP-19")
    assert not fired(run(answers=bleeding(duration="weeks", with_runs="every_run")), "SP-19")
    assert not fired(run(answers=bleeding(duration="longer", with_runs="some_runs")), "SP-19")


def test_sp23_new_pattern():
    assert fired(run(answers=bleeding(new_pattern=True)), "SP-23")
    assert not fired(run(answers=bleeding(new_pattern=False)), "SP-23")


@pytest.mark.parametrize("change", [{"getting_heavier": True}, {"with_runs": "every_run"},
                                    {"cycle_changes": ["skipped"]}, {"cycle_changes": ["short"]},
                                    {"low_energy": True}, {"faint": ["dizzy"]}])
def test_sp26_checklist_items_each_fire(change):
    assert fired(run(answers=bleeding(**change)), "SP-26")


def test_sp26_unpredictable_periods_alone_do_not_fire():
    assert not fired(run(answers=bleeding(cycle_changes=["unpredictable"])), "SP-26")


def test_sp27_feels_off():
    result = run({"feels_off": True, "concern": "Something just feels different"})
    assert fired(result, "SP-27")[0].tier == "T2a"
    assert "Something just feels different" in fired(result, "SP-27")[0].clinician
    assert not fired(run({"feels_off": False}), "SP-27")


def test_p1_postmenopausal_bleeding_with_prolapse():
    result = run({"age": 60, "menopause": "post"}, {**bleeding(), **pop(heaviness="often")})
    assert "RF_PMB_WITH_PROLAPSE" in codes(result)
    assert {"B4", "P1"} <= ids(result)
