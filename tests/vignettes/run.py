"""Evaluate the vignettes (pure: the same engine call as ``python -m assessments triage``)."""

from __future__ import annotations

from dataclasses import dataclass

from assessments import validate_intake
from assessments.config import DEFAULT, Config
from assessments.rules.base import RANK
from assessments.triage import triage

from .cases import VIGNETTES, Vignette

# A vignette may carry its own clinic configuration (the 72 h haematuria window, say).
CONFIGS = {"nu-haematuria-72h-cleared": Config(haematuria_clear_hours=72)}


@dataclass(frozen=True)
class Row:
    vignette: Vignette
    tier: str
    rule_ids: tuple[str, ...]

    @property
    def within(self) -> bool:
        return RANK[self.vignette.low] <= RANK[self.tier] <= RANK[self.vignette.high]

    @property
    def caught(self) -> bool:
        return RANK[self.tier] >= RANK[self.vignette.low]

    @property
    def specific(self) -> bool:
        return RANK[self.tier] <= RANK[self.vignette.high]


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]

    def _of(self, kind: str) -> list[Row]:
        return [r for r in self.rows if r.vignette.kind == kind]

    @property
    def red_flag_total(self) -> int:
        return len(self._of("red_flag"))

    @property
    def non_urgent_total(self) -> int:
        return len(self._of("non_urgent"))

    @property
    def caught(self) -> int:
        return sum(r.caught for r in self._of("red_flag"))

    @property
    def specific(self) -> int:
        return sum(r.specific for r in self._of("non_urgent"))

    @property
    def within(self) -> int:
        return sum(r.within for r in self.rows)

    @property
    def sensitivity(self) -> float:
        return self.caught / self.red_flag_total

    @property
    def specificity(self) -> float:
        return self.specific / self.non_urgent_total

    @property
    def within_rate(self) -> float:
        return self.within / len(self.rows)


def evaluate(vignettes: tuple[Vignette, ...] = VIGNETTES) -> Report:
    rows = []
    for v in vignettes:
        result = triage(validate_intake(v.intake()), CONFIGS.get(v.id, DEFAULT))
        rows.append(Row(v, result.tier, tuple(dict.fromkeys(r.id for r in result.rules))))
    return Report(tuple(rows))
