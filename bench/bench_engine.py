"""Assessment engine benchmark: validate, score and triage a complete realistic intake, printed as
Markdown for bench/RESULTS.md.

The intake is a postnatal runner (22 weeks after birth, breastfeeding) who completed every
project intake, the Goom return-to-run exam, the CAT2 history and twelve published instruments
(ICIQ-UI SF, Sandvik, PFDI-20, PFIQ-7, POP-SS, Wexner, St Mark's, NPRS, CSI, LEAF-Q, PERFECT,
POP-Q).  Each step is repeated and the median reported (wall clock ``perf_counter`` and CPU
``process_time``), after warm-up, so definitions are loaded once per process as in a server.

Run: ``.venv/bin/python bench/bench_engine.py`` (a few seconds); ``--n 200`` for a smoke run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments import score, triage, validate_intake  # noqa: E402
from assessments.return_to_run import TESTS  # noqa: E402

CONTEXT = {
    "age": 34, "menopause": "other", "pregnancy": "no", "given_birth": True, "weeks_since_birth": 22,
    "delivery": "assisted", "perineal_trauma": "minor", "breastfeeding": True, "contraception": ["progestogen_pill"],
    "running_status": "returning", "run_km_week": 15, "load_change": "distance", "rest_days": 2,
    "race_goal": "short", "skip_meals": True, "push_through_fatigue": False, "sleep_hours": 6.2,
    "fatigue": "more_tired", "life_stress": "moderate", "diagnoses": ["none"], "mental_health": ["anxiety"],
    "height_cm": 168, "weight_kg": 66, "feels_off": False,
}
OWN = {
    "intake-bleeding": {
        "heavy_periods": "no_periods", "any_bleeding": True, "source": "vaginal", "timing": "no_periods",
        "with_runs": "some_runs", "run_type": ["moderate", "long"], "heaviness": "spotting", "clots": False,
        "getting_heavier": False, "lasts": "hours", "faint": ["none"], "fever": False, "discharge": False,
        "pain": ["none"], "after_sex": "no", "since_birth": "came_back", "ectropion": False, "dryness": True,
        "duration": "weeks", "new_pattern": True, "heavy_training": "yes", "cycle_changes": ["none"],
        "low_energy": True, "injuries_illness": False, "periods_returning": False},
    "intake-pelvic-pain": {
        "has_pain": True, "sites": ["pelvis", "sacrum"], "character": ["ache"], "timing": ["after_runs"],
        "runs_affected": "some_runs", "trend": "same", "duration": "3_6m", "cyclical": "no_periods",
        "dyspareunia": "entry", "dyschezia": False, "hop_pain": False, "night_pain": False, "impact_worse": True,
        "fever": False, "discharge": False, "after_menopause": "na", "low_mood": False, "acute_severe": False,
        "mass": "no", "ovarian": ["none"], "weight_loss": False, "ces_symptoms": ["none"], "self_harm": "no"},
    "intake-bladder-bowel": {
        "leak": True, "leak_when": ["running", "effort"], "urgency": True, "voiding": ["none"], "retention": False,
        "recurrent_uti": False, "bladder_pain": False, "bowel_urgency": True, "bowel_leak": ["wind"],
        "bowel_leak_new": False, "obstructed": ["straining"], "constipation": True, "bowel_change": False,
        "rectal_blood": False, "previous_treatment": ["none"], "previous_surgery": ["none"],
        "dipstick_blood": "negative"},
    "intake-prolapse": {"heaviness": "sometimes", "worse_running": True, "bulge": "inside", "diagnosed": False,
                        "pessary": False, "dryness": True},
    "reds-cat2": {"primary_amenorrhoea": False, "missed_cycles": 0, "long_cycles": False, "bsi_high": 0,
                  "bsi_low": 1, "bsi_months_lost": 2, "eating_worry": False},
}
EXAM = {"medical": ["none"], "abdominal": ["separation"], "referral": ["incontinence"], "modifiers": ["buggy"]}
for _t in TESTS:
    if _t.per_side:
        EXAM[f"{_t.id}_left"], EXAM[f"{_t.id}_right"] = _t.target, _t.target - 2
    else:
        EXAM[_t.id] = _t.target
    EXAM[f"{_t.id}_symptoms"] = ["leakage"] if _t.id == "hop" else ["none"]
PUBLISHED = {
    "iciq-ui-sf": {"3": 2, "4": 2, "5": 5, "6": ["active", "cough_sneeze", "before_toilet"]},
    "sandvik-isi": {"frequency": 3, "amount": 1},
    "pfdi-20": {str(i): (2 if i in (2, 13, 16, 17, 18) else 0) for i in range(1, 21)},
    "pfiq-7": {f"{p}_{i}": (1 if p == "uiq" and i in (2, 7) else 0) for p in ("uiq", "craiq", "popiq")
               for i in range(1, 8)},
    "pop-ss": {"1": 1, "2": 2, "3": 1, "4": 0, "5": 0, "6": 1, "7": 0, "bother_most": 2},
    "wexner": {"solid": 0, "liquid": 0, "gas": 2, "pad": 0, "lifestyle": 1},
    "st-marks": {"solid": 0, "liquid": 0, "gas": 2, "lifestyle": 1, "pad": 0, "medicines": 0, "urgency": 4},
    "nprs": {"worst": 5, "average": 3, "during_run": 4},
    "csi": {str(i): (2 if i % 3 == 0 else 1) for i in range(1, 26)},
    "leaf-q": {"injury_absence": "once_twice", "injury_days": "days_8_14", "gi_bloating": "several_weekly",
               "gi_cramps": "weekly_or_less", "gi_bowel_frequency": "daily", "gi_stool": "normal",
               "oral_contraceptive": "no", "other_hormonal_contraceptive": "none", "menarche_age": "12_to_14",
               "normal_periods": "dont_know", "last_period": "3_4_months", "regular_periods": "no",
               "bleeding_days": "3_4", "heavy_bleeding": "no", "amenorrhoea_3_months": "currently",
               "exercise_change": "no_change"},
    "oxford-perfect": {"power": 3, "endurance": 6, "repetitions": 5, "fast": 8, "relaxation": "normal",
                       "tone": "normal"},
    "pop-q": {"Aa": -2, "Ba": -2, "C": -6, "D": -7, "Ap": -2, "Bp": -1, "gh": 3, "pb": 3, "tvl": 9},
}
INTAKE = {"context": CONTEXT, "answers": {**OWN, "goom-rtr": EXAM, **PUBLISHED}}


def median_us(fn, n: int) -> tuple[float, float]:
    """Median wall-clock and CPU time of one call, in microseconds."""
    for _ in range(max(5, n // 20)):
        fn()
    wall, cpu = [], []
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(wall) * 1e6, statistics.median(cpu) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="repetitions per step (default 2000)")
    args = parser.parse_args()
    clean = validate_intake(INTAKE)
    result = triage(clean)
    steps = [
        ("validate_intake (context + 19 answer sets)", lambda: validate_intake(INTAKE)),
        ("score the 12 published instruments", lambda: [score(i, a) for i, a in PUBLISHED.items()]),
        ("triage (79 rules, 12 scores, gates, CAT2, recommendations)", lambda: triage(clean)),
        ("validate + triage + to_dict (what the CLI and intake view do)",
         lambda: triage(validate_intake(INTAKE)).to_dict()),
    ]
    print("## Assessment engine\n")
    print(f"`bench/bench_engine.py --n {args.n}`, Python {platform.python_version()} on {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d')}. One complete realistic intake (postnatal runner, every project intake, "
          "the Goom exam, the CAT2 history and 12 published instruments); medians after warm-up.\n")
    print(f"Result of that intake: tier {result.tier}, {len(result.rules)} rules fired "
          f"({len(result.red_flags)} red flags), {len(result.recommendations)} recommendations, "
          f"CAT2 {result.cat2.outcome}, return to run ready: {result.return_to_run.ready}.\n")
    print("| step | median wall | median CPU |")
    print("|---|---:|---:|")
    for name, fn in steps:
        wall, cpu = median_us(fn, args.n)
        print(f"| {name} | {wall:,.0f} µs | {cpu:,.0f} µs |")


if __name__ == "__main__":
    main()
