"""Provisional history-only IOC REDs CAT2 light: the published table for every P x S in 0-6,
indicator counting (severe primary counts as 2), exclusions, the serious-medical override and the
energy rules R1-R4 / B9 / REDS-YELLOW / SP-17 / SP-21 / SP-24."""

from __future__ import annotations

import pytest

from assessments.cat2 import light_for
from assessments.config import Config

from .builders import bleeding, codes, fired, run

# Reference section 5.3: the four published conditions, written out as the reference gives them.
PUBLISHED = {
    "green": lambda p, s: p == 0 and s <= 1,
    "yellow": lambda p, s: (p == 0 and s >= 2) or (p == 1 and s <= 2) or (p == 2 and s <= 1),
    "orange": lambda p, s: (p == 1 and s >= 3) or (p == 2 and s >= 2) or (p == 3 and s <= 1),
    "red": lambda p, s: (p == 3 and s >= 2) or p >= 4,
}
# Reference section 7: the same table by row.
TABLE = {0: ["green", "green", "yellow", "yellow", "yellow", "yellow", "yellow"],
         1: ["yellow", "yellow", "yellow", "orange", "orange", "orange", "orange"],
         2: ["yellow", "yellow", "orange", "orange", "orange", "orange", "orange"],
         3: ["orange", "orange", "red", "red", "red", "red", "red"],
         4: ["red"] * 7, 5: ["red"] * 7, 6: ["red"] * 7}


@pytest.mark.parametrize("p", range(7))
@pytest.mark.parametrize("s", range(7))
def test_every_p_and_s_matches_the_published_table(p, s):
    matches = [light for light, cond in PUBLISHED.items() if cond(p, s)]
    assert len(matches) == 1, "the published conditions cover each pair exactly once"
    assert light_for(p, s) == matches[0] == TABLE[p][s]


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError):
        light_for(-1, 0)


def cat2(context=None, config=None, **answers):
    base = {"primary_amenorrhoea": False, "missed_cycles": 0, "long_cycles": False, "bsi_high": 0, "bsi_low": 0,
            "eating_worry": False}
    return run(context, {"reds-cat2": {**base, **answers}}, config=config or Config())


def test_history_with_no_indicators_is_green_and_provisional():
    result = cat2()
    assert result.cat2.assessed and result.cat2.outcome == "green" and result.cat2.provisional
    assert "provisional" in result.cat2.caveat.lower()
    assert not result.cat2.sports_physician


def test_not_assessed_without_the_cat2_history():
    result = run()
    assert not result.cat2.assessed and result.cat2.outcome is None


@pytest.mark.parametrize("missed,weight", [(2, 0), (3, 1), (11, 1), (12, 2), (20, 2)])
def test_missed_cycles_boundaries(missed, weight):
    result = cat2(missed_cycles=missed)
    assert result.cat2.primary_count == weight


def test_primary_amenorrhoea_is_severe_and_counts_2():
    result = cat2(primary_amenorrhoea=True)
    assert result.cat2.primary_count == 2 and result.cat2.outcome == "yellow"
    assert "RF_PRIMARY_AMENORRHOEA" in codes(result)


@pytest.mark.parametrize("answers,primary", [
    ({"bsi_high": 1}, 1), ({"bsi_low": 2}, 1), ({"bsi_low": 1}, 0),
    ({"bsi_low": 1, "bsi_months_lost": 6}, 1), ({"bsi_low": 1, "bsi_months_lost": 5}, 0),
])
def test_bone_stress_injury_history(answers, primary):
    assert cat2(**answers).cat2.primary_count == primary


@pytest.mark.parametrize("ede,primary", [(2.30, 0), (2.31, 1)])
def test_ede_q_cut_off(ede, primary):
    assert cat2(ede_q_global=ede).cat2.primary_count == primary


def test_eating_disorder_counts_once_however_reported():
    result = cat2({"mental_health": ["eating_disorder"]}, ede_q_global=4.0, ed_diagnosis=True)
    assert result.cat2.primary_count == 1


def test_secondary_indicators_and_switch():
    answers = {"long_cycles": True, "bsi_low": 1, "cholesterol": "high", "igf1": "low"}
    result = cat2({"mental_health": ["depression"]}, **answers)
    assert result.cat2.secondary_count == 5 and result.cat2.primary_count == 0
    assert result.cat2.outcome == "yellow"
    assert all(i.evidence == "[M]" for i in result.cat2.secondary)
    off = cat2({"mental_health": ["depression"]}, config=Config(cat2_secondary=False), **answers)
    assert off.cat2.secondary_count == 0 and off.cat2.outcome == "green"


def test_menstrual_indicators_not_counted_with_hormonal_contraception_or_breastfeeding():
    pill = cat2({"contraception": ["implant"]}, missed_cycles=6)
    assert pill.cat2.primary_count == 0 and any("hormonal contraception" in n for n in pill.cat2.notes)
    assert not fired(pill, "B9")
    feeding = cat2({"given_birth": True, "weeks_since_birth": 20, "breastfeeding": True, "delivery": "vaginal",
                    "perineal_trauma": "none"}, missed_cycles=6)
    assert feeding.cat2.primary_count == 0


def test_b9_absent_periods_3_months_fires_and_2_does_not():
    assert "RF_AMENORRHOEA_3M" in codes(cat2(missed_cycles=3))
    assert not fired(cat2(missed_cycles=2), "B9")


def test_orange_is_t4_with_sports_physician():
    result = cat2(missed_cycles=12, bmd="low")  # P = 3, S = 0 -> orange
    assert result.cat2.primary_count == 3 and result.cat2.outcome == "orange"
    assert "RF_REDS_CAT2_ORANGE" in codes(result) and result.tier == "T4"
    assert result.cat2.sports_physician
    assert not fired(result, "R2") and not fired(result, "REDS-YELLOW")


def test_red_is_t5():
    result = cat2(missed_cycles=12, bmd="low", t3="low")  # P = 4 -> red
    assert result.cat2.outcome == "red" and fired(result, "R2") and result.tier == "T5"
    assert not fired(result, "R3")


def test_any_primary_indicator_refers_to_sports_physician():
    result = cat2(bsi_high=1)  # P = 1, yellow
    assert result.cat2.outcome == "yellow"
    assert "REDS_PRIMARY_INDICATOR" in codes(result) and fired(result, "R3")[0].tier == "T3"
    assert not fired(result, "REDS-YELLOW")  # yellow with a primary indicator is R3, not the secondary-only rule


def test_yellow_from_secondary_only_is_specialist_tier():
    result = cat2({"mental_health": ["anxiety"]}, long_cycles=True)
    assert result.cat2.outcome == "yellow"
    assert fired(result, "REDS-YELLOW")[0].tier == "T2b"
    assert not fired(result, "R3")


def test_serious_medical_indicator_overrides_any_light():
    result = cat2(serious=["hypotension"])
    assert result.cat2.light == "green" and result.cat2.outcome == "immediate_medical_care"
    assert result.cat2.override and fired(result, "R1") and result.tier == "T5"
    assert not result.exercise_advice
    assert not fired(cat2(serious=["none"]), "R1")


def test_r4_eating_worry_and_leafq_cutoff():
    assert "REDS_DISORDERED_EATING_CONCERN" in codes(cat2(eating_worry=True))
    assert not fired(cat2(eating_worry=False), "R4")


def leafq(total_points):
    """LEAF-Q answers worth 8 or 7 points under the definition's key (all other items 0 points)."""
    answers = {"injury_absence": "none", "gi_bloating": "rarely_never", "gi_cramps": "rarely_never",
               "gi_bowel_frequency": "daily", "gi_stool": "normal", "oral_contraceptive": "no",
               "other_hormonal_contraceptive": "none", "menarche_age": "12_to_14", "normal_periods": "yes",
               "last_period": "within_month", "regular_periods": "yes", "bleeding_days": "3_4",
               "heavy_bleeding": "no", "amenorrhoea_3_months": "never", "exercise_change": "no_change"}
    stool = {8: "hard", 7: "loose"}[total_points]  # 3 (bloating) + 3 (cramps) + 2 or 1 (stool)
    answers.update(gi_bloating="several_daily", gi_cramps="several_daily", gi_stool=stool)
    return answers


def test_r4_leafq_at_cutoff_fires_and_below_does_not():
    from assessments import score
    at = leafq(8)
    below = leafq(7)
    if score("leaf-q", at).total != 8 or score("leaf-q", below).total != 7:
        pytest.skip("LEAF-Q point key changed; this test pins only the cut-off behaviour")
    assert "REDS_LEAFQ_AT_RISK" in codes(run(answers={"leaf-q": at}))
    assert not fired(run(answers={"leaf-q": below}), "R4")
    assert not fired(run(answers={"leaf-q": at}, config=Config(leafq_cutoff=9)), "R4")


def test_sp17_load_and_fuel_risks_are_self_management():
    result = run({"skip_meals": True, "load_change": "distance"})
    [rule] = fired(result, "SP-17")
    assert rule.tier == "T1" and "skipping meals" in rule.clinician
    assert any(r.id == "REC-FUEL" for r in result.recommendations)
    assert not fired(run(), "SP-17")


def test_sp17_periods_returning_after_absence_is_gp_review():
    assert "SEED_PERIODS_RETURNING_AFTER_ABSENCE" in codes(run(answers=bleeding(periods_returning=True)))


def test_sp21_and_sp24_screen_for_low_energy_availability():
    result = run({"fatigue": "more_tired"}, bleeding(heavy_training="yes", injuries_illness=True))
    assert fired(result, "SP-21") and fired(result, "SP-24")
    assert any(r.id == "REC-REDS-SCREEN" for r in result.recommendations)
    assert not fired(run(answers=bleeding(heavy_training="yes")), "SP-24")


def test_config_rejects_thresholds_outside_their_sources():
    with pytest.raises(ValueError):
        Config(postnatal_bleeding_weeks=5)
    with pytest.raises(ValueError):
        Config(pessary_review_months=0)
    assert Config(postnatal_bleeding_weeks=8).postnatal_bleeding_weeks == 8
