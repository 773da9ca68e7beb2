"""The vignettes.  Each is a realistic patient described as intake answers, with the tier range
that clinical reference section 6.2 (and clinical-policy.md where it decides) asks for.

``kind`` is ``"red_flag"`` when a section 4 red flag (or a policy T3+ decision) is present: it is
caught when the tier reaches ``low``.  ``kind`` is ``"non_urgent"`` for runners and patients with
no red flag: they are specific when the tier does not exceed ``high``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUNNER: dict[str, Any] = {
    "age": 34, "menopause": "periods", "pregnancy": "no", "given_birth": False, "contraception": ["none"],
    "running_status": "regular", "run_km_week": 35, "load_change": "none", "rest_days": 2, "skip_meals": False,
    "push_through_fatigue": False, "sleep_hours": 7.5, "fatigue": "usual", "diagnoses": ["none"],
    "mental_health": ["none"], "feels_off": False,
}
NOT_RUNNING = {**RUNNER, "running_status": "not_running"}
for _k in ("run_km_week", "load_change", "rest_days"):
    NOT_RUNNING.pop(_k)

SPOTTING = {
    "heavy_periods": "no", "any_bleeding": True, "source": ["vaginal"], "timing": "no_pattern",
    "with_runs": "some_runs", "heaviness": "spotting", "clots": False, "getting_heavier": False, "lasts": "hours",
    "faint": ["none"], "fever": False, "discharge": False, "pain": ["none"], "after_sex": "no",
    "since_birth": "not_recent", "ectropion": False, "dryness": False, "duration": "first", "new_pattern": False,
    "heavy_training": "no", "cycle_changes": ["none"], "low_energy": False, "injuries_illness": False,
    "periods_returning": False,
}
NO_BLEEDING = {"heavy_periods": "no", "any_bleeding": False}
PAIN = {
    "has_pain": True, "sites": ["pelvis"], "character": ["ache"], "timing": ["after_runs"], "runs_affected": "one_run",
    "trend": "same", "duration": "under_3m", "cyclical": "no", "dyspareunia": "no", "dyschezia": False,
    "hop_pain": False, "night_pain": False, "impact_worse": False, "fever": False, "discharge": False,
    "ectopic_signs": ["none"], "after_menopause": "na", "low_mood": False, "acute_severe": False, "mass": "no",
    "ovarian": ["none"], "weight_loss": False, "ces_symptoms": ["none"], "self_harm": "no",
}
NO_PAIN = {"has_pain": False, "acute_severe": False, "mass": "no", "ovarian": ["none"], "weight_loss": False,
           "ces_symptoms": ["none"], "self_harm": "no"}
BB = {
    "leak": False, "urgency": False, "voiding": ["none"], "retention": False, "recurrent_uti": False,
    "bladder_pain": False, "bowel_urgency": False, "bowel_leak": ["none"], "obstructed": ["none"],
    "constipation": False, "bowel_change": False, "rectal_blood": False, "previous_treatment": ["none"],
    "previous_surgery": ["none"],
}
POP = {"heaviness": "never", "bulge": "none", "diagnosed": False, "pessary": False, "dryness": False}


@dataclass(frozen=True)
class Vignette:
    id: str
    story: str
    source: str             # where the expected tier comes from
    kind: str               # "red_flag" or "non_urgent"
    low: str                # lowest acceptable tier
    high: str               # highest acceptable tier
    context: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    runner: bool = True

    def intake(self) -> dict[str, Any]:
        base = RUNNER if self.runner else NOT_RUNNING
        return {"context": {**base, **self.context}, "answers": self.answers}


def bleed(**kw: Any) -> dict[str, dict[str, Any]]:
    return {"intake-bleeding": {**SPOTTING, **kw}}


def urine(hours: int | None, *, still: bool = False, recurs: bool = False, after_runs: bool = True) -> dict:
    answers: dict[str, Any] = {"heavy_periods": "no", "any_bleeding": True, "source": ["urine"],
                               "urine_after_runs": after_runs, "urine_still": still, "urine_recurs": recurs}
    if hours is not None:
        answers["urine_hours"] = hours
    return {"intake-bleeding": answers}


def pain(**kw: Any) -> dict[str, dict[str, Any]]:
    return {"intake-pelvic-pain": {**PAIN, **kw}}


def nopain(**kw: Any) -> dict[str, dict[str, Any]]:
    return {"intake-pelvic-pain": {**NO_PAIN, **kw}}


def bb(**kw: Any) -> dict[str, dict[str, Any]]:
    return {"intake-bladder-bowel": {**BB, **kw}}


def pop(**kw: Any) -> dict[str, dict[str, Any]]:
    return {"intake-prolapse": {**POP, **kw}}


def both(*parts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in parts:
        out.update(p)
    return out


POSTNATAL = {"given_birth": True, "delivery": "vaginal", "perineal_trauma": "minor", "breastfeeding": True}
RF, NU = "red_flag", "non_urgent"

VIGNETTES: tuple[Vignette, ...] = (
    # ---------------------------------------------------------------- bleeding (reference 4.1, policy 3)
    Vignette("bl-ectopic-bleed", "28, period late, spotting after a run with pain low on one side.",
             "4.1 B1 -> E", RF, "T5", "T5", {"age": 28, "pregnancy": "possible"}, bleed(pain=["one_sided"])),
    Vignette("bl-ectopic-no-bleed", "31, could be pregnant, one-sided pelvic pain and shoulder-tip pain, no bleeding.",
             "policy 3 (ectopic can present without bleeding) -> E", RF, "T5", "T5",
             {"age": 31, "pregnancy": "possible"}, both(pain(sites=["lower_abdomen"], ectopic_signs=["one_sided",
                                                                                                    "shoulder_tip"]))),
    Vignette("bl-pregnant-bleed", "Known 9-week pregnancy, light bleeding after a jog.", "4.1 B1 -> E", RF, "T5",
             "T5", {"pregnancy": "pregnant"}, bleed(heaviness="light")),
    Vignette("bl-test-first", "Could be pregnant, light spotting after runs, no pain, no faintness.",
             "policy 3: pregnancy test first -> T3", RF, "T3", "T3", {"pregnancy": "unsure"}, bleed()),
    Vignette("bl-heavy-2h", "Soaking a pad every hour for 3 hours after a long run.", "4.1 B2 -> E", RF, "T5", "T5",
             {}, bleed(heaviness="hourly", hourly_two_hours=True)),
    Vignette("bl-heavy-faint", "Period-like bleed after intervals, felt faint and dizzy.", "4.1 B2 -> E", RF, "T5",
             "T5", {}, bleed(heaviness="period_like", faint=["faint", "dizzy"])),
    Vignette("bl-first-heavy-short", "First ever bleed soaking a pad in under an hour, stopped within 90 minutes, "
             "no faintness, 'new' not ticked.", "policy 3: new bleeding pattern -> at least T3", RF, "T3", "T3", {},
             bleed(heaviness="hourly", hourly_two_hours=False, duration="first", new_pattern=False)),
    Vignette("bl-first-period-like-imb", "First period-like bleed mid-way between periods after a race.",
             "policy 3: B6 -> T3", RF, "T3", "T3", {}, bleed(timing="between", heaviness="period_like",
                                                            duration="first")),
    Vignette("bl-fever", "Spotting with fever and feeling unwell.", "4.1 B3 -> E", RF, "T5", "T5", {},
             bleed(fever=True)),
    Vignette("bl-discharge", "Bleeding with offensive discharge.", "4.1 B3 -> E/U same day", RF, "T5", "T5", {},
             bleed(discharge=True)),
    Vignette("bl-pmb-60", "60, periods stopped 8 years ago, spotting after a parkrun.", "4.1 B4 >= 55 -> U",
             RF, "T4", "T4", {"age": 60, "menopause": "post", "pregnancy": None}, bleed()),
    Vignette("bl-pmb-52", "52, postmenopausal, light spotting.", "4.1 B4 < 55 -> consider referral (G)", RF, "T3",
             "T4", {"age": 52, "menopause": "post", "pregnancy": None}, bleed(heaviness="light")),
    Vignette("bl-pcb", "29, bleeding after sex for two weeks.", "4.1 B5 -> G", RF, "T3", "T3", {"age": 29},
             bleed(after_sex="yes", duration="weeks")),
    Vignette("bl-cervix", "Physio saw a friable, irregular cervix on speculum examination.", "4.1 B5 suspicious "
             "cervix -> U (6.2 T4)", RF, "T4", "T4", {}, {"intake-bleeding": {**NO_BLEEDING,
                                                                            "cervix": "abnormal_seen"}}),
    Vignette("bl-imb-persistent", "Spotting between periods for 2 months.", "4.1 B6 -> G", RF, "T3", "T3", {},
             bleed(timing="between", duration="months")),
    Vignette("bl-hmb", "Periods so heavy she misses training.", "4.1 B7 -> G", RF, "T3", "T3", {},
             {"intake-bleeding": {**NO_BLEEDING, "heavy_periods": "yes"}}),
    Vignette("bl-spph", "3 weeks after birth, bleeding getting heavier with clots.", "4.1 B8 secondary PPH -> E",
             RF, "T5", "T5", {**POSTNATAL, "weeks_since_birth": 3, "running_status": "planning"},
             bleed(since_birth="continued", getting_heavier=True, clots=True)),
    Vignette("bl-postnatal-10w", "10 weeks after birth, bleeding has carried on, not a period.",
             "4.1 B8 > 6-8 weeks -> G", RF, "T3", "T3", {**POSTNATAL, "weeks_since_birth": 10,
                                                        "running_status": "planning"},
             bleed(since_birth="continued", heaviness="light")),
    Vignette("bl-irregular-44", "44, irregular spotting with no pattern.", "4.1 B10 -> U", RF, "T4", "T4",
             {"age": 44}, bleed(timing="no_pattern", duration="weeks")),
    Vignette("bl-haematuria-60h", "Visible blood in urine still there 60 hours after a marathon.",
             "4.1 B11 / 4.3 U2 -> U", RF, "T4", "T4", {"race_goal": "marathon"}, urine(60)),
    Vignette("bl-haematuria-recurs", "Blood in urine after long runs, third time this year.",
             "policy 3: recurrent -> U2 (T4)", RF, "T4", "T4", {}, urine(12, recurs=True)),
    Vignette("bl-haematuria-not-runs", "Blood in urine on rest days too.", "4.3 U2 -> U", RF, "T4", "T4", {},
             urine(None, after_runs=False)),
    Vignette("bl-two-sources", "Vaginal spotting plus visible blood in urine lasting 4 days.",
             "policy 3: each source's rules -> U2 (T4)", RF, "T4", "T4", {},
             {"intake-bleeding": {**SPOTTING, "source": ["vaginal", "urine"], "urine_after_runs": True,
                                  "urine_hours": 96, "urine_still": False, "urine_recurs": False}}),
    # ---------------------------------------------------------------- pain (4.2)
    Vignette("pn-suicidal-intent", "Chronic pelvic pain, has made plans to end her life.", "4.2 PP1 -> E", RF,
             "T5", "T5", {}, pain(duration="6m_plus", self_harm="plans")),
    Vignette("pn-suicidal-thoughts", "Pelvic pain, thoughts she'd be better off dead, no plans.",
             "4.2 PP1 suicidal ideation -> urgent", RF, "T4", "T4", {}, pain(self_harm="thoughts")),
    Vignette("pn-ovarian", "56, bloating and feeling full quickly on most days.", "4.2 PP2 -> U", RF, "T4", "T4",
             {"age": 56, "menopause": "post", "pregnancy": None},
             nopain(ovarian=["bloating", "full_quickly"], ovarian_days="over_12")),
    Vignette("pn-acute-severe", "Sudden severe lower abdominal pain with vomiting this morning.", "4.2 PP3 -> E",
             RF, "T5", "T5", {}, nopain(acute_severe=True, acute_features=["vomiting"])),
    Vignette("pn-fever-discharge", "Pelvic pain with fever and unusual discharge.", "4.2 PP4 -> U", RF, "T4", "T5",
             {}, pain(fever=True, discharge=True)),
    Vignette("pn-ces", "New saddle numbness and difficulty starting to pass urine, with back pain.",
             "4.2 PP5 -> E", RF, "T5", "T5", {}, nopain(ces_symptoms=["saddle_numbness", "bladder_change"],
                                                        ces_onset="new", back_leg_pain=True)),
    Vignette("pn-bsi-hop", "Groin pain in a marathoner that hurts on single-leg hop.", "4.2 PP6 -> U", RF, "T4",
             "T4", {"race_goal": "marathon"}, pain(sites=["groin"], hop_pain=True, impact_worse=True)),
    Vignette("pn-bsi-postnatal", "Breastfeeding, 7 months postnatal, sacral pain at night.",
             "4.2 PP6 + policy 4 -> U", RF, "T4", "T4", {**POSTNATAL, "weeks_since_birth": 30},
             pain(sites=["sacrum"], night_pain=True)),
    Vignette("pn-persistent", "Pelvic pain for 8 months.", "4.2 PP7 -> G", RF, "T3", "T3", {},
             pain(duration="6m_plus")),
    Vignette("pn-endo", "Cyclical pelvic pain with deep pain during sex.", "4.2 PP8 -> G", RF, "T3", "T3", {},
             pain(cyclical="yes", dyspareunia="deep")),
    # ---------------------------------------------------------------- urinary (4.3)
    Vignette("ur-micro-55", "55, dipstick positive for blood at the clinic.", "4.3 U1 -> U", RF, "T4", "T4",
             {"age": 55, "menopause": "post", "pregnancy": None}, bb(dipstick_blood="positive")),
    Vignette("ur-retention", "Cannot pass urine at all since last night.", "4.3 U13 -> E", RF, "T5", "T5", {},
             bb(retention=True)),
    Vignette("ur-uti-blood-45", "45, repeated UTIs with blood in the urine.", "4.3 U3 -> U", RF, "T4", "T4",
             {"age": 45}, bb(recurrent_uti=True, uti_blood=True)),
    Vignette("ur-bladder-pain", "Persistent bladder pain.", "4.3 U5 -> G/S", RF, "T3", "T3", {},
             bb(bladder_pain=True)),
    Vignette("ur-voiding", "Straining and poor stream when passing urine.", "4.3 U9 -> G/S", RF, "T3", "T3", {},
             bb(voiding=["straining", "weak_stream"])),
    Vignette("ur-continuous", "Leaks all the time, day and night.", "4.3 U10 -> G/S", RF, "T3", "T3", {},
             bb(leak=True, leak_when=["continuous"])),
    # ---------------------------------------------------------------- prolapse (4.4)
    Vignette("po-ulcer", "Bulge at the opening with a sore that bleeds.", "4.4 P1 -> U", RF, "T4", "T5", {},
             pop(heaviness="often", bulge="at_opening", reducible="yes", bulge_problems=["sore", "bleeding"])),
    Vignette("po-irreducible", "Bulge outside the opening that won't go back.", "4.4 P3 -> E/U", RF, "T4", "T5",
             {}, pop(heaviness="often", bulge="outside", reducible="no", bulge_problems=["none"])),
    Vignette("po-outside", "Bulge she can see outside the opening, goes back in.", "4.4 P4 -> G/S", RF, "T3", "T3",
             {}, pop(heaviness="often", bulge="outside", reducible="yes", bulge_problems=["none"])),
    # ---------------------------------------------------------------- bowel (4.5, policy 3)
    Vignette("bo-rectal-55", "55, blood from the back passage after runs.", "policy 3 / NG12 1.3.1 -> T4", RF,
             "T4", "T4", {"age": 55, "menopause": "post", "pregnancy": None}, bb(rectal_blood=True)),
    Vignette("bo-rectal-31-alone", "31, constipated, bright red blood on the paper.", "policy 3 / NG12 -> T3", RF,
             "T3", "T3", {"age": 31}, bb(rectal_blood=True, constipation=True)),
    Vignette("bo-rectal-31-change", "31, rectal bleeding and a lasting change to looser stools.",
             "policy 3 / NG12 1.3.3 -> T4", RF, "T4", "T4", {"age": 31}, bb(rectal_blood=True, bowel_change=True)),
    Vignette("bo-fi-ces", "New bowel leakage with saddle numbness.", "4.5 F2 -> E", RF, "T5", "T5", {},
             both(bb(bowel_leak=["liquid"], bowel_leak_new=True),
                  nopain(ces_symptoms=["saddle_numbness"], ces_onset="new"))),
    Vignette("bo-obstructed", "Has to press to empty her bowel.", "4.5 F4 -> G/S", RF, "T3", "T3", {},
             bb(obstructed=["digitation"])),
    # ---------------------------------------------------------------- mood and safety (policy 5)
    Vignette("md-phq-item9", "Pelvic pain runner; PHQ-9 item 9 'several days', no plan.",
             "policy 5: same-day risk assessment -> T4", RF, "T4", "T4", {},
             {"phq-9": {"1": 1, "2": 2, "3": 1, "4": 1, "5": 0, "6": 1, "7": 0, "8": 0, "9": 1, "intent": False}}),
    Vignette("md-epds-intent", "5 months postnatal, EPDS item 10 'sometimes' with a plan.",
             "policy 5: stated intent -> T5", RF, "T5", "T5",
             {**POSTNATAL, "weeks_since_birth": 22, "running_status": "planning"},
             {"epds": {"1": 2, "2": 2, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 2, "10": 2,
                       "intent": True}}),
    Vignette("md-epds-15", "4 months postnatal, EPDS 15, item 10 'never'.", "6.2 T3 'EPDS positive' (>= 13)", RF,
             "T3", "T3", {**POSTNATAL, "weeks_since_birth": 17, "running_status": "planning"},
             {"epds": {"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 2, "7": 1, "8": 1, "9": 1, "10": 0}}),
    Vignette("md-phq9-12", "Chronic pelvic pain, PHQ-9 total 12, item 9 'not at all'.",
             "policy 5: PHQ-9 >= 10 -> T3", RF, "T3", "T3", {},
             {"phq-9": {"1": 2, "2": 2, "3": 2, "4": 2, "5": 1, "6": 1, "7": 1, "8": 1, "9": 0}}),
    # ---------------------------------------------------------------- non-urgent runners (6.2 T0-T2a)
    Vignette("nu-phq2-negative", "Runner with SUI, PHQ-2 both 'not at all'.", "6.2 T2a; PHQ-2 negative", NU,
             "T2a", "T2a", {}, both(bb(leak=True, leak_when=["running"]), {"phq-9": {"1": 0, "2": 0}})),
    Vignette("nu-phq9-mild", "Runner with pelvic ache, PHQ-9 total 6 (mild), item 9 'not at all'.",
             "6.2 T2a; PHQ-9 below 10", NU, "T2a", "T2a", {},
             both(pain(), {"phq-9": {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 0, "8": 0, "9": 0}})),
    Vignette("nu-sui-runner", "32, leaks a little when running and jumping.", "6.2 T2a (supervised PFMT)", NU, "T2a",
             "T2a", {"age": 32}, bb(leak=True, leak_when=["running", "effort"])),
    Vignette("nu-urgency", "Runner with sudden urges to pass urine, no leakage.", "6.2 T2a", NU, "T2a", "T2a", {},
             bb(urgency=True)),
    Vignette("nu-premenstrual-spotting", "Light spotting the day before her period after hard sessions.",
             "seed SP-04 / 6.2 T1", NU, "T0", "T1", {}, bleed(timing="before_period", heaviness="light",
                                                            duration="months")),
    Vignette("nu-spotting-load", "First light spotting after doubling her mileage.", "seed SP-15 / 6.2 T1", NU,
             "T0", "T1", {"load_change": "distance"}, bleed(heavy_training="yes")),
    Vignette("nu-marathon-haematuria", "First episode of pink urine after a marathon, cleared in 14 hours.",
             "policy 3: T1 education with a safety net", NU, "T1", "T1", {"race_goal": "marathon"}, urine(14)),
    Vignette("nu-parous-heaviness", "42, last birth six years ago, occasional heaviness late in long runs.",
             "policy 1-2: outside the window, SYM-POP T2a", NU, "T2a", "T2a",
             {"age": 42, **POSTNATAL, "breastfeeding": False, "weeks_since_birth": 312},
             pop(heaviness="sometimes", worse_running=True)),
    Vignette("nu-58-returning", "58, last birth 30 years ago, returning to running, no symptoms.",
             "policy 2: T1 strength recommendation", NU, "T1", "T1",
             {"age": 58, "menopause": "post", "pregnancy": None, **POSTNATAL, "breastfeeding": False,
              "weeks_since_birth": 1560, "running_status": "returning"},
             both(bb(), pop(), {"intake-bleeding": NO_BLEEDING})),
    Vignette("nu-quiet-runner", "Runner with nothing to report.", "6.2 T0", NU, "T0", "T1", {},
             both(bb(), pop(), {"intake-bleeding": NO_BLEEDING}, nopain())),
    Vignette("nu-pain-one-run", "Pelvic ache after one long run, settled next day.", "6.2 T2a (pelvic pain)", NU,
             "T2a", "T2a", {}, pain()),
    Vignette("nu-buttock-no-signs", "Buttock ache after runs, no hop pain, no night pain, not worse with impact.",
             "policy 4: PP6 needs a sign -> T2a", NU, "T2a", "T2a", {"skip_meals": True},
             pain(sites=["buttock"], hop_pain=False, night_pain=False, impact_worse=False)),
    Vignette("nu-bowel-urgency", "Bowel urgency on long runs.", "6.2 T2a (bowel symptoms)", NU, "T2a", "T2a", {},
             bb(bowel_urgency=True)),
    Vignette("nu-dyspareunia", "Pain at entry during sex, no other pain features.", "6.2 T2a", NU, "T2a", "T2a", {},
             pain(sites=["vulva_perineum"], dyspareunia="entry", timing=["not_running"])),
    Vignette("nu-postnatal-16w-leak", "16 weeks after birth, planning to run, small leaks on coughing.",
             "3.1.4 / 6.2 T2a (Goom referral list)", NU, "T2a", "T2a",
             {**POSTNATAL, "weeks_since_birth": 16, "running_status": "planning", "breastfeeding": False},
             bb(leak=True, leak_when=["effort"])),
    Vignette("nu-postnatal-8w", "8 weeks after birth, wants to start running, no symptoms.",
             "3.1.6 G1 -> T1 (pre-running phase)", NU, "T1", "T1",
             {**POSTNATAL, "weeks_since_birth": 8, "running_status": "planning", "breastfeeding": False},
             both(bb(), pop())),
    Vignette("nu-new-parous-runner", "38, children aged 5 and 8, new to running, no symptoms.",
             "policy 2: T1 strength recommendation", NU, "T1", "T1",
             {"age": 38, **POSTNATAL, "breastfeeding": False, "weeks_since_birth": 260, "running_status": "new"},
             both(bb(), pop())),
    Vignette("nu-constipation", "Runner who is often constipated, nothing else.", "6.2 T1-T2a", NU, "T0", "T2a", {},
             bb(constipation=True)),
    Vignette("nu-first-light-spot-race", "First light spotting after a 10 km race, no other symptoms.",
             "seed SP-01 / 6.2 T0-T1", NU, "T0", "T1", {}, bleed(heaviness="light")),
    Vignette("nu-mild-heaviness-not-parous", "29, never given birth, occasional heaviness after long runs.",
             "6.2 T2a (POP symptoms)", NU, "T2a", "T2a", {"age": 29}, pop(heaviness="sometimes", worse_running=True)),
    Vignette("nu-sui-parous-10y", "45, births 10 and 12 years ago, leaks when running.",
             "policy 2 (risk factor only) / 6.2 T2a", NU, "T2a", "T2a",
             {"age": 45, **POSTNATAL, "breastfeeding": False, "weeks_since_birth": 520},
             bb(leak=True, leak_when=["running"])),
    Vignette("nu-haematuria-72h-cleared", "First pink urine after an ultra, cleared in 30 hours; clinic uses 72 h.",
             "policy 3 (window 48 h default) -> T1", NU, "T1", "T1", {"race_goal": "ultra"}, urine(30)),
)
