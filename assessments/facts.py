"""The facts about one intake: instrument ids of the project's own intakes and :class:`Facts`.

Rules (:mod:`assessments.rules`), the return-to-run gates, the CAT2 light and the recommendations
all read an intake through :class:`Facts`; it lives here, outside the rules package, so none of
them has to import the rules to see an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from .config import Config
from .model import DECLINED, load_all

# Instrument ids of the project's own intakes (assessments/definitions/<id>.json).
CTX = "intake-context"
BLEED = "intake-bleeding"
PAIN = "intake-pelvic-pain"
BB = "intake-bladder-bowel"
POP = "intake-prolapse"
RTR = "goom-rtr"
CAT2 = "reds-cat2"

_HORMONAL = ("combined", "progestogen_pill", "implant", "injection", "hormonal_iud")


class Facts:
    """Read-only view of one intake: typed accessors and the derived facts most rules need.

    ``DECLINED`` (a sensitive item the patient would rather discuss in person) reads as
    unanswered; :attr:`declined` lists those items so the clinician can ask them.
    Scores are computed lazily, only for instruments that were answered and have a scoring
    method, and only by rules of phase 2 (red flags never wait for a score).
    """

    def __init__(self, intake: Mapping[str, Any], config: Config):
        self.config = config
        context = intake.get("context") or {}
        answers = intake.get("answers") or {}
        self._data: dict[str, dict[str, Any]] = {CTX: dict(context) if isinstance(context, Mapping) else {}}
        if isinstance(answers, Mapping):
            for iid, given in answers.items():
                if isinstance(given, Mapping) and iid != CTX:
                    self._data[iid] = dict(given)
                elif isinstance(given, Mapping):
                    self._data[CTX].update(given)
        self._scores: dict[str, Any] = {}
        self.memo: dict[str, Any] = {}  # per-intake cache for derived reports (CAT2, return to run)

    # ---- raw answers
    def has(self, inst: str) -> bool:
        return bool(self._data.get(inst))

    def v(self, inst: str, item: str) -> Any:
        value = self._data.get(inst, {}).get(item)
        if value is None or value == "" or (isinstance(value, str) and value == DECLINED):
            return None
        return value

    def c(self, item: str) -> Any:
        return self.v(CTX, item)

    def yes(self, inst: str, item: str) -> bool:
        return self.v(inst, item) is True

    def no(self, inst: str, item: str) -> bool:
        return self.v(inst, item) is False

    def is_(self, inst: str, item: str, *values: Any) -> bool:
        """A choice answer equals one of ``values``, or a multi answer contains one of them."""
        value = self.v(inst, item)
        if value is None:
            return False
        if isinstance(value, list | tuple):
            return any(x in values for x in value)
        return value in values

    def picked(self, inst: str, item: str) -> list[Any]:
        """A multi answer as a list without the 'none' option (or [] when unanswered)."""
        value = self.v(inst, item)
        if isinstance(value, list | tuple):
            return [x for x in value if x not in ("none", "never")]
        return []

    def num(self, inst: str, item: str) -> float | None:
        value = self.v(inst, item)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return value

    @cached_property
    def declined(self) -> tuple[str, ...]:
        found = []
        for inst, given in self._data.items():
            for item, value in given.items():
                if isinstance(value, str) and value == DECLINED:
                    found.append(f"{inst}.{item}")
        return tuple(sorted(found))

    # ---- scores (phase 2 only)
    def score(self, inst: str) -> Any | None:
        if inst in self._scores:
            return self._scores[inst]
        result = None
        definition = load_all().get(inst)
        if self.has(inst) and definition is not None and definition.scoring and definition.kind != "intake":
            from . import scoring  # imported lazily: red-flag evaluation never needs it
            result = scoring.score(inst, self._data[inst], self.config, context=self.scoring_context)
        self._scores[inst] = result
        return result

    def total(self, inst: str) -> float | None:
        result = self.score(inst)
        if result is None or not result.complete or result.total is None:
            return None
        return result.total

    @cached_property
    def scoring_context(self) -> dict[str, Any]:
        return {"hormonal_contraception": self.hormonal_contraception, "pregnant": self.pregnant,
                "breastfeeding": self.breastfeeding, "lactating": self.breastfeeding,
                "postpartum": self.postnatal}

    def scored_instruments(self) -> list[str]:
        defs = load_all()
        return [iid for iid in self._data if iid in defs and defs[iid].scoring and defs[iid].kind != "intake"]

    # ---- derived context
    @cached_property
    def age(self) -> float | None:
        return self.num(CTX, "age")

    @cached_property
    def parous(self) -> bool:
        """Has given birth at any time (a risk factor, NICE NG210; not a postnatal state)."""
        return self.yes(CTX, "given_birth")

    @cached_property
    def postnatal(self) -> bool:
        """Within the postnatal window (clinical policy section 2): the most recent birth is at most
        ``config.postnatal_window_months`` ago, or the clinician started the return-to-running
        module on purpose.  An unknown time since a birth in the past 2 years counts as within."""
        if not self.parous:
            return False
        if self.has(RTR):
            return True
        weeks = self.num(CTX, "weeks_since_birth")
        if weeks is not None:
            return weeks <= self.config.postnatal_window_weeks
        return not self.is_(CTX, "last_birth", "over_2y")

    @cached_property
    def weeks_since_birth(self) -> float | None:
        return self.num(CTX, "weeks_since_birth") if self.postnatal else None

    @cached_property
    def pregnant(self) -> bool:
        return self.is_(CTX, "pregnancy", "pregnant")

    @cached_property
    def pregnancy_possible(self) -> bool:
        """Pregnant, possibly pregnant or unsure (a pregnancy test is needed before bleeding is
        put down to running: clinical reference B1)."""
        return self.is_(CTX, "pregnancy", "pregnant", "possible", "unsure")

    @cached_property
    def postmenopausal(self) -> bool:
        return self.is_(CTX, "menopause", "post")

    @cached_property
    def perimenopausal(self) -> bool:
        return self.is_(CTX, "menopause", "peri")

    @cached_property
    def breastfeeding(self) -> bool:
        return self.postnatal and self.yes(CTX, "breastfeeding")

    @cached_property
    def hormonal_contraception(self) -> bool:
        return self.is_(CTX, "contraception", *_HORMONAL)

    @cached_property
    def iud(self) -> str | None:
        if self.is_(CTX, "contraception", "hormonal_iud"):
            return "hormonal coil (IUS)"
        if self.is_(CTX, "contraception", "copper_iud"):
            return "copper coil (IUD)"
        return None

    @cached_property
    def running(self) -> bool:
        """Running now, or planning to start or return."""
        return self.is_(CTX, "running_status", "planning", "regular", "returning", "new")

    @cached_property
    def running_now(self) -> bool:
        return self.is_(CTX, "running_status", "regular", "returning", "new")

    @cached_property
    def load_spike(self) -> bool:
        return self.is_(CTX, "load_change", "distance", "intensity", "both")

    # ---- derived bleeding facts (source first: reference section 6.2 note 4)
    @cached_property
    def bleeding_sources(self) -> tuple[str, ...]:
        """Every source of blood reported (clinical policy section 3: each source's rules apply).
        Older answers hold one source as a plain string."""
        if not self.yes(BLEED, "any_bleeding"):
            return ()
        value = self.v(BLEED, "source")
        if isinstance(value, list | tuple):
            return tuple(str(x) for x in value)
        return (str(value),) if value is not None else ()

    @cached_property
    def bleeding_source(self) -> str | None:
        """The sources as one readable string ('vaginal+urine'), for the reasons shown."""
        return "+".join(self.bleeding_sources) or None

    @cached_property
    def vaginal_bleeding(self) -> bool:
        """Unexpected bleeding from the vagina, or of unsure source (treated as vaginal)."""
        return bool({"vaginal", "unsure"} & set(self.bleeding_sources))

    @cached_property
    def source_unsure(self) -> bool:
        return "unsure" in self.bleeding_sources

    @cached_property
    def urine_blood(self) -> bool:
        return "urine" in self.bleeding_sources

    @cached_property
    def rectal_blood(self) -> bool:
        return "rectal" in self.bleeding_sources or self.yes(BB, "rectal_blood")

    def vb(self, item: str, *values: Any) -> bool:
        """A vaginal-branch bleeding answer (ignored when the bleeding is not vaginal)."""
        if not self.vaginal_bleeding:
            return False
        if values:
            return self.is_(BLEED, item, *values)
        return self.yes(BLEED, item)

    @cached_property
    def irregular_bleeding(self) -> bool:
        """Vaginal bleeding outside the expected period (between periods, mid-cycle, no pattern,
        or while periods are absent), excluding bleeding after the menopause (rule B4)."""
        return (self.vaginal_bleeding and not self.postmenopausal
                and self.is_(BLEED, "timing", "between", "mid_cycle", "no_pattern", "no_periods"))

    @cached_property
    def haemodynamic(self) -> list[str]:
        return self.picked(BLEED, "faint") if self.vaginal_bleeding else []

    # ---- derived pelvic-floor symptoms (own intakes; instrument scores are read in phase 2)
    @cached_property
    def has_pain(self) -> bool:
        return self.yes(PAIN, "has_pain")

    def pain(self, item: str, *values: Any) -> bool:
        """A pelvic-pain answer that only applies when the patient reports pain."""
        if not self.has_pain:
            return False
        return self.is_(PAIN, item, *values) if values else self.yes(PAIN, item)

    @cached_property
    def leakage(self) -> bool:
        return (self.yes(BB, "leak") or self.is_("iciq-ui-sf", "3", 1, 2, 3, 4, 5)
                or self.is_("sandvik-isi", "frequency", 1, 2, 3, 4))

    @cached_property
    def urinary_urgency(self) -> bool:
        return (self.yes(BB, "urgency") or self.is_(BB, "leak_when", "urgency")
                or self.is_("iciq-ui-sf", "6", "before_toilet"))

    @cached_property
    def bowel_leakage(self) -> list[str]:
        return self.picked(BB, "bowel_leak")

    @cached_property
    def prolapse_symptoms(self) -> bool:
        return (self.is_(POP, "heaviness", "sometimes", "often")
                or self.is_(POP, "bulge", "inside", "at_opening", "outside")
                or self.yes(POP, "diagnosed"))

    @cached_property
    def voiding_difficulty(self) -> list[str]:
        return self.picked(BB, "voiding")

    @cached_property
    def obstructed_defecation(self) -> list[str]:
        return self.picked(BB, "obstructed")

    @cached_property
    def dyspareunia(self) -> bool:
        return self.pain("dyspareunia", "entry", "deep", "both")
