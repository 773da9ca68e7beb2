"""Building blocks of the triage rules: tiers, rule specifications, fired rules and intake facts.

A rule is a pure function of :class:`Facts` that returns a :class:`Hit` (which of its variants
fired, and the answers that made it fire) or ``None``.  Its clinical text, tier and citation live
in the :class:`RuleSpec` registered with :func:`rule`, so the text a clinician reads and the
condition the code tests sit side by side.  Rule ids are the clinical reference's ids (``B4``,
``PP5``, ``U13``, ``G2``, ``SP-25`` ...); reasons no reference id fits get a stable code of their
own (``SYM-UI``, ``DISCUSS``), as the reference's section 6.2 note 2 asks.

Tiers, highest wins (reference section 6.2; E -> T5, U -> T4, G -> T3, S -> T2b, P -> T2a)::

    T0 no action < T1 self-management < T2a pelvic health physiotherapy < T2b specialist
       < T3 GP / medical review < T4 urgent medical < T5 emergency / same day
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..config import Config
from ..facts import BB, BLEED, CAT2, CTX, PAIN, POP, RTR, Facts  # noqa: F401  (re-exported for the rule modules)
from ..vocabulary import DOMAINS, RANK, TIER_LABELS, TIERS, max_tier, rank  # noqa: F401  (re-exported)

TIER_NAMES = TIER_LABELS

# Reference families whose rules are red flags (section 4) when they fire at T3 or above.
_RED_FLAG_ID = re.compile(r"^(B\d+|PP\d+|U\d+|P\d+|F\d+|R\d+|G0)$")


# --------------------------------------------------------------------------- specifications

@dataclass(frozen=True)
class Variant:
    """One outcome of a rule: its tier and the sentences printed when it fires.

    ``clinician`` and ``patient`` may contain ``{name}`` fields filled from :attr:`Hit.values`.
    ``red_flag`` defaults to "a section 4 rule firing at T3 or above".
    """

    tier: str
    code: str
    clinician: str
    patient: str
    action: str
    red_flag: bool | None = None
    domain: str | None = None

    def __post_init__(self) -> None:
        if self.tier not in RANK:
            raise ValueError(f"unknown tier {self.tier!r}")
        if self.domain is not None and self.domain not in DOMAINS:
            raise ValueError(f"unknown domain {self.domain!r}")


def V(tier: str, code: str, clinician: str, patient: str, action: str, **kw: Any) -> Variant:  # noqa: N802
    return Variant(tier, code, clinician, patient, action, **kw)


@dataclass(frozen=True)
class Hit:
    """What a rule's check returns when it fires."""

    variant: str = "default"
    because: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSpec:
    id: str
    title: str
    domain: str
    citation: str
    reference: str
    variants: Mapping[str, Variant]
    check: Callable[[Facts], Hit | None]
    phase: int = 1  # 1: raw answers only (red flags); 2: may read instrument scores

    def is_red_flag(self, variant: Variant) -> bool:
        if variant.red_flag is not None:
            return variant.red_flag
        return bool(_RED_FLAG_ID.match(self.id)) and RANK[variant.tier] >= RANK["T3"]


RULES: dict[str, RuleSpec] = {}


def rule(rule_id: str, *, title: str, domain: str, citation: str, reference: str,
         variants: Mapping[str, Variant], phase: int = 1) -> Callable[[Callable[[Facts], Hit | None]],
                                                                  Callable[[Facts], Hit | None]]:
    """Register ``check`` as rule ``rule_id``.  Ids are unique across all rule modules."""
    if domain not in DOMAINS:
        raise ValueError(f"{rule_id}: unknown domain {domain!r}")

    def register(check: Callable[[Facts], Hit | None]) -> Callable[[Facts], Hit | None]:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = RuleSpec(rule_id, title, domain, citation, reference,
                                  MappingProxyType(dict(variants)), check, phase)
        return check
    return register


# --------------------------------------------------------------------------- fired rules

@dataclass(frozen=True)
class FiredRule:
    """A rule that fired, with everything the report prints."""

    id: str
    code: str
    variant: str
    tier: str
    domain: str
    title: str
    clinician: str
    patient: str
    action: str
    citation: str
    reference: str
    red_flag: bool
    because: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "code": self.code, "variant": self.variant, "tier": self.tier,
            "tier_name": TIER_NAMES[self.tier], "domain": self.domain, "title": self.title,
            "red_flag": self.red_flag, "clinician": self.clinician, "patient": self.patient,
            "action": self.action, "citation": self.citation, "reference": self.reference,
            "because": list(self.because),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FiredRule:
        return cls(id=data["id"], code=data.get("code", data["id"]), variant=data.get("variant", "default"),
                   tier=data["tier"], domain=data.get("domain", "general"), title=data.get("title", ""),
                   clinician=data.get("clinician", ""), patient=data.get("patient", ""),
                   action=data.get("action", ""), citation=data.get("citation", ""),
                   reference=data.get("reference", ""), red_flag=bool(data.get("red_flag")),
                   because=tuple(data.get("because") or ()))


def fire(spec: RuleSpec, hit: Hit) -> FiredRule:
    variant = spec.variants[hit.variant]
    values = dict(hit.values)
    return FiredRule(
        id=spec.id, code=variant.code, variant=hit.variant, tier=variant.tier,
        domain=variant.domain or spec.domain, title=spec.title,
        clinician=variant.clinician.format(**values), patient=variant.patient.format(**values),
        action=variant.action.format(**values), citation=spec.citation, reference=spec.reference,
        red_flag=spec.is_red_flag(variant), because=tuple(hit.because),
    )


def describe_triage(config: Config) -> dict[str, str]:
    """Statements of the triage thresholds in force, each with its source and evidence tag."""
    return {
        "haematuria_window": f"Visible haematuria after a run must clear within {config.haematuria_clear_hours} h "
                             "(JAMA 1979 post-marathon series: cleared by 48 h; extended testing beyond 48-72 h) [S]",
        "postnatal_bleeding": f"Postnatal bleeding not linked to the cycle referred from {config.postnatal_bleeding_weeks} "
                              "completed weeks (NHSGGC: >6 weeks [S]; Goom-derived checklists: >8 weeks [S2])",
        "pessary_review": f"Pessary review at least every {config.pessary_review_months} months "
                          "(iatrox NICE NG123 summary) [S2]",
        "bladder_training": f"Bladder training for at least {config.bladder_training_weeks} weeks "
                            "(iatrox NG123 summary 'typically >= 6 weeks') [S2; duration not checked against NICE: M]",
        "atypical_leakage": ("Leakage while asleep or for no obvious reason -> GP review (clinical reference 2.1) [M]"
                             if config.atypical_leakage_gp else "Atypical leakage rule switched off"),
        "cat2_secondary": ("CAT2 secondary indicators counted (list from memory, reference 5.3) [M]"
                           if config.cat2_secondary else "CAT2 secondary indicators not counted (primary only)"),
        "rtr_targets": ("Goom test targets as published in derivative checklists [S2/M]" if not config.rtr_targets
                        else "Goom test targets overridden: " + ", ".join(f"{k}={v}" for k, v in config.rtr_targets)),
    }
