"""Thresholds the literature disagrees on.  Passed in explicitly, never global.

Every field carries its default and the source of that default; reports print
:func:`describe` so a reader sees which scheme produced a band or a gate.
Fields may be added (scoring and triage each own theirs); existing names are stable.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

POSTNATAL_GUIDELINES = {
    # id: (minimum weeks before a return to running is considered, citation)
    "goom-2019": (12, "Goom T, Donnelly G, Brockwell E. Returning to running postnatal - guidelines for "
                      "medical, health and fitness professionals managing this population. 2019"),
    "delphi-2024": (3, "Christopher SM et al. Clinical and exercise professional opinion of return-to-running "
                       "readiness after childbirth: an international Delphi study and consensus statement. "
                       "Br J Sports Med 2024;58(6):299-312 (minimum 3 weeks rest, then individualised)"),
}

NPRS_SCHEMES = {
    # id: ((mild_min, mild_max), (moderate_min, moderate_max), (severe_min, severe_max), citation)
    "serlin-1995": ((1, 4), (5, 6), (7, 10),
                    "Serlin RC et al. When is cancer pain mild, moderate or severe? Pain 1995;61:277-284"),
    "boonstra-2016": ((1, 5), (6, 7), (8, 10),
                      "Boonstra AM et al. Cut-off points for mild, moderate, and severe pain on the numeric "
                      "rating scale for pain in patients with chronic musculoskeletal pain. "
                      "Front Psychol 2016;7:1466"),
    "clinical-1-3": ((1, 3), (4, 6), (7, 10),
                     "Common clinical convention (1-3 / 4-6 / 7-10); no single primary source [M]"),
}


# The postnatal window is configurable within these bounds: the context intake asks the weeks since
# birth only when the birth was within the past 2 years.
MIN_WINDOW_MONTHS = 3
MAX_WINDOW_MONTHS = 24
WEEKS_PER_MONTH = 365.25 / 12 / 7


@dataclass(frozen=True)
class Config:
    # Postnatal return to running: which guideline sets the minimum time since birth.
    postnatal_guideline: str = "goom-2019"
    # NPRS band scheme (Serlin 1995 by default, as the clinical reference recommends).
    nprs_scheme: str = "serlin-1995"
    # Show Klovning 2009 ICIQ-UI SF bands (a published third-party interpretation).
    klovning_bands: bool = True
    # Sandvik ISI version: "1993" (Sandvik 1993 / Hanley 2001, 0-8) or "2000" (four-level, 1-12).
    sandvik_version: str = "1993"
    # LEAF-Q "at risk" cut-off (Melin 2014: total >= 8).
    leafq_cutoff: int = 8
    # --- triage (assessments/triage.py, assessments/rules/).  Each default's source is printed by
    # assessments.rules.base.describe_triage(); only thresholds the literature leaves open live here.
    # Visible haematuria after a run should clear within this many hours: JAMA 1979 found
    # post-marathon haematuria cleared by 48 h, extended testing if it persists beyond 48-72 h [S].
    haematuria_clear_hours: int = 48
    # Postnatal bleeding not linked to the cycle is referred from this many completed weeks:
    # 6 (NHSGGC postnatal bleeding guideline) [S] or 8 (Goom-derived referral checklists) [S2].
    postnatal_bleeding_weeks: int = 6
    # Pessary review at least every N months (iatrox NICE NG123 summary) [S2].
    pessary_review_months: int = 6
    # Bladder training length for urgency / mixed UI ("typically >= 6 weeks") [S2; duration M].
    bladder_training_weeks: int = 6
    # Leakage while asleep or for no obvious reason -> GP review (reference section 2.1) [M].
    atypical_leakage_gp: bool = True
    # Count CAT2 secondary indicators, whose list is from memory (reference section 5.3) [M].
    cat2_secondary: bool = True
    # Postnatal is a window, not a life stage (clinical policy section 2): postnatal rules (gates G0-G5,
    # RR-*, B8, F3, the postnatal medical screen) apply when the most recent birth is within this many
    # months.  Default 12: perinatal pelvic health services cover the first year after birth
    # (Just One Norfolk perinatal pelvic health service, clinical reference 6.1) [S].
    postnatal_window_months: int = 12
    # Goom return-to-run test targets to override, e.g. {"calf_raise": 25} [targets S2/M].
    rtr_targets: tuple = ()

    def __post_init__(self) -> None:
        if self.postnatal_guideline not in POSTNATAL_GUIDELINES:
            raise ValueError(f"postnatal_guideline must be one of {sorted(POSTNATAL_GUIDELINES)}")
        if self.nprs_scheme not in NPRS_SCHEMES:
            raise ValueError(f"nprs_scheme must be one of {sorted(NPRS_SCHEMES)}")
        if self.sandvik_version not in ("1993", "2000"):
            raise ValueError("sandvik_version must be '1993' or '2000'")
        if not 48 <= self.haematuria_clear_hours <= 72:
            raise ValueError("haematuria_clear_hours must lie in the published 48-72 h window")
        if not 6 <= self.postnatal_bleeding_weeks <= 8:
            raise ValueError("postnatal_bleeding_weeks must be 6 (NHSGGC) to 8 (Goom-derived)")
        if isinstance(self.postnatal_window_months, bool) or not isinstance(self.postnatal_window_months, int) \
                or not MIN_WINDOW_MONTHS <= self.postnatal_window_months <= MAX_WINDOW_MONTHS:
            raise ValueError(f"postnatal_window_months must be a whole number of months from {MIN_WINDOW_MONTHS} "
                             f"to {MAX_WINDOW_MONTHS} (the intake asks for weeks since birth only within 2 years)")
        if self.pessary_review_months < 1 or self.bladder_training_weeks < 1:
            raise ValueError("pessary_review_months and bladder_training_weeks must be positive")
        pairs = self.rtr_targets.items() if isinstance(self.rtr_targets, dict) else self.rtr_targets
        targets = tuple(sorted((str(k), v) for k, v in pairs))
        for key, value in targets:
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"rtr_targets[{key!r}] must be a positive number")
        object.__setattr__(self, "rtr_targets", targets)

    @property
    def postnatal_min_weeks(self) -> int:
        return POSTNATAL_GUIDELINES[self.postnatal_guideline][0]

    @property
    def postnatal_window_weeks(self) -> float:
        """The postnatal window in weeks (12 months = 52.2 weeks)."""
        return self.postnatal_window_months * WEEKS_PER_MONTH

    @property
    def postnatal_source(self) -> str:
        return POSTNATAL_GUIDELINES[self.postnatal_guideline][1]

    @classmethod
    def from_mapping(cls, data: dict) -> Config:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown configuration keys: {sorted(unknown)}")
        return cls(**data)


DEFAULT = Config()


def describe(config: Config) -> dict[str, str]:
    """Human-readable statement of the thresholds in force, with their sources."""
    lo = NPRS_SCHEMES[config.nprs_scheme]
    return {
        "postnatal": f"Minimum {config.postnatal_min_weeks} weeks after birth before running "
                     f"({config.postnatal_guideline}): {config.postnatal_source}",
        "nprs": f"NPRS bands mild {lo[0][0]}-{lo[0][1]}, moderate {lo[1][0]}-{lo[1][1]}, "
                f"severe {lo[2][0]}-{lo[2][1]}: {lo[3]}",
        "klovning": "ICIQ-UI SF bands of Klovning 2009 shown as a third-party interpretation"
                    if config.klovning_bands else "ICIQ-UI SF bands not shown",
        "leafq": f"LEAF-Q at risk at total >= {config.leafq_cutoff} (Melin 2014)",
        "postnatal_window": f"Postnatal rules apply within {config.postnatal_window_months} months of the most "
                            "recent birth (perinatal pelvic health services cover the first year after birth); "
                            "outside it a past birth is a risk factor (NICE NG210)",
    }


@dataclass(frozen=True)
class Threshold:
    """One setting in force, as a reader sees it: a name and a sentence with its source (no
    internal provenance tags; those stay in :func:`describe` and the rulebook)."""

    key: str
    label: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict) -> Threshold:
        return cls(str(d["key"]), str(d.get("label") or d["key"]), str(d.get("text", "")))


THRESHOLD_LABELS = {
    "postnatal": "Return to running after birth",
    "postnatal_window": "Postnatal window",
    "nprs": "Pain score bands (0-10 pain rating)",
    "klovning": "ICIQ-UI SF severity bands",
    "leafq": "LEAF-Q cut-off",
    "sandvik": "Sandvik severity index version",
    "haematuria_window": "Blood in the urine after a run",
    "postnatal_bleeding": "Bleeding after birth",
    "pessary_review": "Pessary review",
    "bladder_training": "Bladder training",
    "atypical_leakage": "Leakage in sleep or without a trigger",
    "cat2_secondary": "REDs CAT2 secondary indicators",
    "rtr_targets": "Return-to-running test targets",
}
"""Reader-facing names of every setting (assessment and triage alike)."""


def to_values(config: Config) -> dict:
    """The settings as JSON-ready values (stored with a result; :meth:`Config.from_mapping` reads them)."""
    out = {}
    for f in fields(config):
        value = getattr(config, f.name)
        out[f.name] = [list(pair) for pair in value] if f.name == "rtr_targets" else value
    return out


def thresholds(config: Config) -> tuple[Threshold, ...]:
    """Every threshold in force, with reader-facing names and references (review page, clinician
    report): every field of :class:`Config`, scoring and triage alike."""
    lo = NPRS_SCHEMES[config.nprs_scheme]
    nprs_source = {"serlin-1995": "Serlin et al. 1995 (study)", "boonstra-2016": "Boonstra et al. 2016 (study)",
                   "clinical-1-3": "common clinical convention (expert opinion)"}[config.nprs_scheme]
    postnatal_source = {"goom-2019": "Goom, Donnelly & Brockwell 2019 (practice guideline)",
                        "delphi-2024": "Christopher et al. 2024 (consensus statement)"}[config.postnatal_guideline]
    texts = {
        "postnatal": f"At least {config.postnatal_min_weeks} weeks after birth before running: {postnatal_source}.",
        "postnatal_window": f"Postnatal rules apply within {config.postnatal_window_months} months of the most recent "
                            "birth (perinatal pelvic health services cover the first year after birth; expert "
                            "opinion); after that a past birth is a risk factor: NICE NG210 (guideline).",
        "nprs": f"Mild {lo[0][0]}-{lo[0][1]}, moderate {lo[1][0]}-{lo[1][1]}, severe {lo[2][0]}-{lo[2][1]}: "
                f"{nprs_source}.",
        "klovning": ("Shown, as a published third-party interpretation: Klovning et al. 2009 (study)."
                     if config.klovning_bands else "Not shown."),
        "leafq": f"At risk at a total of {config.leafq_cutoff} or more: Melin et al. 2014 (study).",
        "sandvik": ("Four-level index, 0-8 (Sandvik et al. 1993; Hanley et al. 2001, studies)."
                    if config.sandvik_version == "1993" else "Four-level index, 1-12 (Sandvik et al. 2000, study)."),
        "haematuria_window": f"A first episode after a long or hard run must clear within "
                             f"{config.haematuria_clear_hours} hours; longer, or recurrent, is referred: post-marathon "
                             "case series (study) and NICE NG123 referral criteria (guideline).",
        "postnatal_bleeding": f"Bleeding not linked to periods is referred from {config.postnatal_bleeding_weeks} "
                              "completed weeks after birth: NHS Greater Glasgow and Clyde obstetric guidance "
                              "(guideline; 6 weeks) and Goom et al. 2019 (practice guideline; 8 weeks).",
        "pessary_review": f"At least every {config.pessary_review_months} months: NICE NG123 (guideline).",
        "bladder_training": f"At least {config.bladder_training_weeks} weeks: NICE NG123 (guideline; the length "
                            "is expert opinion until checked against the guideline).",
        "atypical_leakage": ("Leakage while asleep or without an obvious trigger is referred for GP review "
                             "(expert opinion)." if config.atypical_leakage_gp else "Not used."),
        "cat2_secondary": ("Counted alongside the primary indicators (the secondary list is expert opinion until "
                           "checked against the IOC 2023 tool)." if config.cat2_secondary
                           else "Not counted: primary indicators only."),
        "rtr_targets": ("As published by Goom et al. 2019 (practice guideline)." if not config.rtr_targets
                        else "Set by the clinic: " + ", ".join(f"{k.replace('_', ' ')} {v:g}"
                                                              for k, v in config.rtr_targets) + "."),
    }
    return tuple(Threshold(key, THRESHOLD_LABELS[key], text) for key, text in texts.items())
