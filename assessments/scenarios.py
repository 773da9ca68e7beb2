"""Realistic assessments, one or more per complaint, used by the tests, the demo clinic and
``python -m assessments summary``.  Every intake here is validated like a real one.

Each scenario: ``title`` (what a clinician would call it), ``complaints`` (the episode's complaint
codes), ``intake`` (``{"context": ..., "answers": ...}``).
"""

from __future__ import annotations

from typing import Any


def _context(**overrides: Any) -> dict[str, Any]:
    base = {"age": 34, "menopause": "periods", "pregnancy": "no", "given_birth": False, "contraception": ["none"],
            "running_status": "regular", "run_km_week": 30, "load_change": "none", "rest_days": 2,
            "race_goal": "half", "skip_meals": False, "push_through_fatigue": False, "sleep_hours": 7.5,
            "fatigue": "usual", "life_stress": "moderate", "diagnoses": ["none"], "mental_health": ["none"],
            "feels_off": False}
    base.update(overrides)
    return base


def _bladder(**overrides: Any) -> dict[str, Any]:
    base = {"leak": False, "urgency": False, "voiding": ["none"], "retention": False, "recurrent_uti": False,
            "bladder_pain": False, "bowel_urgency": False, "bowel_leak": ["none"], "obstructed": ["none"],
            "constipation": False, "bowel_change": False, "rectal_blood": False, "previous_treatment": ["none"],
            "previous_surgery": ["none"]}
    base.update(overrides)
    return base


def _rtr(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {"medical": ["none"], "walk": 30, "walk_symptoms": ["none"], "jog": 60,
                               "jog_symptoms": ["none"], "bounds": 10, "bounds_symptoms": ["none"],
                               "abdominal": ["none"], "referral": ["none"], "modifiers": ["none"]}
    for name in ("balance", "squat", "hop", "running_man"):
        answers.update({f"{name}_left": 10, f"{name}_right": 10, f"{name}_symptoms": ["none"]})
    for name in ("calf_raise", "bridge", "sit_to_stand", "abduction"):
        answers.update({f"{name}_left": 20, f"{name}_right": 20, f"{name}_symptoms": ["none"]})
    answers.update(overrides)
    return answers


_NO_PAIN_EXTRAS = {"fever": False, "discharge": False, "low_mood": False, "acute_severe": False,
                   "weight_loss": False, "back_leg_pain": False, "self_harm": "no"}

SCENARIOS: dict[str, dict[str, Any]] = {
    "postmenopausal-bleeding": {
        "title": "58-year-old with postmenopausal bleeding after runs",
        "complaints": ["bleeding"],
        "intake": {"context": _context(age=58, menopause="post", run_km_week=25), "answers": {
            "intake-bleeding": {"heavy_periods": "no_periods", "any_bleeding": True, "source": "vaginal",
                                "with_runs": "some_runs", "run_type": ["hard", "long"], "heaviness": "spotting",
                                "clots": False, "getting_heavier": False, "lasts": "hours", "faint": ["none"],
                                "fever": False, "discharge": False, "pain": ["none"], "after_sex": "no",
                                "since_birth": "not_recent", "ectropion": False, "dryness": True,
                                "duration": "weeks", "new_pattern": True, "heavy_training": "yes"},
        }},
    },
    "amenorrhoeic-marathoner": {
        "title": "24-year-old marathoner with absent periods and low energy availability",
        "complaints": ["energy"],
        "intake": {"context": _context(age=24, run_km_week=85, load_change="distance", skip_meals=True,
                                       push_through_fatigue=True, fatigue="more_tired", race_goal="marathon",
                                       height_cm=168, weight_kg=52), "answers": {
            "intake-bleeding": {"heavy_periods": "no_periods", "any_bleeding": False},
            "reds-cat2": {"primary_amenorrhoea": False, "missed_cycles": 6, "long_cycles": False, "bsi_high": 0,
                          "bsi_low": 1, "bsi_months_lost": 0, "eating_worry": True, "ed_diagnosis": False,
                          "bmd": "not_measured", "t3": "not_measured", "cholesterol": "not_measured",
                          "igf1": "not_measured", "serious": ["none"]},
            "leaf-q": {"injury_absence": "once_twice", "injury_days": "days_8_14", "gi_bloating": "several_weekly",
                       "gi_cramps": "weekly_or_less", "gi_bowel_frequency": "every_second_day", "gi_stool": "hard",
                       "oral_contraceptive": "no", "other_hormonal_contraceptive": "none",
                       "menarche_age": "12_to_14", "normal_periods": "no", "last_period": "5_plus_months",
                       "amenorrhoea_3_months": "currently", "exercise_change": "periods_stop"},
        }},
    },
    "postnatal-runner-14-weeks": {
        "title": "Postnatal runner at 14 weeks, breastfeeding, leaking on hops",
        "complaints": ["return_to_running", "incontinence"],
        "intake": {"context": _context(age=33, given_birth=True, weeks_since_birth=14, delivery="vaginal",
                                       perineal_trauma="minor", breastfeeding=True, running_status="returning",
                                       run_km_week=5, rest_days=3, sleep_hours=6, fatigue="more_tired",
                                       race_goal="short"), "answers": {
            "intake-bladder-bowel": _bladder(leak=True, leak_when=["running", "effort"]),
            "iciq-ui-sf": {"3": 1, "4": 2, "5": 3, "6": ["active"]},
            "goom-rtr": _rtr(squat_left=8, hop_symptoms=["leakage"], modifiers=["breastfeeding", "sleep"]),
            "oxford-perfect": {"power": 3, "endurance": 7, "repetitions": 6, "fast": 9, "relaxation": "normal"},
        }},
    },
    "cauda-equina": {
        "title": "Runner with saddle numbness and new bladder change",
        "complaints": ["pelvic_pain"],
        "intake": {"context": _context(age=41, run_km_week=20), "answers": {
            "intake-pelvic-pain": {"has_pain": True, "sites": ["sacrum", "buttock"], "character": ["ache"],
                                   "timing": ["constant"], "trend": "worse", "duration": "under_3m",
                                   "cyclical": "no", "dyspareunia": "no", "dyschezia": False, "hop_pain": False,
                                   "night_pain": False, "impact_worse": False, "after_menopause": "na",
                                   "acute_features": ["none"], "mass": "no", "ovarian": ["none"],
                                   "ces_symptoms": ["saddle_numbness", "bladder_change"], "ces_onset": "new",
                                   **{**_NO_PAIN_EXTRAS, "back_leg_pain": True}},
            "nprs": {"worst": 8, "average": 5, "during_run": 6},
        }},
    },
    "stress-incontinence": {
        "title": "Leakage when running (stress urinary incontinence)",
        "complaints": ["incontinence"],
        "intake": {"context": _context(age=42, given_birth=True, weeks_since_birth=520, delivery="vaginal",
                                       perineal_trauma="minor", breastfeeding=False), "answers": {
            "intake-bladder-bowel": _bladder(leak=True, leak_when=["running", "effort"]),
            "iciq-ui-sf": {"3": 2, "4": 2, "5": 4, "6": ["cough_sneeze", "active"]},
        }},
    },
    "prolapse-heaviness": {
        "title": "Heaviness after long runs (prolapse symptoms), perimenopausal",
        "complaints": ["prolapse"],
        "intake": {"context": _context(age=47, menopause="peri", given_birth=True, weeks_since_birth=900,
                                       delivery="vaginal", perineal_trauma="minor", breastfeeding=False),
                   "answers": {
            "intake-prolapse": {"heaviness": "often", "worse_running": True, "bulge": "inside", "diagnosed": False,
                                "pessary": False, "dryness": False},
            "pop-ss": {"1": 2, "2": 3, "3": 2, "4": 1, "5": 1, "6": 2, "7": 1},
        }},
    },
    "not-running-pelvic-pain": {
        "title": "Persistent pelvic pain in a woman who does not run",
        "complaints": ["pelvic_pain"],
        "intake": {"context": _context(age=29, running_status="not_running", run_km_week=0, race_goal="none"),
                   "answers": {
            "intake-pelvic-pain": {"has_pain": True, "sites": ["pelvis", "lower_abdomen"], "character": ["ache"],
                                   "timing": ["constant"], "trend": "same", "duration": "6m_plus",
                                   "cyclical": "yes", "dyspareunia": "deep", "dyschezia": True, "hop_pain": False,
                                   "night_pain": False, "impact_worse": False, "after_menopause": "na",
                                   "acute_features": ["none"], "mass": "no", "ovarian": ["none"],
                                   "ces_symptoms": ["none"], **_NO_PAIN_EXTRAS},
            "nprs": {"worst": 7, "average": 4},
        }},
    },
}


def intake(name: str) -> dict[str, Any]:
    return SCENARIOS[name]["intake"]
