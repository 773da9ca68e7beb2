"""Instrument definitions as data: the types, the strict parser, the loader and text packs.

The JSON format of a definition file is documented in :mod:`assessments.model`, the facade that
re-exports this module and :mod:`assessments.answers` (answer validation).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    patient_label: str | None = None            # plain name on the patient summary
    subscale_range: tuple[float, float] | None = None  # range of every subscale (when not the total's)
    report_items: Mapping[str, str] | None = None  # role -> item id, for reports that lay items out

    def report_item(self, role: str) -> str:
        """The item id that plays ``role`` in a report layout (e.g. the POP-Q point "aa")."""
        return (self.report_items or {})[role]

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

# --------------------------------------------------------------------------- helpers

def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


# --------------------------------------------------------------------------- parsing

_INSTRUMENT_KEYS = {
    "id", "name", "short_name", "version", "kind", "respondent", "domain", "citation", "licence",
    "wording", "recall_period", "intro", "items", "scoring", "bands", "bands_source", "mid", "notes",
    "patient_label", "subscale_range", "report_items",
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
    report_items = data.get("report_items")
    if report_items is not None:
        if not isinstance(report_items, Mapping) or any(v not in ids for v in report_items.values()):
            raise DefinitionError(f"{where}: report_items must map roles to item ids of this definition")
    sub_range = data.get("subscale_range")
    if sub_range is not None and (len(sub_range) != 2 or not sub_range[0] < sub_range[1]):
        raise DefinitionError(f"{where}: subscale_range must be [min, max] with min < max")
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
        notes=tuple(data.get("notes") or ()), patient_label=data.get("patient_label"),
        subscale_range=(float(sub_range[0]), float(sub_range[1])) if sub_range is not None else None,
        report_items=dict(report_items) if report_items is not None else None,
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
