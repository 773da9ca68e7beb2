"""Self-management and treatment recommendations chosen from the fired rules.

Each recommendation has a stable id, a clinician sentence, a plain-language sentence and a
citation.  Doses are the sourced ones: supervised PFMT of at least 8 contractions three times a
day for at least 3 months (NICE QS77), bladder training for at least ``Config.bladder_training_weeks``
weeks, prolapse PFMT for at least 16 weeks (NICE NG123 1.7.5).  A T5 result keeps only the safety
recommendations (reference section 6.2: "suppress all exercise advice"), and a suspected bone
stress injury (PP6) removes advice that keeps the patient running.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .cat2 import Cat2Result
from .facts import BB, CAT2, CTX, Facts
from .return_to_run import ReturnToRunResult
from .rules import sources as src
from .rules.base import FiredRule

CATEGORIES = ("safety", "referral", "exercise", "self_management", "education")


@dataclass(frozen=True)
class Recommendation:
    id: str
    title: str
    category: str
    clinician: str
    patient: str
    citation: str
    keeps_running: bool = False   # advice that assumes the patient keeps (or starts) running
    because: tuple[str, ...] = ()

    @property
    def exercise(self) -> bool:
        return self.category == "exercise"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "category": self.category, "exercise": self.exercise,
                "clinician": self.clinician, "patient": self.patient, "citation": self.citation,
                "keeps_running": self.keeps_running, "because": list(self.because)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recommendation:
        return cls(id=data["id"], title=data.get("title", ""), category=data.get("category", "education"),
                   clinician=data.get("clinician", ""), patient=data.get("patient", ""),
                   citation=data.get("citation", ""), keeps_running=bool(data.get("keeps_running", False)),
                   because=tuple(data.get("because") or ()))


def _r(rid: str, title: str, category: str, clinician: str, patient: str, citation: str,
       keeps_running: bool = False) -> Recommendation:
    if category not in CATEGORIES:
        raise ValueError(category)
    return Recommendation(rid, title, category, clinician, patient, citation, keeps_running)


CATALOGUE: dict[str, Recommendation] = {r.id: r for r in (
    _r("REC-URGENT-CARE", "Seek emergency care now", "safety",
       "T5: emergency / same-day care first; all exercise advice is withheld until the patient has been seen.",
       "Please get the urgent help described above now. Exercise advice can wait until you have been seen.",
       "Clinical reference section 6.2 (T5 output: suppress all exercise advice) [R]"),
    _r("REC-STOP-RUNNING", "Stop running until imaging", "safety",
       "Suspected high-risk bone stress injury: no running or impact until imaging and sports medicine review.",
       "Please stop running and jumping until a doctor has checked the possible bone stress injury. Walking for "
       "daily life is fine if it doesn't hurt.", src.BSI),
    _r("REC-PFMT", "Supervised pelvic floor muscle training", "exercise",
       "Supervised PFMT for stress or mixed UI: at least 8 contractions 3 times a day for at least 3 months; confirm "
       "a correct contraction first (digital assessment, NICE NG123); continue if it helps.",
       "Pelvic floor exercises work best with a physiotherapist's guidance: at least 8 squeezes, 3 times a day, for "
       "at least 3 months. An app such as the NHS 'Squeezy' app can remind you.",
       src.QS77 + "; NHS Squeezy app (tmmagazine) [S2]"),
    _r("REC-PF-RELAX", "Check for an overactive pelvic floor before strengthening", "exercise",
       "Pelvic pain present: assess relaxation as well as strength (ICS: overactive / non-relaxing PFM); down-training "
       "and relaxation before strengthening if overactive; manual therapy and biofeedback as indicated.",
       "With pelvic pain, the pelvic floor muscles are often too tense rather than weak, so learning to relax them "
       "may come before strengthening. Your physiotherapist will check which you need.",
       src.SEED_001 + " (PP-02, PP-13); clinical reference 2.14 (down-training first when overactive) [M]"),
    _r("REC-BLADDER-TRAINING", "Bladder training", "self_management",
       "Bladder training for urgency or mixed UI for at least {weeks} weeks, with a 3-day bladder diary "
       "(common practice; expert opinion); combine with PFMT for mixed UI.",
       "Bladder training gently stretches the time between toilet visits so urgency settles. It takes at least "
       "{weeks} weeks; a bladder diary helps you see progress.",
       "NICE urinary incontinence guidance via tmmagazine (supervised bladder training first line) [S2]; duration "
       "'typically >= 6 weeks' (iatrox NG123 summary) [S2; M]; Config.bladder_training_weeks"),
    _r("REC-BLADDER-HABITS", "Fluids, caffeine and bladder habits", "education",
       "Education: adequate fluids, reduce caffeine, avoid 'just in case' voiding, treat constipation.",
       "Drink normally through the day, cut back on caffeine and fizzy drinks, and try not to go 'just in case'. "
       "Keeping your bowels regular helps the bladder too.",
       "Clinical reference 6.2 T1 education [R]; iatrox NICE NG123 summary (caffeine moderation, fluids) [S2]"),
    _r("REC-POP-PFMT", "Pelvic floor training for prolapse symptoms", "exercise",
       "Supervised PFMT for at least 16 weeks for symptomatic prolapse (NICE NG123 1.7.5); review impact activities "
       "meanwhile.",
       "Pelvic floor training with a physiotherapist, for about 4 months or more, often eases heaviness and bulging.",
       src.NG123_POP),
    _r("REC-POP-LIFESTYLE", "Lifestyle for prolapse", "self_management",
       "NICE NG123 1.7.2: weight loss if BMI > 30, minimise heavy lifting, prevent and treat constipation.",
       "Avoiding straining on the toilet, keeping heavy lifting to a minimum and, if it applies to you, losing some "
       "weight all take pressure off the pelvic floor.",
       "NICE NG123 1.7.2 (yumpu excerpt) [S]"),
    _r("REC-BOWEL-HABITS", "Bowel habits around running", "self_management",
       "Prevent and treat constipation (NICE NG123 lifestyle); plan meal timing and toilet access around runs for "
       "bowel urgency.",
       "Keeping your bowels regular, timing meals before runs and planning routes with toilets can make bowel "
       "urgency much easier to manage.",
       "NICE NG123 1.7.2 (constipation) [S]; clinical reference 2.8 runner note [R]"),
    _r("REC-LOAD", "Manage training load", "exercise",
       "Deload 1-2 weeks (reduce intensity), then build gradually without sudden spikes; 1-2 true rest days a week; "
       "structured plan.",
       "Ease back a little for one or two weeks, then build up gradually rather than in big jumps. Take one or two "
       "proper rest days each week.",
       src.SEED_000 + " (SP-12, SP-14, SP-28, SP-30); " + src.LOAD, keeps_running=True),
    _r("REC-FUEL", "Fuel your training", "self_management",
       "Fuelling education: eat before and after runs (carbohydrate with protein), fuel during long or hard "
       "sessions, no skipped meals on training days; dietitian if low energy availability is suspected.",
       "Eat before and after runs, especially long or busy days, and pair carbohydrate with some protein. Fuel "
       "during long or hard runs, and try not to skip meals around training.",
       src.SEED_000 + " (SP-06, SP-16, SP-29, SP-30); sports nutrition [M]"),
    _r("REC-CYCLE-TRACK", "Keep a spotting and cycle diary", "self_management",
       "Spotting diary: date, cycle day, run type and intensity, fuelling, sleep; look for harder days, tired or low "
       "phases, and spotting in the same phase each cycle.",
       "Note each time you spot: the day of your cycle, the kind of run, how well you ate and slept. Patterns often "
       "show up within a couple of cycles, and the notes help your clinician.",
       src.SEED_000 + " (SP-03, SP-08, SP-22, SP-30) [R]"),
    _r("REC-SPOTTING-EDU", "Why spotting can happen after running", "education",
       "Education (no red flags): most post-run spotting is benign; three cause groups - hormones and cycle, "
       "postpartum / coil / cervix, training load and under-fuelling.",
       "Light spotting after running is usually not serious. It tends to come from one of three things: normal "
       "hormone shifts in your cycle, changes after birth or with a coil, or training hard without enough fuel "
       "and rest.",
       src.SEED_000 + " (SP-01, SP-18); shown only when no red flag fired [R]"),
    _r("REC-SAFETY-NET", "When to get checked sooner", "safety",
       "Safety-net: seek review if bleeding becomes heavier, happens after every run, becomes painful or unusual, "
       "with cycle changes, dizziness or fever, or if something feels off.",
       "See a doctor sooner if the bleeding gets heavier, happens after every run, becomes painful, comes with a "
       "fever, dizziness or a strong smell, or if something just feels off. You don't need to wait.",
       src.SEED_000 + " (SP-26, SP-27, SP-30, SP-31)"),
    _r("REC-IUD-CHECK", "Coil check", "referral",
       "Ask GP / sexual health to check coil threads and position and review the bleeding pattern.",
       "Ask your GP or sexual health clinic to check your coil is sitting well and to talk about your bleeding "
       "pattern.", src.SEED_000 + " (SP-05, SP-11, SP-22)"),
    _r("REC-POSTPARTUM-CHECK", "Check healing after birth", "referral",
       "Postnatal bleeding or spotting: check with GP / midwife that healing is complete before building load.",
       "After having a baby, tissues keep healing for months. Please check with your GP or midwife about the "
       "bleeding before building up your running.",
       src.SEED_000 + " (SP-09, SP-10, SP-12, SP-22); " + src.PERINATAL),
    _r("REC-REST-RECOVERY", "Sleep, stress and recovery", "self_management",
       "Recovery basics: sleep, hydration, stress management and nutrition; short sleep and high fatigue predict "
       "running-related pain postpartum (Christopher 2021).",
       "Sleep, drinking enough, managing stress and eating well are the building blocks of recovery. They matter "
       "as much as the training itself.",
       src.SEED_002 + " (RR-13); " + src.CHRISTOPHER_2021),
    _r("REC-REDS-SCREEN", "Check energy availability", "referral",
       "Complete LEAF-Q and the CAT2 history (reds-cat2); dietitian / sports physician if positive.",
       "Please complete the short energy questionnaires. They check whether you are eating enough for the training "
       "you do.", src.MELIN + "; " + src.CAT2 + "; " + src.SEED_000 + " (SP-06, SP-16, SP-21, SP-24)"),
    _r("REC-RELATIVE-REST", "Relative rest and training changes", "exercise",
       "Relative rest: reduce or pause high-impact running while pain settles; modify training rather than "
       "stopping all activity; cross-train.",
       "Give the painful area a break from high-impact running for now. You can usually keep active with things "
       "that don't hurt, such as cycling or swimming.", src.SEED_001 + " (PP-04, PP-10)"),
    _r("REC-PAIN-MONITOR", "Listen to pain", "education",
       "Do not push through pain; running-related pain should settle by the next morning and not build week to "
       "week (expert opinion); any leakage, heaviness or bleeding is a stop-and-assess symptom (Goom).",
       "Don't push through pain. Pain from running should settle by the next morning; if it doesn't, or if you leak, "
       "feel heavy or bleed, stop and get checked.",
       src.SEED_001 + " (PP-17); clinical reference 5.6 pain-monitoring model [M]; " + src.GOOM),
    _r("REC-PREVENTION-RUN", "Build running back gradually", "exercise",
       "Graded return (e.g. couch-to-5K style), running technique and footwear review, cross-training (swim, "
       "bike, yoga), respond early to tightness.",
       "When you build back up, do it gradually with a structured plan, mix in cycling, swimming or yoga, and act "
       "early on any tightness or discomfort. Comfortable, supportive shoes help too.",
       src.SEED_001 + " (PP-05, PP-16) [M: footwear and form evidence weak]", keeps_running=True),
    _r("REC-POSTNATAL-PHYSIO", "Pelvic health check after birth", "referral",
       "Offer individualised pelvic health assessment to every postnatal woman, whatever the time since birth "
       "(Goom recommendation 1, level 1+).",
       "Everyone who has had a baby can benefit from a pelvic health physiotherapy check, whether the birth was "
       "6 weeks or several years ago.",
       src.SEED_002 + " (RR-09, RR-15); " + src.GOOM + "; " + src.PERINATAL),
    _r("REC-RTR-PREP", "Get strong to run", "exercise",
       "Pre-running phase: walking, PFMT and strength training (squats, lunges, glutes, core, balance) at least 3 "
       "times a week until G0-G4 pass.",
       "You get strong to run, rather than run to get strong. Walk, do your pelvic floor exercises and strength "
       "training at least three times a week while you build towards running.",
       src.SEED_002 + " (RR-03, RR-10, RR-12: 3 times a week is the seed's number); " + src.GOOM + "; "
       + src.DELPHI_2024),
    _r("REC-RTR-PLAN", "Graded walk-run programme", "exercise",
       "Gates G0-G4 passed: individualised graded walk-run programme, increasing duration before intensity; stop "
       "and re-assess if any pelvic floor symptom appears.",
       "You've passed the readiness checks. Start with a walk-run plan and build up gradually. If you notice "
       "leaking, heaviness, bulging or pain, stop and get re-checked.",
       src.GOOM + " (recommendation 2); " + src.DELPHI_2024, keeps_running=True),
    _r("REC-BREASTFEEDING", "Running while breastfeeding", "self_management",
       "Breastfeeding: feed or express before running; supportive sports bra; fuel and hydrate for lactation.",
       "Feed or express before you run, wear a well-fitting supportive sports bra, and eat and drink a bit more to "
       "cover feeding as well as running.", "Clinical reference 3.1.5 [S2]"),
    _r("REC-BUGGY", "Running with a buggy", "exercise",
       "Buggy running: wait until the baby has good head and neck control (usually 6-9 months); running-specific "
       "buggy (5-point harness, fixed front wheel, hand brake, suspension, wrist strap); start two-handed.",
       "Wait until your baby has good head and neck control, usually around 6 to 9 months, and use a proper "
       "running buggy. Pushing adds effort, so start easy.", "inspiredphysio.com.au (clinical reference 3.1.5) [S2]",
       keeps_running=True),
    _r("REC-SELF-REFERRAL", "Where to get help", "education",
       "Give resources on when and where to get help, including self-referral to community pelvic health teams "
       "(NICE NG210 1.1.1).",
       "Many areas let you refer yourself to an NHS pelvic health physiotherapy service. Your GP surgery or local "
       "NHS website can tell you how.", src.NG210 + " 1.1.1"),
    _r("REC-RESCREEN", "Check in again", "education",
       "Re-screen in 6-12 weeks or sooner if symptoms change.",
       "We suggest filling in these questions again in 6 to 12 weeks, or sooner if anything changes.",
       "Clinical reference 6.2 T1 [R]"),
    _r("REC-PREVENTION-NG210", "Keeping your pelvic floor healthy", "education",
       "Preventive advice on modifiable NG210 risk factors (weight, smoking, constipation, activity) and pelvic "
       "floor exercise.",
       "Nothing needs action now. Regular pelvic floor exercises, avoiding constipation, staying active and not "
       "smoking all help keep your pelvic floor healthy.", src.NG210),
)}


def _add(out: dict[str, Recommendation], rid: str, because: Iterable[str], **fmt: Any) -> None:
    because = tuple(because)
    if rid in out:
        merged = tuple(dict.fromkeys(out[rid].because + because))
        out[rid] = replace(out[rid], because=merged)
        return
    rec = CATALOGUE[rid]
    if fmt:
        rec = replace(rec, clinician=rec.clinician.format(**fmt), patient=rec.patient.format(**fmt))
    out[rid] = replace(rec, because=because)


def select(f: Facts, fired: Iterable[FiredRule], tier: str, rtr: ReturnToRunResult,
           cat2: Cat2Result) -> tuple[Recommendation, ...]:
    """The recommendations for one intake, in catalogue order."""
    fired = list(fired)
    ids = {r.id for r in fired}
    red = any(r.red_flag for r in fired)
    out: dict[str, Recommendation] = {}

    def on(*rule_ids: str) -> list[str]:
        return [r for r in rule_ids if r in ids]

    if tier == "T5":
        _add(out, "REC-URGENT-CARE", [r.id for r in fired if r.tier == "T5"])
    if "PP6" in ids:
        _add(out, "REC-STOP-RUNNING", ["PP6"])

    # urinary
    stress_types = {"effort", "running"} & set(f.picked(BB, "leak_when")) or \
        {"cough_sneeze", "active"} & set(f.picked("iciq-ui-sf", "6"))
    urgency_only = (not stress_types and set(f.picked(BB, "leak_when")) == {"urgency"})
    if "SYM-UI" in ids and not urgency_only:
        _add(out, "REC-PFMT", ["SYM-UI"])
    if "SYM-URGENCY" in ids:
        _add(out, "REC-BLADDER-TRAINING", ["SYM-URGENCY"], weeks=f.config.bladder_training_weeks)
    if on("SYM-UI", "SYM-URGENCY", "SYM-UDI"):
        _add(out, "REC-BLADDER-HABITS", on("SYM-UI", "SYM-URGENCY", "SYM-UDI"))
    # prolapse
    if "SYM-POP" in ids:
        _add(out, "REC-POP-PFMT", ["SYM-POP"])
        _add(out, "REC-POP-LIFESTYLE", ["SYM-POP"])
    # bowel
    if "SYM-BOWEL" in ids or f.yes(BB, "constipation"):
        _add(out, "REC-BOWEL-HABITS", on("SYM-BOWEL") or ["constipation"])
    # pain
    if f.has_pain:
        _add(out, "REC-PF-RELAX", on("SYM-PAIN"))
        _add(out, "REC-RELATIVE-REST", on("SYM-PAIN", "PP-09", "PP-19"))
        if f.running:
            _add(out, "REC-PAIN-MONITOR", on("SYM-PAIN", "PP-09"))
            _add(out, "REC-PREVENTION-RUN", on("SYM-PAIN", "PP-09"))
    # bleeding and load
    if f.vaginal_bleeding:
        _add(out, "REC-CYCLE-TRACK", on("SP-04", "SP-15", "SP-19", "SP-26") or ["vaginal bleeding"])
        if not red:
            _add(out, "REC-SPOTTING-EDU", ["no red flags"])
        _add(out, "REC-SAFETY-NET", ["vaginal bleeding"])
        if f.iud:
            _add(out, "REC-IUD-CHECK", on("B12") or ["coil"])
        if f.postnatal and (f.weeks_since_birth is None or f.weeks_since_birth < 52):
            _add(out, "REC-POSTPARTUM-CHECK", on("B8") or ["postnatal bleeding"])
    load_rules = on("SP-15", "SP-17", "PP-09")
    if load_rules and f.running_now:
        _add(out, "REC-LOAD", load_rules)
    fuel_reasons = on("SP-21", "SP-24", "R3", "R4", "REDS-YELLOW")
    if f.yes(CTX, "skip_meals"):
        fuel_reasons.append("skipping meals")
    if fuel_reasons:
        _add(out, "REC-FUEL", fuel_reasons)
    if on("SP-21", "SP-24") and not (f.has(CAT2) and f.has("leaf-q")):
        _add(out, "REC-REDS-SCREEN", on("SP-21", "SP-24"))
    if f.running and (f.vaginal_bleeding or f.postnatal or on("SP-17", "SP-24")):
        _add(out, "REC-REST-RECOVERY", on("SP-17", "SP-24", "G5") or ["running"])
    # postnatal
    if f.postnatal:
        _add(out, "REC-POSTNATAL-PHYSIO", ["postnatal (any time since birth)"])
    if rtr.applicable:
        if rtr.ready:
            _add(out, "REC-RTR-PLAN", ["G0-G4 passed"])
        else:
            _add(out, "REC-RTR-PREP", [g.id for g in rtr.gates if g.id != "G5" and g.status != "pass"])
        if f.breastfeeding and f.running:
            _add(out, "REC-BREASTFEEDING", ["breastfeeding"])
        if "buggy" in f.picked("goom-rtr", "modifiers"):
            _add(out, "REC-BUGGY", ["buggy planned"])
    # general
    symptomatic = [r.id for r in fired if r.id.startswith("SYM-")]
    if symptomatic and tier in ("T1", "T2a", "T2b"):
        _add(out, "REC-SELF-REFERRAL", symptomatic)
    if tier in ("T0", "T1"):
        _add(out, "REC-RESCREEN", [tier])
    if tier == "T0":
        _add(out, "REC-PREVENTION-NG210", ["T0"])
    if cat2.sports_physician and "REC-FUEL" not in out:
        _add(out, "REC-FUEL", ["CAT2 primary indicator"])

    recs = [out[rid] for rid in CATALOGUE if rid in out]
    if "PP6" in ids:
        recs = [r for r in recs if not r.keeps_running]
    if tier == "T5":
        recs = [r for r in recs if r.category == "safety"]
    return tuple(recs)
