"""The building blocks of scoring: result types, the method registry and shared helpers.

:mod:`assessments.scoring` is the entry point (:func:`~assessments.scoring.score`); the methods
themselves live in :mod:`assessments.scoring_methods` (instrument-specific) and at the end of this
module (generic sums and subscale means).  Methods import this module, never the entry point, so
scoring has no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from . import model
from .config import Config
from .model import DefinitionError, Instrument, Item

Number = int | float


@dataclass(frozen=True)
class BandResult:
    """A band label and the published source that defines it (printed next to the label)."""

    label: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "source": self.source}


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one answer set.

    ``details`` holds instrument-specific extras (ICIQ leakage type, LEAF-Q caveats, POP-Q stage,
    PERFECT record, ...).  :meth:`to_dict` gives the keys printed by ``python -m assessments score``
    (``instrument``, ``version``, ``complete``, ``total``, ``subscales``, ``band``, ``missing``)
    plus ``details``, into which it also places ``range`` and ``notes``.
    """

    instrument: str
    version: str
    complete: bool
    total: Number | None
    subscales: Mapping[str, Number | None] = field(default_factory=dict)
    band: BandResult | None = None
    missing: tuple[str, ...] = ()
    range: tuple[Number, Number] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "subscales", MappingProxyType(dict(self.subscales)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
        object.__setattr__(self, "missing", tuple(self.missing))
        object.__setattr__(self, "notes", tuple(self.notes))

    def to_dict(self) -> dict[str, Any]:
        details = _plain(dict(self.details))
        details["range"] = list(self.range) if self.range is not None else None
        details["notes"] = list(self.notes)
        return {
            "instrument": self.instrument,
            "version": self.version,
            "complete": self.complete,
            "total": self.total,
            "subscales": dict(self.subscales),
            "band": self.band.to_dict() if self.band else None,
            "missing": list(self.missing),
            "details": details,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScoreResult:
        details = dict(d.get("details") or {})
        rng = details.pop("range", None)
        notes = details.pop("notes", ())
        band = d.get("band")
        return cls(instrument=d["instrument"], version=str(d.get("version", "")), complete=bool(d.get("complete")),
                   total=d.get("total"), subscales=dict(d.get("subscales") or {}),
                   band=BandResult(band["label"], band.get("source", "")) if band else None,
                   missing=tuple(d.get("missing") or ()), range=tuple(rng) if rng is not None else None,
                   details=details, notes=tuple(notes or ()))


def _plain(value: Any) -> Any:
    """JSON-ready copy: mappings become dicts, tuples/lists become lists, bands become dicts."""
    if isinstance(value, BandResult):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- scoring input


@dataclass(frozen=True)
class Scoring:
    """What a scoring method receives: the definition, the usable answers and the settings.

    ``answers`` are cleaned (valid, disabled items dropped), declined answers removed and choice
    values replaced by the option's own value (so ``1.0`` reads as ``1``).
    """

    instrument: Instrument
    answers: Mapping[str, Any]
    declined: tuple[str, ...]
    config: Config
    context: Mapping[str, Any]

    @property
    def params(self) -> Mapping[str, Any]:
        return self.instrument.scoring or {}

    def enabled_ids(self) -> set[str]:
        return {it.id for it in model.enabled_items(self.instrument, self.answers)}

    def missing_required(self) -> tuple[str, ...]:
        answered = self.answers
        return tuple(
            it.id
            for it in model.enabled_items(self.instrument, answered)
            if it.required and it.id not in answered
        )

    def result(self, **fields: Any) -> ScoreResult:
        fields.setdefault("missing", self.missing_required())
        notes = list(fields.pop("notes", ()))
        if self.declined:
            notes.append(
                "Declined (to discuss in person), counted as missing: " + ", ".join(self.declined) + "."
            )
        return ScoreResult(
            instrument=self.instrument.id, version=self.instrument.version, notes=tuple(notes), **fields
        )


Method = Callable[[Scoring], ScoreResult]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    """Register a scoring function under the ``scoring.method`` name definitions use."""

    def register(fn: Method) -> Method:
        if name in METHODS:
            raise ValueError(f"scoring method {name!r} registered twice")
        METHODS[name] = fn
        return fn

    return register


# --------------------------------------------------------------------------- helpers for methods


def exact(value: Any) -> Fraction:
    """Exact value of an answer (decimals via their decimal text, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def out(value: Fraction | int | None) -> Number | None:
    """Present an exact number: ``int`` when whole, else rounded to 2 decimals."""
    if value is None:
        return None
    value = Fraction(value)
    if value.denominator == 1:
        return int(value)
    return round(float(value), 2)


def item_bounds(item: Item) -> tuple[Fraction, Fraction]:
    """Smallest and largest numeric value an item can contribute."""
    if item.type == "choice":
        values = [
            exact(o.value)
            for o in item.options
            if isinstance(o.value, int | float) and not isinstance(o.value, bool)
        ]
        if not values:
            raise DefinitionError(f"{item.id}: a scored choice item needs numeric option values")
        return min(values), max(values)
    if item.type in ("integer", "decimal") and item.min is not None and item.max is not None:
        return exact(item.min), exact(item.max)
    raise DefinitionError(f"{item.id}: item of type {item.type} cannot be scored")


def find_band(bands: Iterable[Any], total: Fraction | Number) -> str | None:
    """Label of the band whose inclusive [min, max] holds ``total`` (bands are ``model.Band`` or
    ``{"min","max","label"}`` mappings)."""
    for band in bands:
        lo, hi, label = (
            (band["min"], band["max"], band["label"])
            if isinstance(band, Mapping)
            else (band.min, band.max, band.label)
        )
        if exact(lo) <= Fraction(total) <= exact(hi):
            return label
    return None


def static_band(s: Scoring, total: Fraction | None) -> tuple[BandResult | None, list[str]]:
    """Band from the definition's own ``bands`` (gated by ``scoring.band_config_flag``)."""
    inst = s.instrument
    if total is None or not inst.bands:
        return None, []
    flag = s.params.get("band_config_flag")
    if flag and not getattr(s.config, flag):
        return None, [f"Bands not shown: configuration {flag} is off."]
    label = find_band(inst.bands, total)
    if label is None:
        return None, [f"No band covers a total of {out(total)}."]
    return BandResult(label, inst.bands_source or ""), []


def sum_items(
    s: Scoring, items: Sequence[str]
) -> tuple[Fraction | None, tuple[Fraction, Fraction], list[str]]:
    """Sum of ``items`` when every applicable one is answered, else ``None``; also the range."""
    inst = s.instrument
    enabled = s.enabled_ids()
    lo = hi = Fraction(0)
    for iid in items:
        a, b = item_bounds(inst.item(iid))
        lo, hi = lo + a, hi + b
    absent = [iid for iid in items if iid in enabled and iid not in s.answers]
    if absent:
        return None, (lo, hi), [f"No total: {', '.join(absent)} unanswered, and every scored item is needed."]
    total = sum((exact(s.answers[iid]) for iid in items if iid in s.answers), Fraction(0))
    return total, (lo, hi), []


# --------------------------------------------------------------------------- generic methods


@method("sum")
def sum_method(s: Scoring) -> ScoreResult:
    """Total = sum of the listed items' published codes (``scoring.items``).

    Used for POP-SS (7 items, 0-28; Hagen 2009), Wexner (5 items, 0-20; Jorge & Wexner 1993),
    St Mark's (0-24; Vaizey 1999) and CSI Part A (25 items, 0-100; Mayer 2012).  None of these
    publishes a missing-data rule, so any unanswered applicable item means no total [R]; the
    total is never prorated.  Bands, when the definition has them, come with their source.
    """
    total, (lo, hi), notes = sum_items(s, s.params["items"])
    band, band_notes = static_band(s, total)
    return s.result(
        complete=total is not None,
        total=out(total),
        band=band,
        range=(out(lo), out(hi)),
        notes=notes + band_notes,
    )


@method("mean_subscales")
def mean_subscales(s: Scoring) -> ScoreResult:
    """Subscale = mean of the answered items x multiplier; total = sum of the subscales.

    PFDI-20 (Barber 2005): POPDI-6, CRADI-8, UDI-6, each mean (0-4) x 25 = 0-100, total 0-300.
    PFIQ-7 (Barber 2005): UIQ-7, CRAIQ-7, POPIQ-7, each mean (0-3) x 100/3 = 0-100, total 0-300.
    Barber's instruction uses the mean of the answered items only [S2/M]; a subscale is given
    only when at least ``min_answered`` of its items are answered (half for PFDI-20, 4 of 7 for
    PFIQ-7) and the total only when every subscale exists [R].
    """
    inst = s.instrument
    num, den = s.params["multiplier"]
    mult = Fraction(num, den)
    subscales: dict[str, Number | None] = {}
    exact_subs: list[Fraction | None] = []
    answered_counts: dict[str, str] = {}
    notes: list[str] = []
    lo_total = hi_total = Fraction(0)
    for sub in s.params["subscales"]:
        name, items, need = sub["name"], sub["items"], sub["min_answered"]
        values = [exact(s.answers[i]) for i in items if i in s.answers]
        answered_counts[name] = f"{len(values)}/{len(items)}"
        lo = min(item_bounds(inst.item(i))[0] for i in items) * mult
        hi = max(item_bounds(inst.item(i))[1] for i in items) * mult
        lo_total, hi_total = lo_total + lo, hi_total + hi
        if len(values) >= need:
            value = sum(values, Fraction(0)) / len(values) * mult
            if len(values) < len(items):
                notes.append(f"{name} computed from the {len(values)} answered of {len(items)} items.")
        else:
            value = None
            notes.append(
                f"{name} not computed: {len(values)} of {len(items)} items answered, at least {need} needed."
            )
        exact_subs.append(value)
        subscales[name] = out(value)
    if all(v is not None for v in exact_subs):
        total = sum(exact_subs, Fraction(0))
    else:
        total = None
        notes.append("No total: every subscale is needed.")
    return s.result(
        complete=total is not None,
        total=out(total),
        subscales=subscales,
        range=(out(lo_total), out(hi_total)),
        details={"answered": answered_counts, "multiplier": f"{num}/{den}"},
        notes=notes,
    )
