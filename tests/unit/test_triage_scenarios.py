"""Realistic intakes for each complaint the toolkit was built for, with the expected tier, rules,
citations and recommendations."""

from __future__ import annotations

from .builders import QUIET_BB, QUIET_POP, bleeding, fired, ids, pain, run


def recs(result):
    return [r.id for r in result.recommendations]


def citation(result, rule_id):
    return fired(result, rule_id)[0].citation


# ---- 1. spotting after running
SPOTTING_CONTEXT = {"age": 29, "running_status": "regular", "run_km_week": 45, "load_change": "distance",
                    "rest_days": 1, "skip_meals": True, "race_goal": "marathon"}
SPOTTING = bleeding(timing="before_period", with_runs="some_runs", run_type=["long", "hard"], heaviness="spotting",
                    duration="weeks", heavy_training="yes")


def test_spotting_after_running_in_a_marathon_block():
    result = run(SPOTTING_CONTEXT, SPOTTING)
    assert result.tier == "T1"
    assert ids(result) == {"SP-04", "SP-15", "SP-17"}
    assert not result.red_flags
    assert all("Seed 000" in r.citation for r in result.rules)
    assert {"REC-LOAD", "REC-FUEL", "REC-CYCLE-TRACK", "REC-SPOTTING-EDU", "REC-SAFETY-NET"} <= set(recs(result))
    edu = [r for r in result.recommendations if r.id == "REC-SPOTTING-EDU"][0]
    assert "three" in edu.patient


def test_same_spotting_between_periods_at_44_goes_urgent():
    result = run({**SPOTTING_CONTEXT, "age": 44}, {"intake-bleeding": {**SPOTTING["intake-bleeding"],
                                                                       "timing": "between"}})
    assert result.tier == "T4"
    assert "B10" in ids(result) and "RCOG" in citation(result, "B10")
    assert "REC-SPOTTING-EDU" not in recs(result)  # reassurance only without red flags
    assert "SP-04" not in ids(result)


def test_spotting_with_possible_pregnancy_and_one_sided_pain_is_an_emergency():
    result = run({**SPOTTING_CONTEXT, "pregnancy": "possible"},
                 {"intake-bleeding": {**SPOTTING["intake-bleeding"], "pain": ["one_sided"]}})
    assert result.tier == "T5" and "B1" in ids(result)
    assert "Early Pregnancy" in citation(result, "B1")
    assert not result.exercise_advice


# ---- 2. pelvic pain after running
def test_pelvic_pain_after_running():
    result = run({"age": 34}, pain(sites=["pelvis", "lower_abdomen"], timing=["after_runs", "next_day"],
                                   runs_affected="some_runs", character=["ache"], duration="3_6m", trend="same"))
    assert result.tier == "T2a"
    assert ids(result) == {"SYM-PAIN", "PP-09"}
    assert "Seed 001" in citation(result, "PP-09")
    assert {"REC-PF-RELAX", "REC-RELATIVE-REST", "REC-PAIN-MONITOR", "REC-PREVENTION-RUN"} <= set(recs(result))


def test_cyclical_pelvic_pain_with_deep_dyspareunia_goes_to_the_gp():
    result = run({"age": 31}, pain(cyclical="yes", dyspareunia="deep", duration="6m_plus"))
    assert result.tier == "T3"
    assert {"PP7", "PP8", "SYM-PAIN"} <= ids(result)


# ---- 3. leakage when running
def test_stress_leakage_when_running():
    answers = {"intake-bladder-bowel": {**QUIET_BB, "leak": True, "leak_when": ["running", "effort"]},
               "iciq-ui-sf": {"3": 2, "4": 2, "5": 4, "6": ["active", "cough_sneeze"]}}
    result = run({"age": 41}, answers)
    assert result.tier == "T2a"
    assert ids(result) == {"SYM-UI"}
    assert "QS77" in citation(result, "SYM-UI")
    assert {"REC-PFMT", "REC-BLADDER-HABITS"} <= set(recs(result))
    assert result.scores["iciq-ui-sf"].total == 8


# ---- 4. prolapse heaviness
def test_prolapse_heaviness_in_a_mother_who_runs_years_after_birth():
    # 300 weeks after birth is outside the 12-month postnatal window (clinical policy section 2): the
    # past birth is a risk factor, so no gates, no RR-11 and no "after birth" wording.
    context = {"age": 45, "given_birth": True, "weeks_since_birth": 300, "delivery": "vaginal",
               "perineal_trauma": "minor", "breastfeeding": False}
    answers = {"intake-prolapse": {**QUIET_POP, "heaviness": "often", "worse_running": True, "bulge": "at_opening",
                                   "reducible": "yes", "bulge_problems": ["none"]},
               "pop-ss": {"1": 2, "2": 3, "3": 2, "4": 1, "5": 0, "6": 1, "7": 0}}
    result = run(context, answers)
    assert result.tier == "T2a"
    assert "SYM-POP" in ids(result) and not {"RR-11", "G2"} & ids(result)
    assert "NG123" in citation(result, "SYM-POP")
    assert {"REC-POP-PFMT", "REC-POP-LIFESTYLE"} <= set(recs(result))
    assert not {"REC-POSTNATAL-PHYSIO", "REC-RTR-PREP"} & set(recs(result))
    assert not result.return_to_run.applicable


def test_prolapse_heaviness_in_a_mother_who_runs_within_the_window():
    context = {"age": 35, "given_birth": True, "weeks_since_birth": 30, "delivery": "vaginal",
               "perineal_trauma": "minor", "breastfeeding": False}
    answers = {"intake-prolapse": {**QUIET_POP, "heaviness": "often", "worse_running": True, "bulge": "at_opening",
                                   "reducible": "yes", "bulge_problems": ["none"]}}
    result = run(context, answers)
    assert result.tier == "T2a"  # RR-11 is T2a with a recommendation unless a P1-P6 feature (policy 1)
    assert {"RR-11", "SYM-POP", "G2"} <= ids(result)
    assert "GP" in fired(result, "RR-11")[0].action
    assert {"REC-POSTNATAL-PHYSIO", "REC-RTR-PREP"} <= set(recs(result))
    assert result.return_to_run.gate("G2").status == "fail"


# ---- 5. postnatal return to run
POSTNATAL = {"age": 33, "given_birth": True, "delivery": "caesarean_emergency", "breastfeeding": True,
             "running_status": "planning", "sleep_hours": 6}


def test_postnatal_at_10_weeks_wanting_to_run():
    result = run({**POSTNATAL, "weeks_since_birth": 10},
                 {"intake-bladder-bowel": QUIET_BB, "intake-prolapse": QUIET_POP})
    assert result.tier == "T1"
    assert ids(result) == {"G1", "G5"}
    assert "Goom" in citation(result, "G1")
    report = result.return_to_run
    assert report.gate("G1").status == "fail" and report.min_weeks == 12
    assert {"REC-RTR-PREP", "REC-POSTNATAL-PHYSIO", "REC-BREASTFEEDING"} <= set(recs(result))
    assert "REC-RTR-PLAN" not in recs(result)


def test_postnatal_at_14_weeks_passing_every_test():
    from .test_return_to_run import exam
    result = run({**POSTNATAL, "weeks_since_birth": 14}, exam())
    report = result.return_to_run
    assert report.ready, report.outcome
    assert "caesarean birth" in report.gate("G5").reasons
    assert "REC-RTR-PLAN" in recs(result)
    assert result.tier == "T1" and ids(result) == {"G5"}


# ---- 6. low energy availability
def test_low_energy_availability_runner():
    context = {"age": 24, "run_km_week": 70, "skip_meals": True, "mental_health": ["depression"],
               "fatigue": "more_tired"}
    cat2 = {"primary_amenorrhoea": False, "missed_cycles": 12, "long_cycles": False, "bsi_high": 1, "bsi_low": 0,
            "bsi_months_lost": 3, "eating_worry": False}
    result = run(context, {"reds-cat2": cat2})
    assert result.cat2.primary_count == 3 and result.cat2.secondary_count == 1
    assert result.cat2.outcome == "orange" and result.cat2.provisional
    assert result.tier == "T4"
    assert {"R3", "B9", "SP-17"} <= ids(result)
    assert "Stellingwerff" in citation(result, "R3")
    assert result.domains["energy"] == "T4"
    assert "REC-FUEL" in recs(result)
