"""Postnatal return-to-running readiness: gates G0-G5 (clinical reference section 3.1.6).

=====  ==================  ======================================================================
Gate   Input               Rule
=====  ==================  ======================================================================
G0     medical screen      any GAQ-PP-style item or red flag -> medical clearance first
G1     weeks since birth   below the configured minimum (Goom 2019: 12; Delphi 2024: 3) -> not yet
G2     symptoms            any Goom referral-list item -> pelvic health physiotherapy, running on hold
G3     7 load tests        every test at or above target on each side, symptom-free
G4     4 strength tests    20 repetitions per side on each, symptom-free
G5     modifiers           breastfeeding, sleep, fatigue, mood, BMI, DRA, REDs, buggy -> modify plan
=====  ==================  ======================================================================

Ready to start a graded walk-run programme when G0-G4 pass.  The targets are the derivative
checklists' reading of Goom 2019 ([S2] + [M]; the primary PDF was not readable) and can be
overridden per test with ``Config.rtr_targets``.  Postnatal rules apply at any time after birth
(seed RR-09); the gates are reported whenever a woman who has given birth runs or plans to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .config import Config
from .facts import BB, CTX, POP, RTR, Facts
from .rules import sources as src

CHRISTOPHER_SLEEP_HOURS = 6.8   # Christopher 2021: average sleep < 6.8 h/night predicts running-related pain [S]


@dataclass(frozen=True)
class GoomTest:
    id: str
    name: str
    kind: str       # "load" (G3) or "strength" (G4)
    unit: str
    per_side: bool
    target: float


TESTS = (
    GoomTest("walk", "Walking", "load", "minutes", False, 30),
    GoomTest("balance", "Single-leg balance", "load", "seconds", True, 10),
    GoomTest("squat", "Single-leg squat", "load", "repetitions", True, 10),
    GoomTest("jog", "Jog on the spot", "load", "seconds", False, 60),
    GoomTest("bounds", "Forward bounds", "load", "repetitions", False, 10),
    GoomTest("hop", "Single-leg hop in place", "load", "repetitions", True, 10),
    GoomTest("running_man", "Single-leg 'running man'", "load", "repetitions", True, 10),
    GoomTest("calf_raise", "Single-leg calf raise", "strength", "repetitions", True, 20),
    GoomTest("bridge", "Single-leg bridge", "strength", "repetitions", True, 20),
    GoomTest("sit_to_stand", "Single-leg sit to stand", "strength", "repetitions", True, 20),
    GoomTest("abduction", "Side-lying hip abduction", "strength", "repetitions", True, 20),
)
TEST_IDS = tuple(t.id for t in TESTS)
TARGETS_CITATION = src.GOOM_TARGETS

REFERRAL_ITEMS = {
    "incontinence": "urinary and/or faecal incontinence",
    "urgency": "urinary and/or faecal urgency that is difficult to defer",
    "heaviness": "heaviness / pressure / bulge / dragging",
    "dyspareunia": "pain with intercourse",
    "obstructed": "obstructive defecation",
    "abdominal": "pendular abdomen, separated abdominal muscles or decreased abdominal strength",
    "lumbopelvic": "musculoskeletal lumbopelvic pain",
    "bleeding": "ongoing or increased vaginal bleeding beyond 8 weeks postnatal, not linked to the cycle",
}


def targets(config: Config) -> dict[str, float]:
    """Per-test targets with the configuration's overrides applied (unknown test ids are an error)."""
    out = {t.id: t.target for t in TESTS}
    for key, value in config.rtr_targets:
        if key not in out:
            raise ValueError(f"rtr_targets: unknown test {key!r} (known: {', '.join(TEST_IDS)})")
        out[key] = value
    return out


@dataclass(frozen=True)
class GoomTestResult:
    id: str
    name: str
    kind: str
    unit: str
    per_side: bool
    target: float
    status: str                      # pass / fail / not_done / incomplete
    left: float | None = None
    right: float | None = None
    value: float | None = None
    symptoms: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "unit": self.unit, "per_side": self.per_side,
                "target": self.target, "left": self.left, "right": self.right, "value": self.value,
                "symptoms": list(self.symptoms), "status": self.status, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GoomTestResult:
        return cls(id=d["id"], name=d.get("name", d["id"]), kind=d.get("kind", "load"), unit=d.get("unit", ""),
                   per_side=bool(d.get("per_side")), target=d.get("target", 0), status=d.get("status", "not_done"),
                   left=d.get("left"), right=d.get("right"), value=d.get("value"),
                   symptoms=tuple(d.get("symptoms") or ()), reasons=tuple(d.get("reasons") or ()))


@dataclass(frozen=True)
class Gate:
    id: str
    name: str
    status: str                      # pass / fail / not_assessed / modify / clear
    reasons: tuple[str, ...] = ()
    citation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "status": self.status, "reasons": list(self.reasons),
                "citation": self.citation}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Gate:
        return cls(id=d["id"], name=d.get("name", d["id"]), status=d.get("status", "not_assessed"),
                   reasons=tuple(d.get("reasons") or ()), citation=d.get("citation", ""))


@dataclass(frozen=True)
class ReturnToRunResult:
    applicable: bool
    reason: str
    guideline: str
    min_weeks: int
    guideline_citation: str
    weeks_since_birth: float | None = None
    gates: tuple[Gate, ...] = ()
    tests: tuple[GoomTestResult, ...] = ()
    ready: bool = False
    outcome: str = ""
    targets_citation: str = TARGETS_CITATION

    def gate(self, gate_id: str) -> Gate:
        for g in self.gates:
            if g.id == gate_id:
                return g
        raise KeyError(gate_id)

    def to_dict(self) -> dict[str, Any]:
        return {"applicable": self.applicable, "reason": self.reason, "guideline": self.guideline,
                "min_weeks": self.min_weeks, "guideline_citation": self.guideline_citation,
                "weeks_since_birth": self.weeks_since_birth, "ready": self.ready, "outcome": self.outcome,
                "gates": [g.to_dict() for g in self.gates], "tests": [t.to_dict() for t in self.tests],
                "targets_citation": self.targets_citation}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> ReturnToRunResult:
        d = d or {}
        return cls(applicable=bool(d.get("applicable")), reason=d.get("reason", ""), guideline=d.get("guideline", ""),
                   min_weeks=d.get("min_weeks", 0), guideline_citation=d.get("guideline_citation", ""),
                   weeks_since_birth=d.get("weeks_since_birth"),
                   gates=tuple(Gate.from_dict(g) for g in d.get("gates") or ()),
                   tests=tuple(GoomTestResult.from_dict(t) for t in d.get("tests") or ()),
                   ready=bool(d.get("ready")), outcome=d.get("outcome", ""),
                   targets_citation=d.get("targets_citation", TARGETS_CITATION))


# --------------------------------------------------------------------------- pieces used by rules G0-G5

def applicable(f: Facts) -> bool:
    return f.postnatal and (f.running or f.has(RTR))


def evaluate_tests(f: Facts) -> tuple[GoomTestResult, ...]:
    if "rtr_tests" in f.memo:
        return f.memo["rtr_tests"]
    goal = targets(f.config)
    out = []
    for spec in TESTS:
        target = goal[spec.id]
        symptoms = tuple(f.picked(RTR, f"{spec.id}_symptoms"))
        reasons: list[str] = []
        left = right = value = None
        if spec.per_side:
            left, right = f.num(RTR, f"{spec.id}_left"), f.num(RTR, f"{spec.id}_right")
            done = [x for x in (left, right) if x is not None]
            if not done:
                status = "not_done"
            else:
                for side, got in (("left", left), ("right", right)):
                    if got is not None and got < target:
                        reasons.append(f"{side} {got:g} < {target:g} {spec.unit}")
                status = "fail" if reasons else ("pass" if len(done) == 2 else "incomplete")
                if status == "incomplete":
                    reasons.append("only one side tested")
        else:
            value = f.num(RTR, spec.id)
            if value is None:
                status = "not_done"
            elif value < target:
                status, reasons = "fail", [f"{value:g} < {target:g} {spec.unit}"]
            else:
                status = "pass"
        if symptoms and status != "not_done":
            status = "fail"
            reasons.append("symptoms during the test: " + ", ".join(symptoms))
        out.append(GoomTestResult(spec.id, spec.name, spec.kind, spec.unit, spec.per_side, target, status,
                              left, right, value, symptoms, tuple(reasons)))
    result = tuple(out)
    f.memo["rtr_tests"] = result
    return result


def referral_symptoms(f: Facts) -> list[str]:
    """Goom referral-list items present in the intakes or recorded at the exam (reference 3.1.4)."""
    found = set(f.picked(RTR, "referral"))
    if f.leakage or f.bowel_leakage:
        found.add("incontinence")
    if f.urinary_urgency or f.yes(BB, "bowel_urgency"):
        found.add("urgency")
    if f.prolapse_symptoms or any((f.num("pop-ss", i) or 0) > 0 for i in "1234567"):
        found.add("heaviness")
    if f.dyspareunia:
        found.add("dyspareunia")
    if f.obstructed_defecation:
        found.add("obstructed")
    if f.picked(RTR, "abdominal"):
        found.add("abdominal")
    if f.has_pain:
        found.add("lumbopelvic")
    weeks = f.weeks_since_birth
    if (f.vaginal_bleeding and weeks is not None and weeks >= 8 and not f.vb("since_birth", "periods", "not_recent")):
        found.add("bleeding")
    return [k for k in REFERRAL_ITEMS if k in found]


def modifiers(f: Facts) -> list[str]:
    """G5 considerations (reference 3.1.5 [S2/M]; Christopher 2021 [S]; Delphi 2024 [S])."""
    found = []
    labels = {"breastfeeding": "breastfeeding", "pre_pfd": "pre-pregnancy pelvic floor dysfunction or low back pain",
              "caesarean": "caesarean birth", "perineal": "perineal trauma / OASI", "bmi30": "BMI 30 or more [M]",
              "psychological": "psychological concerns", "sleep": "sleep deprivation or fatigue",
              "control": "poor strength or lumbopelvic control", "reds": "RED-S / low energy availability",
              "buggy": "plans to run with a buggy"}
    picked = set(f.picked(RTR, "modifiers"))
    if f.breastfeeding:
        picked.add("breastfeeding")
    if f.is_(CTX, "delivery", "caesarean_planned", "caesarean_emergency"):
        picked.add("caesarean")
    if f.is_(CTX, "perineal_trauma", "oasi"):
        picked.add("perineal")
    if f.is_(CTX, "mental_health", "depression", "anxiety"):
        picked.add("psychological")
    sleep = f.num(CTX, "sleep_hours")
    if (sleep is not None and sleep < CHRISTOPHER_SLEEP_HOURS) or f.is_(CTX, "fatigue", "more_tired", "exhausted"):
        picked.add("sleep")
    if f.yes(CTX, "skip_meals") or f.is_(CTX, "mental_health", "eating_disorder"):
        picked.add("reds")
    height, weight = f.num(CTX, "height_cm"), f.num(CTX, "weight_kg")
    if height and weight and weight / (height / 100) ** 2 >= 30:
        picked.add("bmi30")
    if "separation" in f.picked(RTR, "abdominal"):
        picked.add("control")
    for key, label in labels.items():
        if key in picked:
            found.append(label)
    if f.is_(CTX, "running_status", "new"):
        found.append("novice runner (Christopher 2021)")
    return found


def assess(f: Facts, red_flags: Iterable[str] = ()) -> ReturnToRunResult:
    """The gate report; ``red_flags`` are the ids of red-flag rules that fired (they fail G0)."""
    cfg = f.config
    base = {"guideline": cfg.postnatal_guideline, "min_weeks": cfg.postnatal_min_weeks,
            "guideline_citation": cfg.postnatal_source}
    if not applicable(f):
        reason = ("Not postnatal." if not f.postnatal
                  else "Postnatal, but not running or planning to run, and no return-to-run assessment recorded.")
        return ReturnToRunResult(applicable=False, reason=reason, **base)
    weeks = f.weeks_since_birth
    gates = []

    medical = list(dict.fromkeys(f.picked(RTR, "medical") + f.picked(CTX, "postnatal_screen")))
    reasons = [f"screen: {m}" for m in medical] + [f"red flag {r}" for r in red_flags]
    if f.is_(CTX, "fatigue", "exhausted") and f.postnatal:
        reasons.append("excessive fatigue not relieved by rest")
    if reasons:
        g0 = "fail"
    elif f.v(RTR, "medical") is not None or f.v(CTX, "postnatal_screen") is not None:
        g0 = "pass"
    else:
        g0, reasons = "not_assessed", ["GAQ-PP-style medical screen not recorded; no red flags in the intake"]
    gates.append(Gate("G0", "Medical screen", g0, tuple(reasons), src.GAQ_PP + "; red flags, reference section 4"))

    if weeks is None:
        gates.append(Gate("G1", "Time since birth", "not_assessed", ("weeks since birth not given",),
                          cfg.postnatal_source))
    elif weeks < cfg.postnatal_min_weeks:
        gates.append(Gate("G1", "Time since birth", "fail",
                          (f"{weeks:g} weeks < {cfg.postnatal_min_weeks} ({cfg.postnatal_guideline})",),
                          cfg.postnatal_source))
    else:
        gates.append(Gate("G1", "Time since birth", "pass",
                          (f"{weeks:g} weeks >= {cfg.postnatal_min_weeks} ({cfg.postnatal_guideline})",),
                          cfg.postnatal_source))

    symptoms = referral_symptoms(f)
    informed = any(f.has(x) for x in (BB, POP, "intake-pelvic-pain", "iciq-ui-sf", "pop-ss", "pfdi-20")) \
        or f.v(RTR, "referral") is not None
    g2 = "fail" if symptoms else ("pass" if informed else "not_assessed")
    gates.append(Gate("G2", "Pelvic floor and abdominal wall symptoms", g2,
                      tuple(REFERRAL_ITEMS[s] for s in symptoms) or (("none reported",) if informed else
                                                                     ("no symptom questionnaires completed",)),
                      src.GOOM_LIST))

    tests = evaluate_tests(f)
    for gate_id, kind, name in (("G3", "load", "Load and impact tests"), ("G4", "strength", "Strength tests")):
        group = [t for t in tests if t.kind == kind]
        failed = [t for t in group if t.status == "fail"]
        open_ = [t for t in group if t.status in ("not_done", "incomplete")]
        if failed:
            status = "fail"
            reasons = tuple(f"{t.name}: {'; '.join(t.reasons)}" for t in failed)
        elif open_:
            status = "not_assessed"
            reasons = tuple(f"{t.name}: {t.status.replace('_', ' ')}" for t in open_)
        else:
            status, reasons = "pass", ("all tests at target on each side, symptom-free",)
        gates.append(Gate(gate_id, name, status, reasons, TARGETS_CITATION))

    mods = modifiers(f)
    gates.append(Gate("G5", "Modifiers", "modify" if mods else "clear", tuple(mods),
                      "Goom 2019 recommendation 4 / reference 3.1.5 [S2/M]; " + src.CHRISTOPHER_2021 + "; "
                      + src.DELPHI_2024))
    ready = all(g.status == "pass" for g in gates if g.id in ("G0", "G1", "G2", "G3", "G4"))
    if ready:
        outcome = ("Ready to start a graded walk-run programme" + (" with the plan modified for: " + ", ".join(mods)
                                                                   if mods else "")
                   + "; stop and re-assess if any symptom appears (Goom recommendation 2).")
    else:
        blocking = [g for g in gates if g.id != "G5" and g.status != "pass"]
        outcome = "Not yet ready to run: " + "; ".join(f"{g.id} {g.name.lower()} {g.status.replace('_', ' ')}"
                                                        for g in blocking) + "."
    return ReturnToRunResult(applicable=True, reason="Postnatal and running or planning to run (any time since "
                             "birth, seed RR-09).", weeks_since_birth=weeks, gates=tuple(gates), tests=tests,
                             ready=ready, outcome=outcome, **base)
