"""Triage: red flags first, then T0-T5 tiers with reasons, citations and recommendations.

``triage(intake, config)`` takes ``{"context": {...}, "answers": {"<instrument>": {...}}}`` (the
shape :func:`assessments.model.validate_intake` checks) and returns a frozen :class:`TriageResult`.

Order of evaluation (clinical reference section 6.2, implementation note 1):

1. every phase-1 rule (red flags and raw-answer rules) runs on the answers alone; no score is
   computed before all of them have run;
2. phase-2 rules may read published instrument scores (LEAF-Q, CSI, POP-Q, Wexner, St Mark's);
   they can only *add* reasons, so a low score never suppresses a red flag;
3. the overall tier is the highest tier of any fired rule (T0 when none fired); each domain's
   tier is the highest among its rules;
4. the return-to-run gates and the provisional CAT2 light are reported, and recommendations are
   chosen; a T5 result keeps only safety recommendations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import cat2 as cat2_mod
from . import recommendations as recs_mod
from . import return_to_run as rtr_mod
from .config import DEFAULT, Config
from .facts import Facts
from .result import SCHEMA_VERSION, TriageResult
from .rules import bleeding, bowel, energy, mood, pain, postnatal, prolapse, urinary
from .rules.base import RULES, FiredRule, Hit, fire
from .vocabulary import DOMAINS, TIERS, max_tier, rank

RULE_MODULES = (bleeding, bowel, energy, mood, pain, postnatal, prolapse, urinary)
"""The rule modules in force; importing them registers their rules in ``RULES`` (a new rule module
is added here)."""

# Rules that only make sense when nothing alarming fired (reassurance, reference SP-01 / SP-04 [R]).
ONLY_WITHOUT_RED_FLAGS = frozenset({"SP-04"})


def _hits(value: Hit | list[Hit] | None) -> list[Hit]:
    if value is None:
        return []
    return [value] if isinstance(value, Hit) else list(value)


def evaluate(facts: Facts) -> list[FiredRule]:
    """Run every registered rule, phase 1 (no scores) before phase 2."""
    fired: list[FiredRule] = []
    for phase in (1, 2):
        for spec in RULES.values():
            if spec.phase == phase:
                fired.extend(fire(spec, hit) for hit in _hits(spec.check(facts)))
    if any(r.red_flag for r in fired):
        fired = [r for r in fired if r.id not in ONLY_WITHOUT_RED_FLAGS]
    order = {rid: i for i, rid in enumerate(RULES)}
    fired.sort(key=lambda r: (-rank(r.tier), not r.red_flag, order[r.id]))
    return fired


def triage(intake: Mapping[str, Any], config: Config = DEFAULT) -> TriageResult:
    """Tier one intake.  Pure: the same intake and config always give the same result."""
    facts = Facts(intake, config)
    fired = evaluate(facts)
    red_flags = tuple(r for r in fired if r.red_flag)
    tier = max_tier(r.tier for r in fired)
    domains = {d: max_tier(r.tier for r in fired if r.domain == d) for d in DOMAINS}
    rtr = rtr_mod.assess(facts, red_flags=tuple(dict.fromkeys(r.id for r in red_flags if r.domain != "return_to_run")))
    cat2 = cat2_mod.assess(facts)
    recommendations = recs_mod.select(facts, fired, tier, rtr, cat2)
    scores = {iid: facts.score(iid) for iid in facts.scored_instruments()}
    return TriageResult(tier=tier, domains=domains, red_flags=red_flags, rules=tuple(fired),
                        recommendations=recommendations, return_to_run=rtr, cat2=cat2,
                        scores={k: v for k, v in scores.items() if v is not None}, config=config)


__all__ = ["RULES", "RULE_MODULES", "SCHEMA_VERSION", "TIERS", "TriageResult", "evaluate", "triage"]
