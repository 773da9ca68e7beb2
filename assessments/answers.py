"""Answers to an instrument: enable-when conditions, typed validation and whole-intake checks.

Pure functions of an :class:`~assessments.instruments.Instrument` and ``{item_id: value}``
answers (the value conventions are documented in :mod:`assessments.model`).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .instruments import DECLINED, DEFAULT_TEXT_MAX, Condition, Instrument, Item, _same, load_all


class AnswerError(ValueError):
    """Answers do not fit a definition.  ``errors`` maps item id -> message."""

    def __init__(self, instrument_id: str, errors: Mapping[str, str]):
        self.instrument_id = instrument_id
        self.errors = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"{instrument_id}: {detail}")

# --------------------------------------------------------------------------- enable-when

def _condition_holds(cond: Condition, answers: Mapping[str, Any]) -> bool:
    present = cond.item in answers and answers[cond.item] is not None and answers[cond.item] != DECLINED
    if cond.op == "answered":
        return present == bool(cond.value)
    if cond.op == "not_in":
        return not present or not any(_same(answers[cond.item], v) for v in cond.value)
    if not present:
        return False
    val = answers[cond.item]
    op = cond.op
    if op == "=":
        return _same(val, cond.value)
    if op == "!=":
        return not _same(val, cond.value)
    if op == "in":
        return any(_same(val, v) for v in cond.value)
    if op == "contains":  # a single stored choice (an item that became multiple choice) counts as a list of one
        return any(_same(v, cond.value) for v in (val if isinstance(val, list | tuple) else [val]))
    if isinstance(val, bool) or not isinstance(val, int | float):
        return False
    if op == ">":
        return val > cond.value
    if op == ">=":
        return val >= cond.value
    if op == "<":
        return val < cond.value
    if op == "<=":
        return val <= cond.value
    raise AssertionError(op)


def enabled_items(inst: Instrument, answers: Mapping[str, Any]) -> list[Item]:
    """The items that apply given the answers so far (conditions refer to earlier items only,
    and a condition on a disabled item counts as unanswered)."""
    live: dict[str, Any] = {}
    out = []
    for it in inst.items:
        if it.enable_when:
            results = [_condition_holds(c, live) for c in it.enable_when]
            ok = all(results) if it.enable_behavior == "all" else any(results)
            if not ok:
                continue
        out.append(it)
        if it.id in answers:
            live[it.id] = answers[it.id]
    return out

# --------------------------------------------------------------------------- validation

def check_value(item: Item, value: Any) -> str | None:
    """Return an error message when ``value`` is not a valid typed answer to ``item``."""
    if value == DECLINED and item.sensitive:
        return None
    t = item.type
    if t == "choice":
        if item.option_for(value) is None:
            return "Choose one of the listed options."
        return None
    if t == "multi":
        if not isinstance(value, list | tuple):
            return "Expected a list of options."
        seen = []
        for v in value:
            if item.option_for(v) is None:
                return f"{v!r} is not one of the listed options."
            if any(_same(v, s) for s in seen):
                return "An option is listed twice."
            seen.append(v)
        return None
    if t in ("integer", "decimal"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "Enter a number."
        if t == "integer" and isinstance(value, float) and not value.is_integer():
            return "Enter a whole number."
        if isinstance(value, float) and not math.isfinite(value):
            return "Enter a number."
        if item.min is not None and value < item.min:
            return f"Enter a number of at least {_fmt(item.min)}."
        if item.max is not None and value > item.max:
            return f"Enter a number no larger than {_fmt(item.max)}."
        return None
    if t == "boolean":
        if not isinstance(value, bool):
            return "Answer yes or no."
        return None
    if t == "text":
        if not isinstance(value, str):
            return "Expected text."
        limit = item.max_length or DEFAULT_TEXT_MAX
        if len(value) > limit:
            return f"Keep this to {limit} characters or fewer (it has {len(value)})."
        return None
    if t == "date":
        if not isinstance(value, str):
            return "Enter a date."
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return "Enter a real date as YYYY-MM-DD."
        return None
    raise AssertionError(t)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def clean_answers(inst: Instrument, answers: Mapping[str, Any], *, require_complete: bool = False,
                  respondent: str | None = None) -> dict[str, Any]:
    """Validate ``answers`` against ``inst`` and return them with disabled items dropped.

    Raises :class:`AnswerError` naming every bad item: unknown ids, wrong types, values not
    among the options, out-of-range numbers, and (with ``require_complete``) required enabled
    items left empty.  ``respondent="patient"`` skips clinician-only items when checking
    completeness.  Empty strings and ``None`` count as unanswered.
    """
    errors: dict[str, str] = {}
    known = set(inst.item_ids)
    for key in answers:
        if key not in known:
            errors[key] = f"Unknown item for {inst.id}."
    given = {k: v for k, v in answers.items() if k in known and v is not None and v != ""}
    for key, value in list(given.items()):
        item = inst.item(key)
        # An item that became multiple choice still reads answers stored as one choice.
        if item.type == "multi" and not isinstance(value, list | tuple) and value != DECLINED \
                and item.option_for(value) is not None:
            given[key] = [value]
    for key, value in given.items():
        msg = check_value(inst.item(key), value)
        if msg:
            errors[key] = msg
    enabled = enabled_items(inst, {k: v for k, v in given.items() if k not in errors})
    enabled_ids = {it.id for it in enabled}
    if require_complete:
        for it in enabled:
            if respondent and inst.item_respondent(it) != respondent:
                continue
            if it.required and it.id not in given and it.id not in errors:
                errors[it.id] = "This question needs an answer."
    if errors:
        raise AnswerError(inst.id, errors)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in given.items() if k in enabled_ids}


@dataclass(frozen=True)
class DefinitionSummary:
    """What ``python -m assessments list`` prints for one definition."""
    id: str
    name: str
    version: str
    kind: str
    domain: str
    items: int
    extra: Mapping[str, Any] = field(default_factory=dict)

# --------------------------------------------------------------------------- intakes

class IntakeError(ValueError):
    """An intake document is malformed.  ``errors`` maps a dotted path -> message,
    e.g. ``"answers.iciq-ui-sf.3"`` or ``"context.age"``."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


CONTEXT_INSTRUMENT = "intake-context"


def validate_intake(intake: Any) -> dict[str, Any]:
    """Check ``{"context": {...}, "answers": {"<instrument>": {"<item>": value}}}``.

    The context is validated against the ``intake-context`` definition and each answer set
    against its instrument (types, options, ranges; completeness is *not* required, because
    scoring reports incomplete instruments itself).  Returns the cleaned intake; raises
    :class:`IntakeError` naming every bad item.
    """
    errors: dict[str, str] = {}
    if not isinstance(intake, Mapping):
        raise IntakeError({"$": "An intake is a JSON object with 'context' and 'answers'."})
    unknown = set(intake) - {"context", "answers"}
    for key in sorted(unknown):
        errors[key] = "Unknown top-level key (expected 'context' and 'answers')."
    context = intake.get("context", {})
    answers = intake.get("answers", {})
    clean: dict[str, Any] = {"context": {}, "answers": {}}
    defs = load_all()
    if not isinstance(context, Mapping):
        errors["context"] = "Expected an object of context answers."
    elif CONTEXT_INSTRUMENT in defs:
        try:
            clean["context"] = clean_answers(defs[CONTEXT_INSTRUMENT], context)
        except AnswerError as exc:
            for k, v in exc.errors.items():
                errors[f"context.{k}"] = v
    if not isinstance(answers, Mapping):
        errors["answers"] = "Expected an object keyed by instrument id."
    else:
        for iid, given in answers.items():
            if iid not in defs:
                errors[f"answers.{iid}"] = "Unknown instrument."
                continue
            if not isinstance(given, Mapping):
                errors[f"answers.{iid}"] = "Expected an object keyed by item id."
                continue
            try:
                clean["answers"][iid] = clean_answers(defs[iid], given)
            except AnswerError as exc:
                for k, v in exc.errors.items():
                    errors[f"answers.{iid}.{k}"] = v
    if errors:
        raise IntakeError(errors)
    return clean
