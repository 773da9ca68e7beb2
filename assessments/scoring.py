"""Published scoring rules, chosen by each definition's ``scoring.method``.

:func:`score` validates the answers with :func:`assessments.model.clean_answers` (raising
:class:`~assessments.model.AnswerError` naming every bad item), turns :data:`model.DECLINED`
into "missing", and hands the rest to the function registered under the definition's
``scoring.method``.  The JSON therefore decides which rule runs; the method's parameters (item
lists, multipliers, point keys, versions) also live in the definition.  Every method is a pure
function returning a frozen :class:`ScoreResult` and its docstring cites the rule it implements.

Conventions shared by every method:

* ``total`` is ``None`` whenever the instrument's missing-data rule does not allow a total.
  Nothing is guessed or prorated unless the published rule says so (PFDI-20 / PFIQ-7 use the
  mean of the answered items).
* ``complete`` is true exactly when the rule produced a total (for unscored definitions: when
  every required item that applies has an answer).
* ``missing`` lists the required, applicable items that have no usable answer (unanswered or
  declined), in definition order, even when the rule could still give a total.
* ``range`` is the (min, max) the total can take under the rule in force.
* numbers are exact (``fractions.Fraction``) until the end, then given as ``int`` when whole and
  rounded to 2 decimals otherwise.

Types, the method registry and shared helpers live in :mod:`assessments.scoring_base`;
instrument-specific methods in :mod:`assessments.scoring_methods` (imported here, which registers them).
"""


from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from . import model
from . import scoring_methods as _scoring_methods  # noqa: F401  (registers the instrument-specific methods)
from .config import DEFAULT, Config
from .model import DECLINED, AnswerError, DefinitionError, Instrument, Item
from .scoring_base import (  # noqa: F401  (re-exported: the names scoring callers use)
    METHODS,
    BandResult,
    Method,
    Number,
    ScoreResult,
    Scoring,
    exact,
    find_band,
    item_bounds,
    method,
    out,
    static_band,
    sum_items,
)

# --------------------------------------------------------------------------- entry points


def score(
    instrument_id: str,
    answers: Mapping[str, Any],
    config: Config | None = None,
    *,
    context: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Score ``answers`` for the packaged definition ``instrument_id``.

    ``context`` carries optional facts from the intake that an instrument's interpretation
    depends on (LEAF-Q: ``hormonal_contraception``, ``pregnant``, ``lactating`` /
    ``breastfeeding``, ``postpartum``).  Raises ``KeyError`` for an unknown instrument and
    :class:`AnswerError` for invalid answers.
    """
    return score_instrument(model.get(instrument_id), answers, config, context=context)


def score_instrument(
    inst: Instrument,
    answers: Mapping[str, Any],
    config: Config | None = None,
    *,
    context: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Score against an :class:`Instrument` object (e.g. one with a clinic text pack applied)."""
    config = config or DEFAULT
    if not isinstance(answers, Mapping):
        raise AnswerError(inst.id, {"$": "Answers must be an object keyed by item id."})
    cleaned = model.clean_answers(inst, answers)
    declined = []
    usable: dict[str, Any] = {}
    for key, value in cleaned.items():
        item = inst.item(key)
        if item.sensitive and isinstance(value, str) and value == DECLINED:
            declined.append(key)
            continue
        usable[key] = _canonical(item, value)
    s = Scoring(
        inst, MappingProxyType(usable), tuple(declined), config, MappingProxyType(dict(context or {}))
    )
    if inst.kind == "intake" or not inst.scoring:
        return _unscored(s)
    name = inst.scoring.get("method")
    fn = METHODS.get(name)
    if fn is None:
        raise DefinitionError(f"{inst.id}: unknown scoring method {name!r} (known: {sorted(METHODS)})")
    return fn(s)


def _canonical(item: Item, value: Any) -> Any:
    if item.type == "choice":
        return item.option_for(value).value
    if item.type == "multi":
        return [item.option_for(v).value for v in value]
    return value


def _unscored(s: Scoring) -> ScoreResult:
    """Intakes and definitions with ``scoring: null`` have no total; ``complete`` says whether
    every required item that applies was answered."""
    missing = s.missing_required()
    return s.result(
        complete=not missing,
        total=None,
        missing=missing,
        notes=["This definition has no score; its answers are used by triage and the report."],
    )
