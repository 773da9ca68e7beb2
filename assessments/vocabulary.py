"""The clinical vocabulary: the one place tier, domain, light, status and evidence-level words live.

Rules, the composition (:mod:`assessments.summary`), both Jinja environments (the app's pages and
the PDF reports) and the report dataclasses read these names from here; no other module keeps a
copy.  Pure data, no imports from the rest of the package.

Tiers, highest wins (clinical reference section 6.2)::

    T0 no action < T1 self-management < T2a pelvic health physiotherapy < T2b specialist
       < T3 GP / medical review < T4 urgent medical < T5 emergency / same day
"""

from __future__ import annotations

from collections.abc import Iterable

TIERS: tuple[str, ...] = ("T0", "T1", "T2a", "T2b", "T3", "T4", "T5")
RANK: dict[str, int] = {t: i for i, t in enumerate(TIERS)}

TIER_LABELS: dict[str, str] = {
    "T0": "No action",
    "T1": "Self-management and education",
    "T2a": "Supervised pelvic health physiotherapy",
    "T2b": "Specialist referral",
    "T3": "GP / medical review",
    "T4": "Urgent medical review (within days / suspected-cancer pathway)",
    "T5": "Emergency / same day",
}
"""Clinician wording of each tier (review page, clinician report, rulebook)."""

TIER_SHORT: dict[str, str] = {
    "T0": "No action",
    "T1": "Self-management",
    "T2a": "Pelvic health physiotherapy",
    "T2b": "Specialist referral",
    "T3": "GP / medical review",
    "T4": "Urgent medical review",
    "T5": "Emergency / same day",
}
"""Short clinician wording, for badges and tables where the full label does not fit."""

TIER_PATIENT: dict[str, str] = {
    "T0": "Nothing needs treating right now. Keep up your usual activity.",
    "T1": "You can manage this yourself with the advice below. Get in touch with us if it is not improving.",
    "T2a": "We recommend a course of pelvic health physiotherapy sessions with us.",
    "T2b": "We recommend seeing a specialist. We will write to them and keep your GP (family doctor) informed.",
    "T3": "Please book an appointment with your GP (family doctor) and take this summary with you.",
    "T4": "Please see a doctor urgently, within the next few days, and take this summary with you.",
    "T5": "Please get medical help today: call 999 or go to your nearest emergency department.",
}
"""What the patient is told to do, by overall tier (patient summary, "What to do now")."""

TIER_NEXT_STEP: dict[str, str] = {
    "T0": "No follow-up is needed now. Get in touch if anything changes.",
    "T1": "Follow your plan below and check in with us again in 6 to 12 weeks.",
    "T2a": "Start supervised pelvic health physiotherapy: we will agree your next appointments with you.",
    "T2b": "We will write to a specialist about you and keep your GP informed.",
    "T3": "Book a GP appointment and take this summary with you.",
    "T4": "See a doctor urgently, within the next few days, and take this summary with you.",
    "T5": "Get medical help today: call 999 or go to your nearest emergency department.",
}
"""The next step printed on both reports, by overall tier."""

DOMAINS: tuple[str, ...] = ("bleeding", "pain", "urinary", "bowel", "prolapse", "energy", "return_to_run", "general")

DOMAIN_LABELS: dict[str, str] = {
    "bleeding": "Bleeding and spotting", "pain": "Pelvic pain", "urinary": "Bladder (urinary)",
    "bowel": "Bowel", "prolapse": "Prolapse", "energy": "Energy availability",
    "return_to_run": "Return to running", "general": "General health", "pelvic_floor": "Pelvic floor",
    "context": "About you",
}
"""Clinician names of the triage domains (and of the definition domains that are not triaged)."""

DOMAIN_PATIENT: dict[str, str] = {
    "bleeding": "Bleeding or spotting", "pain": "Pelvic pain", "urinary": "Your bladder",
    "bowel": "Your bowel", "prolapse": "Heaviness or bulging (prolapse)", "energy": "Energy, eating and training",
    "return_to_run": "Getting back to running", "general": "Your general health", "pelvic_floor": "Your pelvic floor",
    "context": "About you",
}
"""Everyday names of the same domains for the patient summary."""

CAT2_LIGHTS: tuple[str, ...] = ("green", "yellow", "orange", "red")
CAT2_LIGHT_LABELS: dict[str, str] = {"green": "Green", "yellow": "Yellow", "orange": "Orange", "red": "Red"}
CAT2_NAME = "IOC REDs Clinical Assessment Tool version 2 (CAT2), provisional"

ASSESSMENT_STATUSES: dict[str, str] = {"draft": "Draft", "submitted": "Waiting for review", "signed": "Signed"}
STATUSES: tuple[str, ...] = tuple(ASSESSMENT_STATUSES)

GATE_STATUSES: dict[str, str] = {
    "pass": "Pass", "modify": "Modify the plan", "fail": "Not yet", "not_assessed": "Not assessed",
}
"""Return-to-running gate statuses (a "modify" gate is passed with changes to the plan)."""

TEST_STATUSES: dict[str, str] = {"pass": "Pass", "fail": "Not met", "not_assessed": "Not tested",
                                 "not_done": "Not tested", "incomplete": "One side only"}

EVIDENCE_LEVELS: dict[str, str] = {
    "guideline": "Guideline: a national or professional clinical guideline",
    "consensus": "Consensus statement: agreed by an expert panel",
    "study": "Study: a published research study or validation paper",
    "expert": "Expert opinion: clinical convention or an expert's recommendation, not yet checked against a "
              "primary source",
    "practice": "Practice article: a clinic or coaching article written for the public",
}
"""The one fixed evidence-level legend (clinical-policy section 7), strongest first."""

EVIDENCE_SHORT: dict[str, str] = {
    "guideline": "Guideline", "consensus": "Consensus statement", "study": "Study",
    "expert": "Expert opinion", "practice": "Practice article",
}

EVIDENCE_LEGEND: tuple[tuple[str, str], ...] = tuple(
    (EVIDENCE_SHORT[k], v.split(": ", 1)[1]) for k, v in EVIDENCE_LEVELS.items())
"""The legend as printed under references: (short name, meaning)."""


def rank(tier: str) -> int:
    """Position of a tier code: 0 for T0 ... 6 for T5 (highest wins)."""
    return RANK[tier]


def max_tier(tiers: Iterable[str], default: str = "T0") -> str:
    best = default
    for t in tiers:
        if RANK[t] > RANK[best]:
            best = t
    return best


def tier_label(code: str) -> str:
    return TIER_LABELS[code]


def domain_label(domain: str) -> str:
    return DOMAIN_LABELS.get(domain, domain.replace("_", " ").capitalize())


def jinja_globals() -> dict[str, object]:
    """What both Jinja environments expose, so templates never spell a tier or a light themselves."""
    return {
        "tier_names": TIER_LABELS, "tier_short": TIER_SHORT, "tier_patient": TIER_PATIENT,
        "domain_labels": DOMAIN_LABELS, "cat2_lights": CAT2_LIGHT_LABELS, "gate_statuses": GATE_STATUSES,
        "test_statuses": TEST_STATUSES, "assessment_statuses": ASSESSMENT_STATUSES,
        "evidence_levels": EVIDENCE_LEVELS, "evidence_short": EVIDENCE_SHORT,
        "evidence_legend_items": EVIDENCE_LEGEND,
    }
