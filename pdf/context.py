"""What a report prints: frozen dataclasses of already-scored, plain values.

The web layer maps a stored assessment into a :class:`ReportContext`; :mod:`pdf.render` turns
it into HTML and PDF.  Nothing here scores, triages or looks anything up: every number, band,
tier, sentence and citation arrives ready to print, so the report shows exactly what was
stored.  All text is plain text (it is escaped when rendered; markup in it shows literally).

Conventions:

* sequences are tuples (lists passed in are converted), so contexts are hashable and picklable;
* optional values are ``None`` (never empty strings) when "not recorded" must be printed;
* tier codes are the project's ``T0`` ... ``T5`` (:data:`TIERS`), highest wins;
* ``clinician_text`` is for the clinician report, ``patient_text`` is plain language for the
  patient summary (second person, no jargon, no rule ids).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from assessments.vocabulary import CAT2_LIGHTS, STATUSES, TIER_LABELS, TIER_PATIENT, rank
from assessments.vocabulary import GATE_STATUSES as GATE_STATUS_LABELS
from assessments.vocabulary import TIERS as TIER_CODES

# --------------------------------------------------------------------------- vocabulary

TIERS: dict[str, str] = TIER_LABELS
"""Tier code -> display name, lowest first (from :mod:`assessments.vocabulary`)."""

TIER_ORDER: tuple[str, ...] = TIER_CODES

TIER_PATIENT_TEXT: dict[str, str] = TIER_PATIENT
"""Default plain-language meaning of each tier for the patient summary."""

DEFAULT_SAFETY_NET: tuple[str, ...] = (
    "Call 999 or go to an emergency department now if you have heavy bleeding (soaking a pad or more "
    "an hour), bleeding with dizziness or fainting, or sudden severe pain in your tummy or pelvis.",
    "Call 999 if you notice numbness around your bottom or genitals together with new problems "
    "passing urine or controlling your bladder or bowel.",
    "See your GP within a few days if bleeding gets heavier, happens after every run, or comes with "
    "a fever, an unusual smell or discharge.",
)
"""Generic "when to get help urgently" lines on every patient summary (UK services by default)."""

GATE_STATUSES = tuple(GATE_STATUS_LABELS)
LOGO_MIME_TYPES = ("image/png", "image/jpeg")
LOGO_MAX_BYTES = 256 * 1024


def tier_name(code: str) -> str:
    """Display name of a tier code (``"T2a"`` -> ``"Supervised pelvic health physiotherapy"``)."""
    return TIERS[code]


def tier_rank(code: str) -> int:
    """Position of a tier code, 0 for T0 ... 6 for T5 (highest wins)."""
    return rank(code)


def _check_tier(code: str, what: str) -> None:
    if code not in TIERS:
        raise ValueError(f"{what}: unknown tier {code!r}; expected one of {', '.join(TIERS)}")


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what}: {value!r} is not one of {', '.join(allowed)}")


def _tuples(obj: Any) -> None:
    """Convert list fields of a frozen dataclass to tuples, in place."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list):
            object.__setattr__(obj, f.name, tuple(value))


# --------------------------------------------------------------------------- people and places


@dataclass(frozen=True)
class Logo:
    """A clinic logo: PNG or JPEG bytes, at most :data:`LOGO_MAX_BYTES`."""

    data: bytes
    mime: str = "image/png"

    def __post_init__(self) -> None:
        _check_choice(self.mime, LOGO_MIME_TYPES, "Logo.mime")
        if not self.data:
            raise ValueError("Logo.data is empty")
        if len(self.data) > LOGO_MAX_BYTES:
            raise ValueError(f"Logo.data is {len(self.data)} bytes; the limit is {LOGO_MAX_BYTES}")


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str = ""          # one line, e.g. "12 Harbour Street, Leith, Edinburgh EH6 6QN"
    phone: str = ""            # printed on the patient summary ("contact us")
    logo: Logo | None = None


@dataclass(frozen=True)
class Patient:
    name: str
    date_of_birth: dt.date | None
    sex: str = ""              # as recorded, e.g. "Female"
    identifier: str = ""       # the clinic's patient number, if any


@dataclass(frozen=True)
class Assessment:
    date: dt.date
    episode_title: str                       # e.g. "Spotting and leakage when running"
    complaints: tuple[str, ...] = ()         # presenting complaints, in the patient's order
    status: str = "draft"                    # draft | submitted | signed
    version: int = 1                         # version of the stored assessment record
    context: tuple[str, ...] = ()            # short facts, e.g. "7 months postnatal", "breastfeeding"
    supersedes: str = ""                     # an amendment: "version 1, signed 4 December 2026 by ..."

    def __post_init__(self) -> None:
        _tuples(self)
        _check_choice(self.status, STATUSES, "Assessment.status")


@dataclass(frozen=True)
class SignOff:
    """Who is responsible for the assessment; ``signed_at`` is None until signed."""

    clinician_name: str
    role: str                                # e.g. "Pelvic health physiotherapist"
    registration: str = ""                   # e.g. "HCPC PH123456"
    signed_at: dt.datetime | None = None


# --------------------------------------------------------------------------- triage


@dataclass(frozen=True)
class RedFlag:
    id: str                  # rule id, e.g. "B8"
    what: str                # short title, e.g. "Bleeding more than 8 weeks after birth"
    tier: str                # urgency tier code (T3 ... T5 usually)
    what_to_do: str          # action for the clinician, e.g. "GP review within 2 weeks; ..."
    clinician_text: str      # why it fired, in clinical language
    patient_text: str        # what the patient should know or do, in plain language
    citation: str

    def __post_init__(self) -> None:
        _check_tier(self.tier, f"RedFlag {self.id}")

    @property
    def tier_name(self) -> str:
        return TIERS[self.tier]


@dataclass(frozen=True)
class DomainTier:
    domain: str              # stable id, e.g. "urinary"
    label: str               # display name, e.g. "Bladder (urinary)"
    tier: str
    summary: str = ""        # optional one-line clinician summary for the domain
    flags: tuple[str, ...] = ()  # titles of this domain's red flags (printed in the red-flag section)

    def __post_init__(self) -> None:
        _tuples(self)
        _check_tier(self.tier, f"DomainTier {self.domain}")

    @property
    def tier_name(self) -> str:
        return TIERS[self.tier]


@dataclass(frozen=True)
class Reason:
    """One fired rule that contributed to a tier ("why this tier")."""

    rule_id: str             # e.g. "U-ICIQ-1", "G3", "SP-15"
    tier: str
    domain: str              # DomainTier.domain this reason belongs to
    clinician_text: str
    patient_text: str
    citation: str

    def __post_init__(self) -> None:
        _check_tier(self.tier, f"Reason {self.rule_id}")


# --------------------------------------------------------------------------- instruments


@dataclass(frozen=True)
class ItemAnswer:
    item_id: str             # the instrument's own item number / name
    label: str               # the project's own wording (or the licensed text pack's)
    answer: str              # answer as displayed, e.g. "About once a week or less (1)"
    section: str | None = None


@dataclass(frozen=True)
class Subscale:
    name: str
    score: float | None      # None: not scorable (say why in ``note``)
    score_range: tuple[float, float]
    note: str = ""


@dataclass(frozen=True)
class InstrumentResult:
    id: str                                  # definition id, e.g. "iciq-ui-sf"
    name: str                                # "ICIQ Urinary Incontinence Short Form"
    short_name: str                          # "ICIQ-UI SF"
    version: str                             # definition version the answers were given against
    domain: str                              # DomainTier.domain
    score: float | None                      # None when incomplete or not scored
    score_range: tuple[float, float]         # e.g. (0, 21): "score / total" prints score / max
    band_label: str | None = None            # e.g. "moderate"
    band_source: str | None = None           # e.g. "Klovning 2009 (published third-party interpretation)"
    lower_is_better: bool = True
    complete: bool = True
    missing_items: tuple[str, ...] = ()      # item ids not answered (or declined)
    subscales: tuple[Subscale, ...] = ()
    answers: tuple[ItemAnswer, ...] = ()     # item-level answers (clinician report only)
    details: tuple[tuple[str, str], ...] = ()  # (label, value), e.g. ("Leakage type", "Stress")
    citation: str = ""                       # scoring source
    licence: str = ""                        # notice printed under the instrument
    adapted_wording: bool = False            # project's own wording of a licensed instrument
    patient_label: str = ""                  # plain name for the patient, e.g. "Bladder leakage questionnaire"
    numbered_items: bool = True              # item ids are the instrument's own numbers ("3", "uiq_1"):
                                             # printed; the project's intakes (named items) print no id column

    def __post_init__(self) -> None:
        _tuples(self)
        object.__setattr__(self, "details", tuple(tuple(d) for d in self.details))
        if self.score is not None and not self.score_range[0] <= self.score <= self.score_range[1]:
            raise ValueError(f"{self.id}: score {self.score} outside {self.score_range}")


@dataclass(frozen=True)
class PopQ:
    """POP-Q points in cm relative to the hymen (negative = above), and the stage (0-IV)."""

    aa: float
    ba: float
    c: float
    gh: float
    pb: float
    tvl: float
    ap: float
    bp: float
    d: float | None          # None after hysterectomy
    stage: str               # "0", "I", "II", "III", "IV"
    leading_edge: str = ""   # e.g. "anterior wall (Ba)"


@dataclass(frozen=True)
class ExamFindings:
    modified_oxford: int | None = None       # 0-5
    perfect: str | None = None               # "P/E/R/F", e.g. "3/6/5/8"
    relaxation: str | None = None            # normal | partial | absent | delayed (ICS terms)
    popq: PopQ | None = None
    other: tuple[tuple[str, str], ...] = ()  # (finding, value), e.g. ("Diastasis recti", "2 cm")

    def __post_init__(self) -> None:
        _tuples(self)
        object.__setattr__(self, "other", tuple(tuple(o) for o in self.other))


# --------------------------------------------------------------------------- return to running


@dataclass(frozen=True)
class GateTest:
    name: str                        # e.g. "Single-leg squat"
    target: str                      # e.g. "10 each side"
    left: str | None = None          # achieved, left (or the only value for a two-legged test)
    right: str | None = None         # achieved, right; None for tests that are not per side
    symptom: str | None = None       # symptom during the test, None = none reported
    passed: bool | None = None       # None = not tested


@dataclass(frozen=True)
class Gate:
    id: str                          # "G0" ... "G5"
    title: str                       # e.g. "Load and impact tests"
    status: str                      # pass | fail | not_assessed
    summary: str = ""                # one sentence, e.g. "Single-leg hop: leakage on the left"
    tests: tuple[GateTest, ...] = ()

    def __post_init__(self) -> None:
        _tuples(self)
        _check_choice(self.status, GATE_STATUSES, f"Gate {self.id}")


@dataclass(frozen=True)
class ReturnToRun:
    gates: tuple[Gate, ...]
    outcome: str                     # e.g. "Not ready to run yet: rehabilitate, re-test in 6 weeks"
    guideline: str                   # which guideline set the gates, with citation

    def __post_init__(self) -> None:
        _tuples(self)


@dataclass(frozen=True)
class Cat2:
    """IOC REDs CAT2 light from history items only: always provisional."""

    light: str                       # green | yellow | orange | red
    primary: int                     # primary indicator count (a severe one counts as 2)
    secondary: int
    caveat: str                      # e.g. "Provisional: history only; labs need a physician"
    serious_indicator: bool = False  # a serious medical indicator overrides the light
    citation: str = ""

    def __post_init__(self) -> None:
        _check_choice(self.light, CAT2_LIGHTS, "Cat2.light")


# --------------------------------------------------------------------------- plan and trends


@dataclass(frozen=True)
class Recommendation:
    id: str                          # e.g. "REC-PFMT", "SP-30"
    title: str
    clinician_text: str
    patient_text: str
    citation: str
    self_management: bool = False    # True: part of the patient's own plan (things they do)
    note: str = ""                   # clinician-only remark, e.g. "possible benign explanation"


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date
    score: float
    same_day: int = 1                # results recorded that day, combined into this point (the latest)


@dataclass(frozen=True)
class Trend:
    """Scores of one instrument over visits, oldest first (the last point is this visit)."""

    instrument_id: str
    instrument_name: str
    points: tuple[TrendPoint, ...]
    score_range: tuple[float, float]
    mid: float | None                # minimal important difference, None if none published
    mid_source: str | None = None
    lower_is_better: bool = True

    def __post_init__(self) -> None:
        _tuples(self)
        if len(self.points) < 2:
            raise ValueError(f"Trend {self.instrument_id}: needs at least two scores")
        dates = [p.date for p in self.points]
        if dates != sorted(dates):
            raise ValueError(f"Trend {self.instrument_id}: points must be oldest first")
        if len(set(dates)) != len(dates):
            raise ValueError(f"Trend {self.instrument_id}: combine same-day results into one point")

    @property
    def judgement(self):
        """The latest change judged against the MID (see :func:`pdf.trends.judge_change`)."""
        from .trends import judge_change
        return judge_change(self.points, self.mid, lower_is_better=self.lower_is_better,
                            mid_source=self.mid_source)

    @property
    def sentence(self) -> str:
        return self.judgement.sentence


@dataclass(frozen=True)
class Section:
    """A titled list of sentences, exactly as composed (the patient summary is made of these)."""

    title: str
    items: tuple[str, ...] = ()
    kind: str = "found"      # urgent | now | safety | found | self_care (styling only)

    def __post_init__(self) -> None:
        _tuples(self)


@dataclass(frozen=True)
class Statement:
    """A configuration choice in force, printed with its source (e.g. postnatal guideline)."""

    label: str
    text: str


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ReportContext:
    report_id: str                   # opaque, printed in every footer
    generated_at: dt.datetime
    clinic: Clinic
    patient: Patient
    assessment: Assessment
    sign_off: SignOff
    overall_tier: str
    domain_tiers: tuple[DomainTier, ...] = ()
    reasons: tuple[Reason, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    instruments: tuple[InstrumentResult, ...] = ()
    exam: ExamFindings | None = None
    return_to_run: ReturnToRun | None = None
    cat2: Cat2 | None = None
    recommendations: tuple[Recommendation, ...] = ()
    referral_letter: str | None = None       # printed for T2b and above
    trends: tuple[Trend, ...] = ()
    clinician_notes: tuple[str, ...] = ()    # never on the patient summary
    next_step: str = ""                      # plain language, e.g. "Follow-up visit in 6 weeks"
    config_statements: tuple[Statement, ...] = ()
    patient_tier_text: str | None = None     # overrides TIER_PATIENT_TEXT[overall_tier]
    safety_net: tuple[str, ...] = DEFAULT_SAFETY_NET  # generic urgent-help lines (patient summary)
    language: str = "en-GB"
    # The patient summary, section by section, as composed (assessments.summary).  Empty: built from
    # the fields above.
    patient_sections: tuple[Section, ...] = ()
    evidence_legend: tuple[tuple[str, str], ...] = ()  # (level, meaning) printed under the references

    def __post_init__(self) -> None:
        _tuples(self)
        _check_tier(self.overall_tier, "ReportContext.overall_tier")
        if self.generated_at.tzinfo is None:
            raise ValueError("ReportContext.generated_at must be timezone-aware")

    # -- derived values used by the templates ------------------------------------------------

    @property
    def overall_tier_name(self) -> str:
        return TIERS[self.overall_tier]

    @property
    def is_draft(self) -> bool:
        return self.sign_off.signed_at is None or self.assessment.status != "signed"

    @property
    def shows_referral(self) -> bool:
        return bool(self.referral_letter) and tier_rank(self.overall_tier) >= tier_rank("T2b")

    @property
    def patient_what_now(self) -> str:
        return self.patient_tier_text or TIER_PATIENT_TEXT[self.overall_tier]

    @property
    def patient_summary(self) -> tuple[Section, ...]:
        """The patient summary's sections: as composed, or (for a context built by hand) from the
        plan, the red flags, the safety net and the reasons."""
        if self.patient_sections:
            return self.patient_sections
        contact = ("Contact us" + (f" on {self.clinic.phone}" if self.clinic.phone else "")
                   + " if anything worries you. You do not need to wait for your next appointment.")
        out = []
        if self.red_flags:
            out.append(Section("Act on this first", tuple(dict.fromkeys(f.patient_text for f in self.red_flags)),
                               "urgent"))
        out.append(Section("What to do now", (self.patient_what_now,
                                              *(f"{r.title}. {r.patient_text}" for r in self.plan)), "now"))
        out.append(Section("When to get help urgently", (*self.safety_net, contact), "safety"))
        found = tuple(dict.fromkeys(r.patient_text for r in self.reasons if r.patient_text))
        if found:
            out.append(Section("What we found", found))
        if self.self_management:
            out.append(Section("Your self-management plan",
                               tuple(f"{r.title}. {r.patient_text}" for r in self.self_management), "self_care"))
        if self.next_step:
            out.append(Section("Next step", (self.next_step,)))
        return tuple(out)

    def reasons_for(self, domain: str) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.domain == domain)

    @property
    def self_management(self) -> tuple[Recommendation, ...]:
        return tuple(r for r in self.recommendations if r.self_management)

    @property
    def plan(self) -> tuple[Recommendation, ...]:
        return tuple(r for r in self.recommendations if not r.self_management)


__all__ = [
    "CAT2_LIGHTS", "DEFAULT_SAFETY_NET", "GATE_STATUSES", "LOGO_MAX_BYTES", "LOGO_MIME_TYPES", "STATUSES", "TIERS",
    "TIER_ORDER", "TIER_PATIENT_TEXT", "Assessment", "Cat2", "Clinic", "DomainTier", "ExamFindings",
    "Gate", "GateTest", "InstrumentResult", "ItemAnswer", "Logo", "Patient", "PopQ", "Reason",
    "Recommendation", "RedFlag", "ReportContext", "ReturnToRun", "Section", "SignOff", "Statement", "Subscale",
    "Trend", "TrendPoint", "tier_name", "tier_rank",
]
