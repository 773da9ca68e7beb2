"""Builders shared by the triage, rules, CAT2 and return-to-run tests (this module holds no tests).

Every intake built here goes through :func:`assessments.validate_intake` first, exactly as the CLI
does, so answers to disabled items are dropped and invalid answers fail loudly.
"""

from __future__ import annotations

from typing import Any

from assessments import validate_intake
from assessments.config import DEFAULT, Config
from assessments.triage import TriageResult, triage
from assessments.vocabulary import TIERS

BASE_CONTEXT: dict[str, Any] = {
    "age": 30, "menopause": "periods", "pregnancy": "no", "given_birth": False, "contraception": ["none"],
    "running_status": "regular", "run_km_week": 30, "load_change": "none", "rest_days": 2, "skip_meals": False,
    "push_through_fatigue": False, "sleep_hours": 7.5, "fatigue": "usual", "diagnoses": ["none"],
    "mental_health": ["none"], "feels_off": False,
}

QUIET_BLEEDING: dict[str, Any] = {
    "heavy_periods": "no", "any_bleeding": True, "source": "vaginal", "timing": "no_pattern",
    "with_runs": "some_runs", "heaviness": "spotting", "clots": False, "getting_heavier": False, "lasts": "hours",
    "faint": ["none"], "fever": False, "discharge": False, "pain": ["none"], "after_sex": "no",
    "since_birth": "not_recent", "ectropion": False, "dryness": False, "duration": "first", "new_pattern": False,
    "heavy_training": "no", "cycle_changes": ["none"], "low_energy": False, "injuries_illness": False,
    "periods_returning": False,
}

QUIET_PAIN: dict[str, Any] = {
    "has_pain": True, "sites": ["pelvis"], "character": ["ache"], "timing": ["after_runs"], "runs_affected": "one_run",
    "trend": "same", "duration": "under_3m", "cyclical": "no", "dyspareunia": "no", "dyschezia": False,
    "hop_pain": False, "night_pain": False, "impact_worse": False, "fever": False, "discharge": False,
    "after_menopause": "na", "low_mood": False, "acute_severe": False, "mass": "no", "ovarian": ["none"],
    "weight_loss": False, "ces_symptoms": ["none"], "self_harm": "no",
}

QUIET_BB: dict[str, Any] = {
    "leak": False, "urgency": False, "voiding": ["none"], "retention": False, "recurrent_uti": False,
    "bladder_pain": False, "bowel_urgency": False, "bowel_leak": ["none"], "obstructed": ["none"],
    "constipation": False, "bowel_change": False, "rectal_blood": False, "previous_treatment": ["none"],
    "previous_surgery": ["none"],
}

QUIET_POP: dict[str, Any] = {"heaviness": "never", "bulge": "none", "diagnosed": False, "pessary": False,
                             "dryness": False}


def intake(context: dict[str, Any] | None = None, answers: dict[str, dict[str, Any]] | None = None,
           base: bool = True) -> dict[str, Any]:
    ctx = {**BASE_CONTEXT, **(context or {})} if base else dict(context or {})
    return {"context": ctx, "answers": {k: dict(v) for k, v in (answers or {}).items()}}


def run(context: dict[str, Any] | None = None, answers: dict[str, dict[str, Any]] | None = None,
        config: Config = DEFAULT, base: bool = True) -> TriageResult:
    """Validate then triage, as ``python -m assessments triage`` does."""
    return triage(validate_intake(intake(context, answers, base)), config=config)


def bleeding(**changes: Any) -> dict[str, dict[str, Any]]:
    return {"intake-bleeding": {**QUIET_BLEEDING, **changes}}


def pain(**changes: Any) -> dict[str, dict[str, Any]]:
    return {"intake-pelvic-pain": {**QUIET_PAIN, **changes}}


def bb(**changes: Any) -> dict[str, dict[str, Any]]:
    return {"intake-bladder-bowel": {**QUIET_BB, **changes}}


def pop(**changes: Any) -> dict[str, dict[str, Any]]:
    return {"intake-prolapse": {**QUIET_POP, **changes}}


def fired(result: TriageResult, rule_id: str) -> list:
    return [r for r in result.rules if r.id == rule_id]


def codes(result: TriageResult) -> set[str]:
    return {r.code for r in result.rules}


def ids(result: TriageResult) -> set[str]:
    return {r.id for r in result.rules}


def at_least(tier: str, floor: str) -> bool:
    return TIERS.index(tier) >= TIERS.index(floor)
