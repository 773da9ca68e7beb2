"""Triage rules, one module per domain; importing this package registers every rule in
:data:`assessments.rules.base.RULES`."""

from __future__ import annotations

from . import bleeding, bowel, energy, mood, pain, postnatal, prolapse, urinary  # noqa: F401  (registration)
from .base import DOMAINS, RULES, TIER_NAMES, TIERS, FiredRule, RuleSpec, max_tier, rank

__all__ = ["DOMAINS", "RULES", "TIERS", "TIER_NAMES", "FiredRule", "RuleSpec", "max_tier", "rank"]
