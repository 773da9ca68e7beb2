"""The composition: from a whole triage result and its context, what the clinician and the patient
are told.  Pure.  The review page, the clinician report, the patient summary and the GP letter
paragraph all render from one :class:`Summary`; ``python -m assessments summary`` prints it.

Decisions taken here (clinical-policy sections 6 and 7):

* red flags first, each rule once (a rule that fired twice is merged), most urgent first;
* a domain's heading shows its tier and lists every rule that set it (a red flag is pointed to, not
  repeated), so a heading never disagrees with what is under it;
* in a domain with any T3+ rule the patient is offered no benign explanation (the lower-tier rules'
  patient sentences and the advice that rests only on them are withheld), and self-management is
  framed "while you wait to be seen" whenever the overall tier is T3 or higher;
* safety-net lines are chosen by complaint and context; advice about running only for people who
  run; patient text in everyday words (:data:`PLAIN_WORDS`; ``tests`` hold the banned terms);
* citations print as references with an evidence level (:mod:`assessments.references`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .config import DEFAULT, Threshold
from .facts import Facts
from .references import Reference, reader
from .result import TriageResult
from .rules.base import FiredRule
from .vocabulary import (
    CAT2_LIGHT_LABELS,
    DOMAIN_LABELS,
    DOMAIN_PATIENT,
    GATE_STATUSES,
    TIER_LABELS,
    TIER_NEXT_STEP,
    TIER_PATIENT,
    rank,
)

# --------------------------------------------------------------------------- wording decisions

RUNNING_ADVICE = frozenset({
    "REC-LOAD", "REC-RELATIVE-REST", "REC-PREVENTION-RUN", "REC-RTR-PREP", "REC-RTR-PLAN", "REC-BUGGY",
    "REC-BREASTFEEDING", "REC-PAIN-MONITOR", "REC-FUEL",
})
"""Advice that only makes sense for someone who runs (or plans to)."""

BENIGN_RULES = frozenset({"SP-04", "SP-15", "SP-17", "SP-21", "SP-24"})
"""Rules whose patient sentence explains symptoms by a benign cause (the cycle, training load, habits,
low fuelling): withheld from the patient in a domain with any T3+ rule."""

BENIGN_ADVICE = frozenset({"REC-SPOTTING-EDU", "REC-CYCLE-TRACK", "REC-LOAD"})
"""Advice that explains symptoms away (training load, the cycle): withheld from the patient in a
domain with any T3+ rule."""

ADVICE_DOMAIN = {
    "REC-SPOTTING-EDU": "bleeding", "REC-CYCLE-TRACK": "bleeding", "REC-SAFETY-NET": "bleeding",
    "REC-IUD-CHECK": "bleeding", "REC-POSTPARTUM-CHECK": "bleeding", "REC-LOAD": "general",
}

SAFETY_NET_ADVICE = frozenset({"REC-SAFETY-NET"})
"""Advice that is a safety net: printed with the other "when to get help" lines."""

CYCLE_ADVICE = frozenset({"REC-CYCLE-TRACK"})
"""Advice that asks about the menstrual cycle: only for someone who has periods."""

BENIGN_NOTE = (" (Possible benign explanation, a differential for the clinician: not given to the patient while "
               "a finding of T3 or above in this area is open.)")

SELF_MANAGED = frozenset({"self_management", "education", "exercise"})

PLAIN_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bOASI(?:S)?\b", "a deeper tear during birth"),
    (r"\bRED-?S\b|\bREDs\b", "low energy for the training you do"),
    (r"\bPFMT\b", "pelvic floor exercises"),
    (r"\blumbopelvic control\b", "control of your lower back and pelvis"),
    (r"\bPOP-Q\b", "prolapse examination"),
    (r"\bLEAF-Q\b", "energy questionnaire"),
    (r"\bCAT2\b", "energy check"),
    (r"\bUTIs?\b", "urine infection"),
    (r"\bhaematuria\b", "blood in the urine"),
    (r"\bamenorrhoea\b", "absent periods"),
    (r"\bdyspareunia\b", "pain with sex"),
    (r"\bIUS\b", "hormonal coil"),
    (r"\bIUD\b", "coil"),
)
"""Jargon that may slip into a patient sentence, and the everyday words that replace it."""

REFERENCE_ID = re.compile(r"^(?:B|PP|U|P|F|R|G)\d+$")
"""Rule ids of the clinical reference, which pages print; every other code stays in the rulebook."""



_TAGS = re.compile(r"\s*\[(?:S2?|M|R)\b[^\]]*\]")


def clinical(text: str) -> str:
    """A clinician sentence without the reference's evidence tags (they belong in the rulebook)."""
    return _TAGS.sub("", text).replace(" )", ")")


def plain(text: str) -> str:
    """A patient sentence in everyday words: jargon replaced, no rule ids left."""
    for pattern, words in PLAIN_WORDS:
        text = re.sub(pattern, words, text)
    return text


# --------------------------------------------------------------------------- the composition


@dataclass(frozen=True)
class Finding:
    """One rule that fired, once, as both readers see it."""

    rule_id: str
    title: str
    tier: str
    domain: str
    red_flag: bool
    clinician: str
    action: str
    patient: str
    references: tuple[Reference, ...]

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def code(self) -> str:
        """The id a page may print: the clinical reference's rule ids (B4, PP5, G2 ...); internal codes
        (seed statements, symptom rules) print nothing (clinical-policy section 7)."""
        return self.rule_id if REFERENCE_ID.match(self.rule_id) else ""


@dataclass(frozen=True)
class DomainView:
    domain: str
    label: str
    tier: str
    findings: tuple[Finding, ...]          # rules that are not red flags, most urgent first
    red_flags: tuple[Finding, ...] = ()    # red flags of this domain (printed in the red-flag section)


@dataclass(frozen=True)
class Advice:
    id: str
    title: str
    clinician: str
    patient: str
    references: tuple[Reference, ...]
    self_management: bool


@dataclass(frozen=True)
class GateView:
    id: str
    title: str
    status: str
    status_label: str
    why: str


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[str, ...]
    kind: str = "found"   # urgent | now | safety | found | self_care (how a page styles it; not part of the words)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "items": list(self.items)}


@dataclass(frozen=True)
class Summary:
    tier: str
    red_flags: tuple[Finding, ...]
    domains: tuple[DomainView, ...]
    plan: tuple[Advice, ...]                       # clinician: every recommendation that applies
    patient_plan: tuple[Advice, ...]               # patient: referral and safety steps
    patient_self_care: tuple[Advice, ...]          # patient: things she does herself
    self_care_title: str
    cat2_heading: str | None
    cat2_lines: tuple[str, ...]
    gates: tuple[GateView, ...]
    rtr_outcome: str | None
    thresholds: tuple[Threshold, ...]
    gp_letter: str | None
    next_step: str
    patient_found: tuple[Section, ...]
    patient_urgent: tuple[str, ...]                # the patient's red-flag sentences, most urgent first
    safety_net: tuple[str, ...]
    contact: str
    withheld: tuple[str, ...] = field(default=())  # rule and advice ids kept from the patient (for tests)
    rtr_tests: tuple[Any, ...] = ()                # the return-to-run tests, test by test (GoomTestResult)

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def patient_what_now(self) -> str:
        return TIER_PATIENT[self.tier]

    @property
    def benign_note(self) -> str:
        """The clinician's label for what was kept from the patient."""
        return BENIGN_NOTE.strip(" ()")

    @property
    def references(self) -> tuple[Reference, ...]:
        seen: list[Reference] = []
        for f in (*self.red_flags, *(x for d in self.domains for x in d.findings)):
            seen.extend(r for r in f.references if r not in seen)
        for a in self.plan:
            seen.extend(r for r in a.references if r not in seen)
        return tuple(seen)

    # ---- the words, as sections (what `python -m assessments summary` prints)
    def clinician_sections(self) -> tuple[Section, ...]:
        out = []
        if self.red_flags:
            out.append(Section(f"Red flags ({len(self.red_flags)})", tuple(
                f"{f.title} ({f.code + ', ' if f.code else ''}{f.tier} {f.tier_label}): {f.clinician} "
                f"What to do: {f.action}"
                for f in self.red_flags)))
        out.append(Section(f"Overall tier: {self.tier} {self.tier_label}", tuple(
            f"{d.label}: {d.tier} {TIER_LABELS[d.tier]}" for d in self.domains)))
        for d in self.domains:
            items = [f"Red flag above: {f.title}" for f in d.red_flags]
            gate_ids = {g.id for g in self.gates}
            items += [f"{f.title}: see the return-to-running gates below" if f.rule_id in gate_ids else
                      f"{f.code or f.title}: {f.clinician}" + (BENIGN_NOTE if f.rule_id in self.withheld else "")
                      for f in d.findings]
            out.append(Section(f"{d.label}: {d.tier} {TIER_LABELS[d.tier]}", tuple(items)))
        if self.cat2_heading:
            out.append(Section(self.cat2_heading, self.cat2_lines))
        if self.gates:
            out.append(Section("Return to running", (self.rtr_outcome or "",) + tuple(
                f"{g.id} {g.title}: {g.status_label}" + (f". {g.why}" if g.why else "") for g in self.gates)))
        if self.plan:
            out.append(Section("Recommendations and plan", tuple(
                f"{a.title}. {a.clinician}" + (BENIGN_NOTE if a.id in self.withheld else "") for a in self.plan)))
        out.append(Section("Next step", (self.next_step,)))
        if self.gp_letter:
            out.append(Section("Letter to the GP", (self.gp_letter,)))
        out.append(Section("Thresholds in force", tuple(f"{t.label}: {t.text}" for t in self.thresholds)))
        refs = self.references
        if refs:
            out.append(Section("References", tuple(str(r) for r in refs)))
        return tuple(out)

    def patient_sections(self) -> tuple[Section, ...]:
        now = [self.patient_what_now] + [f"{a.title}. {a.patient}" for a in self.patient_plan]
        out = []
        if self.patient_urgent:
            # red flags first: the patient reads what to do about them before anything else
            out.append(Section("Act on this first", self.patient_urgent, "urgent"))
        out.append(Section("What to do now", tuple(now), "now"))
        out.append(Section("When to get help urgently", (*self.safety_net, self.contact), "safety"))
        out.extend(self.patient_found)
        if self.patient_self_care:
            out.append(Section(self.self_care_title, tuple(f"{a.title}. {a.patient}"
                                                           for a in self.patient_self_care), "self_care"))
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "red_flags": [f.rule_id for f in self.red_flags],
                "clinician": [s.to_dict() for s in self.clinician_sections()],
                "patient": [s.to_dict() for s in self.patient_sections()]}


# --------------------------------------------------------------------------- building it


def _merge(rules: Iterable[FiredRule]) -> list[Finding]:
    """Each rule id once: a rule that fired twice keeps its most urgent variant and both sentences."""
    by_id: dict[str, list[FiredRule]] = {}
    for r in rules:
        by_id.setdefault(r.id, []).append(r)
    out = []
    for rid, fired in by_id.items():
        fired.sort(key=lambda r: -rank(r.tier))
        top = fired[0]
        clinician = " ".join(dict.fromkeys(r.clinician.strip() for r in fired if r.clinician))
        patient = " ".join(dict.fromkeys(r.patient.strip() for r in fired if r.patient))
        action = "; ".join(dict.fromkeys(r.action.strip().rstrip(".") for r in fired if r.action))
        refs = tuple(dict.fromkeys(ref for r in fired for ref in reader(r.citation)))
        out.append(Finding(rid, top.title or rid, top.tier, top.domain, any(r.red_flag for r in fired),
                           clinical(clinician), clinical(action + ("." if action else "")), plain(patient), refs))
    out.sort(key=lambda f: (-rank(f.tier), not f.red_flag))
    return out


@dataclass(frozen=True)
class Situation:
    """What the composition needs to know about the person, beyond the fired rules."""

    complaints: frozenset[str]
    runs: bool
    bleeding: bool
    has_periods: bool
    pain: bool
    postnatal: bool
    bladder: bool
    bowel: bool
    prolapse: bool
    energy: bool

    @classmethod
    def of(cls, facts: Facts, complaints: Iterable[str] = ()) -> Situation:
        c = frozenset(complaints)
        no_periods = (facts.postmenopausal or facts.is_("intake-bleeding", "heavy_periods", "no_periods")
                      or facts.is_("intake-bleeding", "timing", "no_periods") or facts.pregnant)
        return cls(
            complaints=c, runs=facts.running,
            bleeding=facts.bleeding_source is not None,
            has_periods=not no_periods, pain=facts.has_pain or "pelvic_pain" in c,
            postnatal=facts.postnatal and (facts.weeks_since_birth or 0) <= 52,
            bladder=facts.leakage or facts.urinary_urgency or bool(facts.voiding_difficulty) or "incontinence" in c,
            bowel=bool(facts.bowel_leakage) or facts.rectal_blood or bool(facts.obstructed_defecation),
            prolapse=facts.prolapse_symptoms or "prolapse" in c,
            energy="energy" in c or facts.has("reds-cat2") or facts.has("leaf-q"),
        )


def _safety_net(s: Situation, tier: str, bleeding_advice: bool) -> list[str]:
    lines = []
    if s.bleeding or s.postnatal:
        lines.append("Call 999 or go to an emergency department now if you have heavy bleeding (soaking a pad or "
                     "more an hour), bleeding with dizziness or fainting, or sudden severe pain in your tummy.")
    if s.bleeding and rank(tier) < rank("T4") and not bleeding_advice:
        lines.append("See your GP within a few days if the bleeding gets heavier, happens after every run, or comes "
                     "with a fever, an unusual smell or discharge.")
    if s.postnatal:
        lines.append("Contact your midwife, health visitor or GP the same day if you pass large clots, have a fever, "
                     "a smelly discharge or feel unwell.")
    if s.pain:
        if not (s.bleeding or s.postnatal):
            lines.append("Call 999 or go to an emergency department now if you have sudden severe pain in your "
                         "tummy or pelvis, or pain with fainting or vomiting.")
        lines.append("Call 999 or go to an emergency department now if you notice numbness around your bottom or "
                     "genitals together with new problems passing urine or controlling your bladder or bowel.")
    if s.bladder:
        lines.append("See your GP soon if you see blood in your urine, have burning when you pass urine or a fever. "
                     "If you cannot pass urine at all, get help the same day.")
    if s.bowel:
        lines.append("See your GP if you notice blood from your back passage or your bowel habit changes for more "
                     "than a few weeks.")
    if s.prolapse:
        lines.append("See your GP if a bulge stays outside and will not go back, or becomes sore or bleeds.")
    if s.energy:
        lines.append("Get medical help the same day if you faint, feel your heart racing or missing beats, or feel "
                     "very unwell. If worries about food or weight become overwhelming, talk to your GP soon.")
    return lines


def _gates(result: TriageResult, findings: Sequence[Finding]) -> tuple[tuple[GateView, ...], str | None]:
    rtr = result.return_to_run
    if not rtr.applicable:
        return (), None
    fired = {f.rule_id: f for f in findings}
    gates = []
    for g in rtr.gates:
        status = g.status if g.status in GATE_STATUSES else ("pass" if g.status == "clear" else "not_assessed")
        why = fired[g.id].clinician if g.id in fired else "; ".join(g.reasons)
        if g.status == "clear":
            why = why or "Nothing that needs the plan changed."
        gates.append(GateView(g.id, g.name, status, GATE_STATUSES[status], why))
    open_gates = [g for g in gates if g.status in ("fail", "not_assessed")]
    changes = [g for g in gates if g.status == "modify"]
    if rtr.ready and not open_gates:
        outcome = "Ready to begin a graded walk-run return"
        if changes:
            outcome += ", with the plan changed for: " + "; ".join(_lower_first(g.title) for g in changes)
    else:
        outcome = "Not yet ready to run: " + "; ".join(
            f"{_lower_first(g.title)} ({g.status_label.lower()})" for g in open_gates + changes)
    return tuple(gates), outcome + "."


def _cat2(result: TriageResult) -> tuple[str | None, tuple[str, ...]]:
    c = result.cat2
    if not c.assessed or c.light not in CAT2_LIGHT_LABELS:
        return None, ()
    light = CAT2_LIGHT_LABELS[c.light]
    heading = f"Energy availability (REDs CAT2, provisional): {light}"
    if c.override:
        heading += ", overridden by a serious medical indicator"
    lines = [f"{c.primary_count} primary, {c.secondary_count} secondary indicator"
             f"{'s' if c.secondary_count != 1 else ''}."]
    lines += [f"Primary: {i.label}" for i in c.primary] + [f"Secondary: {i.label}" for i in c.secondary]
    if c.recommendation:
        lines.append(c.recommendation)
    lines += list(c.notes)
    lines.append(c.caveat)
    return heading, tuple(lines)


def _sentence_join(parts: Sequence[str]) -> str:
    parts = [p.strip().rstrip(".;") for p in parts if p and p.strip()]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return "; ".join(parts[:-1]) + "; and " + parts[-1]


def _lower_first(title: str) -> str:
    if len(title) > 1 and title[1].isupper():   # an acronym stays as written ("CAT2 red")
        return title
    return title[:1].lower() + title[1:]


def _gp_letter(findings: Sequence[Finding], patient: Mapping[str, str]) -> str | None:
    high = [f for f in findings if rank(f.tier) >= rank("T2b")]
    if not high:
        return None
    found = _sentence_join([_lower_first(f.title) for f in high])
    actions = _sentence_join(list(dict.fromkeys(f.action for f in high if f.action)))
    who = patient.get("name", "this patient")
    born = patient.get("born")
    seen = patient.get("seen")
    opening = f"Dear colleague, I assessed {who}" + (f" (born {born})" if born else "") + (
        f" on {seen}" if seen else "") + "."
    return (f"{opening} The structured assessment found: {found}. I would be grateful for your review: "
            f"{actions or 'as you judge appropriate'}. The full report, with the reference for every finding, "
            "is attached.")


def compose(result: TriageResult, intake: Mapping[str, Any] | None = None, *,
            complaints: Iterable[str] = (), clinic_phone: str = "",
            letter: Mapping[str, str] | None = None) -> Summary:
    """What the clinician and the patient are told, from the whole result and its context.

    ``intake`` is the intake that was triaged (``{"context": ..., "answers": ...}``); ``complaints``
    the episode's complaint codes; ``clinic_phone`` the number printed in "contact us";
    ``letter`` optional ``name``/``born``/``seen`` strings for the GP letter paragraph.
    """
    facts = Facts(intake or {}, result.config or DEFAULT)
    situation = Situation.of(facts, complaints)
    findings = _merge(result.rules)
    red_flags = tuple(f for f in findings if f.red_flag)

    domains = []
    for domain, tier in result.domains.items():
        if tier == "T0":
            continue
        mine = [f for f in findings if f.domain == domain]
        domains.append(DomainView(domain, DOMAIN_LABELS.get(domain, domain), tier,
                                  tuple(f for f in mine if not f.red_flag), tuple(f for f in mine if f.red_flag)))
    domains.sort(key=lambda d: -rank(d.tier))
    serious_domains = {d.domain for d in domains if rank(d.tier) >= rank("T3")}

    # benign explanations withheld from the patient (policy section 6)
    withheld_rules = {f.rule_id for f in findings
                      if f.rule_id in BENIGN_RULES and f.domain in serious_domains and rank(f.tier) < rank("T3")}

    plan, patient_plan, self_care, withheld = [], [], [], set(withheld_rules)
    net_advice: list[str] = []
    for rec in result.recommendations:
        if rec.id in RUNNING_ADVICE and not situation.runs:
            continue                      # advice about running is for people who run
        if rec.id in CYCLE_ADVICE and not situation.has_periods:
            continue
        advice = Advice(rec.id, rec.title, clinical(rec.clinician), plain(rec.patient), reader(rec.citation),
                        rec.category in SELF_MANAGED)
        plan.append(advice)
        rule_causes = [b for b in rec.because if b in {f.rule_id for f in findings}]
        only_benign = bool(rule_causes) and all(b in withheld_rules for b in rule_causes)
        benign_domain = ADVICE_DOMAIN.get(rec.id)
        if only_benign or (rec.id in BENIGN_ADVICE and (benign_domain in serious_domains or (
                benign_domain == "general" and serious_domains))):
            withheld.add(rec.id)
            continue
        if rec.id in SAFETY_NET_ADVICE:
            net_advice.append(advice.patient)
            continue
        (self_care if advice.self_management else patient_plan).append(advice)

    serious = rank(result.tier) >= rank("T3")
    found = []
    for d in domains:
        texts = [f.patient for f in d.findings if f.rule_id not in withheld_rules and f.patient]
        texts = list(dict.fromkeys(texts))
        if texts:
            found.append(Section(DOMAIN_PATIENT.get(d.domain, d.label), tuple(texts)))

    urgent = tuple(dict.fromkeys(f.patient for f in red_flags if f.patient))
    contact = ("Contact us" + (f" on {clinic_phone}" if clinic_phone else "")
               + " if anything worries you. You do not need to wait for your next appointment.")
    gates, outcome = _gates(result, findings)
    cat2_heading, cat2_lines = _cat2(result)
    return Summary(
        tier=result.tier, red_flags=red_flags, domains=tuple(domains), plan=tuple(plan),
        patient_plan=tuple(patient_plan), patient_self_care=tuple(self_care),
        self_care_title="While you wait to be seen" if serious else "Your self-management plan",
        cat2_heading=cat2_heading, cat2_lines=cat2_lines, gates=gates, rtr_outcome=outcome,
        thresholds=result.thresholds, gp_letter=_gp_letter(findings, letter or {}),
        next_step=TIER_NEXT_STEP[result.tier], patient_found=tuple(found), patient_urgent=urgent,
        safety_net=tuple(dict.fromkeys([*net_advice, *_safety_net(situation, result.tier, bool(net_advice))])),
        contact=contact, withheld=tuple(sorted(withheld)),
        rtr_tests=result.return_to_run.tests if gates else (),
    )
