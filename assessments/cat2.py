"""Provisional, history-only IOC REDs CAT2 severity light.

CAT2 (Stellingwerff et al., Br J Sports Med 2023;57:1109-1121) stratifies REDs severity from
counted *primary* indicators P (a severe primary indicator counts as 2) and *secondary* indicators
S.  The four published conditions (clinical reference sections 5.3 and 7) cover every (P, S) pair
exactly once::

    P = 0: S <= 1 green,  S >= 2 yellow
    P = 1: S <= 2 yellow, S >= 3 orange
    P = 2: S <= 1 yellow, S >= 2 orange
    P = 3: S <= 1 orange, S >= 2 red
    P >= 4: red

A serious medical indicator (IOC REDs 2023 Table 3) overrides the light: immediate medical care.
A physiotherapy toolkit sees the history and whatever laboratory results a physician entered, so
the light is always labelled *provisional*; any primary indicator means a sports physician review.
The primary-indicator definitions are [S]; the secondary list is from memory [M] and counting it
can be switched off (``Config.cat2_secondary``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .facts import CAT2, CTX, Facts
from .rules import sources as src
from .vocabulary import CAT2_LIGHTS

LIGHTS = CAT2_LIGHTS
EDE_Q_CUTOFF = 2.30            # elevated EDE-Q global score in females: > 2.30 [S]
BSI_MONTHS_LOST = 6            # >= 6 months' absence from training due to BSI in 2 years [S]
AMENORRHOEA_MIN, SEVERE_AMENORRHOEA = 3, 12  # 3-11 missed cycles primary; >= 12 severe primary [S]

CAVEAT = ("Provisional, history-only CAT2 light: laboratory indicators count only when a physician entered them, "
          "and missing results can only raise the light. It is not a diagnosis; REDs is diagnosed by a physician "
          "(CAT2 step 3). Menstrual indicators assume functional hypothalamic amenorrhoea, which a physician must "
          "confirm.")
RECOMMENDATIONS = {
    "green": "No treatment required; full training and competition clearance (CAT2).",
    "yellow": "Treatment, monitoring and regular follow-up; full training and competition clearance (CAT2).",
    "orange": "Treatment with close monitoring and follow-up (for example monthly); some training or competition "
              "may need modifying (CAT2).",
    "red": "Immediate treatment (+/- hospitalisation); frequent monitoring; significant modification and, in most "
           "cases, removal from all training and competition (CAT2).",
    "immediate_medical_care": "Serious medical indicator: immediate medical attention, possible hospitalisation and "
                              "removal from training and competition (IOC REDs 2023).",
}
SERIOUS_LABELS = {
    "bmi_75": "BMI <= 75% of median for age and sex", "electrolytes": "electrolyte disturbance",
    "ecg": "ECG abnormality", "hypotension": "hypotension <= 90/45 mmHg",
    "orthostatic": "orthostatic blood pressure drop", "failed_ed": "failed outpatient eating disorder treatment",
    "malnutrition": "acute complications of malnutrition",
}


def light_for(primary: int, secondary: int) -> str:
    """The CAT2 traffic light for P primary (severe = 2) and S secondary indicators."""
    if primary < 0 or secondary < 0:
        raise ValueError("indicator counts cannot be negative")
    if primary >= 4:
        return "red"
    if primary == 3:
        return "red" if secondary >= 2 else "orange"
    if primary == 2:
        return "orange" if secondary >= 2 else "yellow"
    if primary == 1:
        return "orange" if secondary >= 3 else "yellow"
    return "yellow" if secondary >= 2 else "green"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    weight: int
    evidence: str  # "[S]" primary definitions, "[M]" secondary list

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "weight": self.weight, "evidence": self.evidence}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Indicator:
        return cls(id=d["id"], label=d.get("label", d["id"]), weight=int(d.get("weight", 1)),
                   evidence=d.get("evidence", ""))


@dataclass(frozen=True)
class Cat2Result:
    assessed: bool
    outcome: str | None          # green / yellow / orange / red / immediate_medical_care, None if not assessed
    light: str | None            # the P x S light before any override
    primary_count: int = 0
    secondary_count: int = 0
    primary: tuple[Indicator, ...] = ()
    secondary: tuple[Indicator, ...] = ()
    serious: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    provisional: bool = True
    caveat: str = CAVEAT
    recommendation: str | None = None
    sports_physician: bool = False
    citation: str = src.CAT2 + "; " + src.IOC_SERIOUS

    @property
    def override(self) -> bool:
        return bool(self.serious)

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessed": self.assessed, "provisional": self.provisional, "outcome": self.outcome,
            "light": self.light, "override": self.override, "primary_count": self.primary_count,
            "secondary_count": self.secondary_count, "primary": [i.to_dict() for i in self.primary],
            "secondary": [i.to_dict() for i in self.secondary], "serious_medical_indicators": list(self.serious),
            "recommendation": self.recommendation, "sports_physician": self.sports_physician,
            "notes": list(self.notes), "caveat": self.caveat, "citation": self.citation,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> Cat2Result:
        d = d or {}
        return cls(assessed=bool(d.get("assessed")), outcome=d.get("outcome"), light=d.get("light"),
                   primary_count=int(d.get("primary_count") or 0), secondary_count=int(d.get("secondary_count") or 0),
                   primary=tuple(Indicator.from_dict(i) for i in d.get("primary") or ()),
                   secondary=tuple(Indicator.from_dict(i) for i in d.get("secondary") or ()),
                   serious=tuple(d.get("serious_medical_indicators") or ()), notes=tuple(d.get("notes") or ()),
                   provisional=bool(d.get("provisional", True)), caveat=d.get("caveat", CAVEAT),
                   recommendation=d.get("recommendation"), sports_physician=bool(d.get("sports_physician")),
                   citation=d.get("citation", ""))


def menstrual_exclusions(f: Facts) -> list[str]:
    """Why missed-cycle answers cannot be read as functional hypothalamic amenorrhoea here."""
    reasons = []
    if f.pregnant:
        reasons.append("pregnancy")
    if f.breastfeeding:
        reasons.append("breastfeeding (lactational amenorrhoea)")
    if f.hormonal_contraception:
        reasons.append("hormonal contraception")
    if f.postmenopausal:
        reasons.append("menopause")
    return reasons


def assess(f: Facts) -> Cat2Result:
    if "cat2" in f.memo:
        return f.memo["cat2"]
    result = _assess(f)
    f.memo["cat2"] = result
    return result


def _assess(f: Facts) -> Cat2Result:
    if not f.has(CAT2):
        return Cat2Result(assessed=False, outcome=None, light=None,
                          notes=("Energy availability history (reds-cat2) not completed.",))
    primary: list[Indicator] = []
    secondary: list[Indicator] = []
    notes: list[str] = []
    excluded = menstrual_exclusions(f)
    amenorrhoea_counted = False
    if f.yes(CAT2, "primary_amenorrhoea"):
        primary.append(Indicator("primary_amenorrhoea", "primary amenorrhoea (severe)", 2, "[S]"))
        amenorrhoea_counted = True
    missed = f.num(CAT2, "missed_cycles")
    if missed is not None and missed >= AMENORRHOEA_MIN and not amenorrhoea_counted:
        if excluded:
            notes.append(f"{int(missed)} missed cycles not counted: not interpretable with {', '.join(excluded)}.")
        elif missed >= SEVERE_AMENORRHOEA:
            primary.append(Indicator("amenorrhoea_severe", f"secondary amenorrhoea, {int(missed)} missed cycles "
                                     "(>= 12, severe)", 2, "[S]"))
            amenorrhoea_counted = True
        else:
            primary.append(Indicator("amenorrhoea", f"secondary amenorrhoea, {int(missed)} missed cycles (3-11)",
                                     1, "[S]"))
            amenorrhoea_counted = True
    high, low = f.num(CAT2, "bsi_high") or 0, f.num(CAT2, "bsi_low") or 0
    months = f.num(CAT2, "bsi_months_lost") or 0
    bsi_primary = high >= 1 or low >= 2 or months >= BSI_MONTHS_LOST
    if bsi_primary:
        primary.append(Indicator("bsi", f"bone stress injuries in 2 years: {int(high)} high-risk, {int(low)} "
                                 f"low-risk, {int(months)} months lost", 1, "[S]"))
    if f.is_(CAT2, "bmd", "low"):
        primary.append(Indicator("bmd", "BMD Z-score < -1 or a fall from prior testing", 1, "[S]"))
    ede = f.num(CAT2, "ede_q_global")
    ed_reasons = [r for r, on in ((f"EDE-Q global {ede} > {EDE_Q_CUTOFF}", ede is not None and ede > EDE_Q_CUTOFF),
                                  ("DSM-5-TR eating disorder (clinician)", f.yes(CAT2, "ed_diagnosis")),
                                  ("current eating disorder (patient)", f.is_(CTX, "mental_health", "eating_disorder")))
                  if on]
    if ed_reasons:
        primary.append(Indicator("eating_disorder", "; ".join(ed_reasons) + " (counts once)", 1, "[S]"))
    if f.is_(CAT2, "t3", "low"):
        primary.append(Indicator("t3", "low total or free T3", 1, "[S]"))
    if f.yes(CAT2, "growth"):
        primary.append(Indicator("growth", "negative deviation of growth trajectory", 1, "[S]"))

    if f.config.cat2_secondary:
        if f.yes(CAT2, "long_cycles") and not amenorrhoea_counted:
            if excluded:
                notes.append(f"Long cycles not counted: not interpretable with {', '.join(excluded)}.")
            else:
                secondary.append(Indicator("oligomenorrhoea", "oligomenorrhoea (cycles > 35 days)", 1, "[M]"))
        if low == 1 and not bsi_primary:
            secondary.append(Indicator("bsi_low_one", "one low-risk bone stress injury in 2 years", 1, "[M]"))
        if f.is_(CTX, "mental_health", "depression", "anxiety"):
            secondary.append(Indicator("mood", "diagnosed depression and/or anxiety", 1, "[M]"))
        if f.is_(CAT2, "cholesterol", "high"):
            secondary.append(Indicator("cholesterol", "elevated total / LDL cholesterol", 1, "[M]"))
        if f.is_(CAT2, "igf1", "low"):
            secondary.append(Indicator("igf1", "low IGF-1 or other secondary laboratory marker", 1, "[M]"))
    else:
        notes.append("Secondary indicators not counted (Config.cat2_secondary is off).")

    p = sum(i.weight for i in primary)
    s = sum(i.weight for i in secondary)
    light = light_for(p, s)
    serious = tuple(SERIOUS_LABELS[x] for x in f.picked(CAT2, "serious") if x in SERIOUS_LABELS)
    outcome = "immediate_medical_care" if serious else light
    return Cat2Result(assessed=True, outcome=outcome, light=light, primary_count=p, secondary_count=s,
                      primary=tuple(primary), secondary=tuple(secondary), serious=serious, notes=tuple(notes),
                      recommendation=RECOMMENDATIONS[outcome], sports_physician=bool(primary) or bool(serious))
