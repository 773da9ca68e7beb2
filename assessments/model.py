"""Instrument definitions as data: the types, the loader and answer validation.

Every questionnaire, clinician exam form and structured intake is one JSON file in
``assessments/definitions/<id>.json``.  This module turns those files into frozen
dataclasses and checks answers against them.  It is pure Python: no Flask, no
SQLAlchemy, no WeasyPrint (``tests/unit/test_purity.py`` proves it).

JSON format of one definition (keys not listed are rejected by :func:`parse_definition`)::

    {
      "id": "iciq-ui-sf",                     # stable instrument id
      "name": "ICIQ Urinary Incontinence Short Form",
      "short_name": "ICIQ-UI SF",
      "version": "2004",                      # definition version, stored with every answer set
      "kind": "questionnaire" | "exam" | "intake",
      "respondent": "patient" | "clinician",  # exams are clinician-only
      "domain": "urinary" | "bowel" | "prolapse" | "pain" | "bleeding" | "energy" |
                "return_to_run" | "context" | "pelvic_floor",
      "citation": "Avery K et al. Neurourol Urodyn 2004;23:322-330",
      "licence": "Copyright ICIQ group ... (notice printed on reports)",
      "wording": "adapted" | "own" | "published",  # adapted = project's own wording of a licensed instrument
      "recall_period": "the past 4 weeks" | null,
      "intro": "plain-language introduction shown above the first item" | null,
      "items": [ITEM, ...],
      "scoring": {"method": "<name in assessments.scoring>", ...method parameters...} | null,
      "bands": [{"min": 1, "max": 5, "label": "slight"}, ...] | null,
      "bands_source": "Klovning A et al. 2009 ..." | null,
      "mid": {"value": 2.5, "source": "..."} | null,   # minimal important difference, for trends
      "notes": ["free text shown to clinicians", ...]
    }

    ITEM = {
      "id": "3",                 # the instrument's own item number, or its published item name
      "type": "choice" | "multi" | "integer" | "decimal" | "boolean" | "text" | "date",
      "label": "own wording",
      "help": "optional help text" | null,
      "required": true,          # required when enabled
      "options": [{"code": "never", "value": 0, "label": "Never"}, ...],  # choice / multi only
      "min": 0, "max": 10,       # integer / decimal bounds (inclusive)
      "unit": "weeks" | null,
      "max_length": 500,         # text only (default 2000)
      "enable_when": [{"item": "source", "op": "=", "value": "vaginal"}] | null,
      "enable_behavior": "all" | "any",
      "sensitive": false,        # true: the patient may answer "I'd rather discuss this in person"
      "respondent": "patient" | "clinician" | null,  # overrides the instrument's respondent
      "section": "optional heading that groups items in forms and reports" | null,
      "clinician_label": "the question in the clinician's voice, shown in clinic" | null
    }

Answer values (``{item_id: value}``):

* ``choice``: the option's ``value`` (a published numeric code, or a string code for own intakes);
* ``multi``: a list of option values, without duplicates;
* ``integer`` / ``decimal``: a number within ``min``..``max``;
* ``boolean``: ``true`` / ``false``;
* ``text``: a string up to ``max_length``;
* ``date``: an ISO date string ``YYYY-MM-DD``;
* any ``sensitive`` item may hold :data:`DECLINED` instead; scoring treats it as missing.

``enable_when`` operators: ``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=``, ``in`` (value is a list),
``not_in`` (unanswered, or not one of the list: lets answers stored before a new question keep
their follow-ups), ``contains`` (multi answer contains value), ``answered`` (value true/false).  An item whose
condition is false is *disabled*: it is not asked, not required, and any answer to it is dropped
by :func:`clean_answers`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

DECLINED = "declined"
"""Answer value for "I'd rather discuss this in person" on a sensitive item."""

ITEM_TYPES = ("choice", "multi", "integer", "decimal", "boolean", "text", "date")
KINDS = ("questionnaire", "exam", "intake")
RESPONDENTS = ("patient", "clinician")
WORDING = ("adapted", "own", "published")
OPS = ("=", "!=", ">", ">=", "<", "<=", "in", "not_in", "contains", "answered")
DEFAULT_TEXT_MAX = 2000


class DefinitionError(ValueError):
    """A definition file does not follow the format above."""


class AnswerError(ValueError):
    """Answers do not fit a definition.  ``errors`` maps item id -> message."""

    def __init__(self, instrument_id: str, errors: Mapping[str, str]):
        self.instrument_id = instrument_id
        self.errors = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
        super().__init__(f"{instrument_id}: {detail}")


@dataclass(frozen=True)
class Option:
    code: str
    value: int | float | str
    label: str


@dataclass(frozen=True)
class Condition:
    item: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: str
    help: str | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    max_length: int | None = None
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"
    sensitive: bool = False
    respondent: str | None = None
    section: str | None = None
    clinician_label: str | None = None  # the question as the clinician reads it in clinic

    def label_for(self, respondent: str | None) -> str:
        """The label in the voice of whoever answers: the patient's own, or the clinician's."""
        if respondent != "patient" and self.clinician_label:
            return self.clinician_label
        return self.label

    def option_for(self, value: Any) -> Option | None:
        for opt in self.options:
            if _same(opt.value, value):
                return opt
        return None

    def option_by_code(self, code: str) -> Option | None:
        for opt in self.options:
            if opt.code == code:
                return opt
        return None


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    label: str


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    short_name: str
    version: str
    kind: str
    respondent: str
    domain: str
    citation: str
    licence: str
    wording: str
    items: tuple[Item, ...]
    recall_period: str | None = None
    intro: str | None = None
    scoring: Mapping[str, Any] | None = None
    bands: tuple[Band, ...] = ()
    bands_source: str | None = None
    mid: Mapping[str, Any] | None = None
    notes: tuple[str, ...] = ()
    text_pack: str | None = None  # name of an applied licensed text pack, if any

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"{self.id} has no item {item_id!r}")

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(it.id for it in self.items)

    def item_respondent(self, item: Item) -> str:
        return item.respondent or self.respondent


# --------------------------------------------------------------------------- parsing

_INSTRUMENT_KEYS = {
    "id", "name", "short_name", "version", "kind", "respondent", "domain", "citation", "licence",
    "wording", "recall_period", "intro", "items", "scoring", "bands", "bands_source", "mid", "notes",
}
_ITEM_KEYS = {
    "id", "type", "label", "help", "required", "options", "min", "max", "unit", "max_length",
    "enable_when", "enable_behavior", "sensitive", "respondent", "section", "clinician_label",
}


def parse_definition(data: Mapping[str, Any]) -> Instrument:
    """Build an :class:`Instrument` from decoded JSON, checking the format strictly."""
    unknown = set(data) - _INSTRUMENT_KEYS
    where = data.get("id", "?")
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "name", "version", "kind", "respondent", "domain", "citation", "licence",
                "wording", "items"):
        if key not in data:
            raise DefinitionError(f"{where}: missing {key!r}")
    if data["kind"] not in KINDS:
        raise DefinitionError(f"{where}: kind must be one of {KINDS}")
    if data["respondent"] not in RESPONDENTS:
        raise DefinitionError(f"{where}: respondent must be one of {RESPONDENTS}")
    if data["wording"] not in WORDING:
        raise DefinitionError(f"{where}: wording must be one of {WORDING}")
    items = tuple(_parse_item(where, raw) for raw in data["items"])
    ids = [it.id for it in items]
    if len(ids) != len(set(ids)):
        raise DefinitionError(f"{where}: duplicate item ids")
    for it in items:
        for cond in it.enable_when:
            if cond.item not in ids:
                raise DefinitionError(f"{where}/{it.id}: enable_when refers to unknown item {cond.item!r}")
            if ids.index(cond.item) >= ids.index(it.id):
                raise DefinitionError(f"{where}/{it.id}: enable_when must refer to an earlier item")
    bands = tuple(Band(float(b["min"]), float(b["max"]), str(b["label"])) for b in data.get("bands") or ())
    if bands and not data.get("bands_source"):
        raise DefinitionError(f"{where}: bands need a bands_source")
    return Instrument(
        id=data["id"], name=data["name"], short_name=data.get("short_name") or data["name"],
        version=str(data["version"]), kind=data["kind"], respondent=data["respondent"],
        domain=data["domain"], citation=data["citation"], licence=data["licence"],
        wording=data["wording"], items=items, recall_period=data.get("recall_period"),
        intro=data.get("intro"), scoring=data.get("scoring"), bands=bands,
        bands_source=data.get("bands_source"), mid=data.get("mid"),
        notes=tuple(data.get("notes") or ()),
    )


def _parse_item(where: str, raw: Mapping[str, Any]) -> Item:
    unknown = set(raw) - _ITEM_KEYS
    iid = raw.get("id")
    if not isinstance(iid, str) or not iid:
        raise DefinitionError(f"{where}: every item needs a string id")
    if unknown:
        raise DefinitionError(f"{where}/{iid}: unknown keys {sorted(unknown)}")
    itype = raw.get("type")
    if itype not in ITEM_TYPES:
        raise DefinitionError(f"{where}/{iid}: type must be one of {ITEM_TYPES}")
    if not raw.get("label"):
        raise DefinitionError(f"{where}/{iid}: missing label")
    options = tuple(Option(str(o["code"]), o["value"], str(o["label"])) for o in raw.get("options") or ())
    if itype in ("choice", "multi") and not options:
        raise DefinitionError(f"{where}/{iid}: {itype} items need options")
    if itype not in ("choice", "multi") and options:
        raise DefinitionError(f"{where}/{iid}: only choice/multi items have options")
    codes = [o.code for o in options]
    if len(codes) != len(set(codes)) or len({repr(o.value) for o in options}) != len(options):
        raise DefinitionError(f"{where}/{iid}: duplicate option codes or values")
    conds = []
    for c in raw.get("enable_when") or ():
        if c.get("op") not in OPS:
            raise DefinitionError(f"{where}/{iid}: enable_when op must be one of {OPS}")
        conds.append(Condition(str(c["item"]), c["op"], c.get("value")))
    behavior = raw.get("enable_behavior", "all")
    if behavior not in ("all", "any"):
        raise DefinitionError(f"{where}/{iid}: enable_behavior must be all or any")
    respondent = raw.get("respondent")
    if respondent is not None and respondent not in RESPONDENTS:
        raise DefinitionError(f"{where}/{iid}: respondent must be one of {RESPONDENTS}")
    return Item(
        id=iid, type=itype, label=str(raw["label"]), help=raw.get("help"),
        required=bool(raw.get("required", True)), options=options,
        min=raw.get("min"), max=raw.get("max"), unit=raw.get("unit"),
        max_length=raw.get("max_length"), enable_when=tuple(conds), enable_behavior=behavior,
        sensitive=bool(raw.get("sensitive", False)), respondent=respondent,
        section=raw.get("section"), clinician_label=raw.get("clinician_label"),
    )


_CACHE: dict[str, Instrument] | None = None


def _definition_files() -> list[tuple[str, str]]:
    folder = resources.files("assessments") / "definitions"
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            out.append((entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def load_all() -> dict[str, Instrument]:
    """Every packaged definition by id (parsed once per process; definitions are immutable)."""
    global _CACHE
    if _CACHE is None:
        found: dict[str, Instrument] = {}
        for name, text in _definition_files():
            inst = parse_definition(json.loads(text))
            if name != f"{inst.id}.json":
                raise DefinitionError(f"{name}: file name must be <id>.json (id is {inst.id!r})")
            found[inst.id] = inst
        _CACHE = found
    return dict(_CACHE)


def get(instrument_id: str) -> Instrument:
    try:
        return load_all()[instrument_id]
    except KeyError:
        raise KeyError(f"unknown instrument {instrument_id!r}") from None


# --------------------------------------------------------------------------- text packs

def apply_text_pack(inst: Instrument, pack: Mapping[str, Any], name: str = "licensed") -> Instrument:
    """Replace labels with a clinic's licensed wording without touching scoring.

    ``pack`` = ``{"items": {"3": {"label": "...", "help": "...", "options": {"never": "..."}}}}``.
    Unknown item ids or option codes raise :class:`DefinitionError` so a stale pack is noticed.
    """
    entries = pack.get("items", {})
    new_items = []
    known = set(inst.item_ids)
    for iid in entries:
        if iid not in known:
            raise DefinitionError(f"text pack for {inst.id}: unknown item {iid!r}")
    for it in inst.items:
        entry = entries.get(it.id)
        if not entry:
            new_items.append(it)
            continue
        opt_labels = entry.get("options", {})
        for code in opt_labels:
            if it.option_by_code(code) is None:
                raise DefinitionError(f"text pack for {inst.id}/{it.id}: unknown option {code!r}")
        options = tuple(replace(o, label=opt_labels.get(o.code, o.label)) for o in it.options)
        new_items.append(replace(it, label=entry.get("label", it.label),
                                 help=entry.get("help", it.help), options=options))
    return replace(inst, items=tuple(new_items), wording="published", text_pack=name)


def load_text_pack(folder: Path, inst: Instrument) -> Instrument:
    """Apply ``<folder>/<instrument id>.json`` when it exists (the clinic's licensed wording)."""
    path = Path(folder) / f"{inst.id}.json"
    if not path.is_file():
        return inst
    return apply_text_pack(inst, json.loads(path.read_text(encoding="utf-8")), name=path.name)


# --------------------------------------------------------------------------- enable-when

def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


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
