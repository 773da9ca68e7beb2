"""The typed, versioned result of triaging one intake, and how a stored result is read back.

:class:`TriageResult` is what :func:`assessments.triage.triage` returns and exactly what the web
layer stores (``TriageResult.to_dict()``); :func:`load` turns stored JSON back into it, migrating
older schemas.  A stored result is never recomputed behind the clinician's back: an old result is
read as it was stored, with what the old schema recorded.

Schema versions:

* **1** (before December 2026): ``{"triage": {...}, "scores": {...}, "config": {key: sentence},
  "computed_at": ...}`` with the scores and the threshold sentences stored twice; the settings'
  values were not recorded, only their sentences.
* **2**: ``TriageResult.to_dict()``: ``schema_version``, ``tier``, ``domains``, ``red_flags`` (for
  readers of the JSON; read back from the ``red_flag`` mark of ``rules``), ``rules``, ``recommendations``,
  ``return_to_run``, ``cat2``, ``scores`` and ``config`` (the settings' values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .cat2 import Cat2Result
from .config import DEFAULT, THRESHOLD_LABELS, Config, Threshold, thresholds, to_values
from .recommendations import Recommendation
from .return_to_run import ReturnToRunResult
from .rules.base import FiredRule
from .scoring_base import ScoreResult

SCHEMA_VERSION = 2


class ResultSchemaError(ValueError):
    """Stored JSON that is no triage result of any known schema."""


@dataclass(frozen=True)
class TriageResult:
    tier: str
    domains: Mapping[str, str]
    red_flags: tuple[FiredRule, ...]
    rules: tuple[FiredRule, ...]
    recommendations: tuple[Recommendation, ...]
    return_to_run: ReturnToRunResult
    cat2: Cat2Result
    scores: Mapping[str, ScoreResult] = field(default_factory=dict)
    config: Config | None = DEFAULT
    # Results migrated from schema 1 recorded only the sentences of the settings in force.
    recorded_thresholds: tuple[Threshold, ...] = ()
    migrated_from: int | None = None  # the older schema this result was stored with, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "domains", MappingProxyType(dict(self.domains)))
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    @property
    def exercise_advice(self) -> bool:
        return any(r.exercise for r in self.recommendations)

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        """Every setting in force, with reader-facing names."""
        if self.config is None:
            return self.recorded_thresholds
        return thresholds(self.config)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tier": self.tier,
            "domains": dict(self.domains),
            # the red flags are the rules marked red_flag; listed again for readers of the JSON
            # (from_dict derives them from "rules")
            "red_flags": [r.to_dict() for r in self.red_flags],
            "rules": [r.to_dict() for r in self.rules],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "return_to_run": self.return_to_run.to_dict(),
            "cat2": self.cat2.to_dict(),
            "scores": {k: v.to_dict() for k, v in self.scores.items()},
            "config": to_values(self.config) if self.config is not None else None,
        }
        if self.recorded_thresholds:
            data["recorded_thresholds"] = [t.to_dict() for t in self.recorded_thresholds]
        if self.migrated_from is not None:
            data["migrated_from"] = self.migrated_from
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TriageResult:
        """Read a schema-2 dict (use :func:`load` for stored JSON of any schema)."""
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ResultSchemaError(f"expected schema {SCHEMA_VERSION}, got {data.get('schema_version')!r}")
        rules = tuple(FiredRule.from_dict(r) for r in data.get("rules") or ())
        config = data.get("config")
        return cls(
            tier=data["tier"], domains=dict(data.get("domains") or {}),
            red_flags=tuple(r for r in rules if r.red_flag), rules=rules,
            recommendations=tuple(Recommendation.from_dict(r) for r in data.get("recommendations") or ()),
            return_to_run=ReturnToRunResult.from_dict(data.get("return_to_run")),
            cat2=Cat2Result.from_dict(data.get("cat2")),
            scores={k: ScoreResult.from_dict(v) for k, v in (data.get("scores") or {}).items()},
            config=Config.from_mapping(dict(config)) if config is not None else None,
            recorded_thresholds=tuple(Threshold.from_dict(t) for t in data.get("recorded_thresholds") or ()),
            migrated_from=data.get("migrated_from"),
        )


def migrate(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored JSON of any known schema -> a schema-2 dict (pure; nothing is re-scored or re-triaged)."""
    if not isinstance(data, Mapping):
        raise ResultSchemaError("a stored result is a JSON object")
    version = data.get("schema_version", 1 if "triage" in data else None)
    if version == SCHEMA_VERSION:
        return dict(data)
    if version != 1:
        raise ResultSchemaError(f"unknown result schema {version!r}")
    triage = dict(data.get("triage") or {})
    sentences = dict(data.get("config") or triage.get("config") or {})
    labels = THRESHOLD_LABELS
    return {
        "schema_version": SCHEMA_VERSION,
        "migrated_from": 1,
        "tier": triage.get("tier") or "T0",
        "domains": triage.get("domains") or {},
        "rules": triage.get("rules") or [],
        "recommendations": triage.get("recommendations") or [],
        "return_to_run": triage.get("return_to_run") or {},
        "cat2": triage.get("cat2") or {},
        "scores": triage.get("scores") or data.get("scores") or {},
        "config": None,
        "recorded_thresholds": [{"key": k, "label": labels.get(k, k.replace("_", " ").capitalize()), "text": v}
                                for k, v in sentences.items()],
    }


def load(data: Mapping[str, Any] | None) -> TriageResult | None:
    """A stored result (any schema) as a :class:`TriageResult`; ``None`` when nothing was stored."""
    if not data:
        return None
    return TriageResult.from_dict(migrate(data))
