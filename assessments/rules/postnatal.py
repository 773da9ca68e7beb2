"""Postnatal return to running: rules G0-G5 (clinical reference section 3.1.6), which put the gate
report of :mod:`assessments.return_to_run` into the tier, and the general DISCUSS rule."""

from __future__ import annotations

from .. import return_to_run as rtr
from . import sources as src
from .base import CTX, RTR, Facts, Hit, V, rule

EMERGENCY_SCREEN = {  # GAQ-PP cardiorespiratory / neurological items -> T5 (reference 4.7 and 6.2 T5)
    "syncope": "fainting", "neuro": "neurological symptoms", "dvt_pe": "signs of DVT / PE",
    "chest_stroke": "chest pain or stroke signs", "exertional": "exertional chest pain or dizziness",
    "dyspnoea": "breathlessness at rest",
}
OTHER_SCREEN = {
    "bp": "unstable blood pressure > 140/90", "abdominal_pain": "severe abdominal pain",
    "fatigue": "excessive fatigue not relieved by rest", "infection": "severe infection", "fracture": "fracture",
    "cs_wound": "caesarean wound pain worse with exercise", "bleeding": "vaginal bleeding not associated with menses",
}


@rule("G0", title="Postnatal medical screen", domain="return_to_run",
      citation=src.GAQ_PP + "; " + src.GOOM + "; " + src.POLICY_WINDOW,
      reference="clinical reference 3.1.6 G0 and 4.7; clinical policy 2 (patient screen within the window)",
      variants={
          "emergency": V("T5", "RF_POSTNATAL_SCREEN_EMERGENCY",
                         "Postnatal medical screen positive for {detail}: emergency assessment; no exercise "
                         "progression.",
                         "Some of what you have noticed needs urgent medical care. Please call 999 or go to A&E now.",
                         "Emergency assessment."),
          "clearance": V("T3", "POSTNATAL_MEDICAL_CLEARANCE",
                         "Postnatal medical screen positive for {detail}: medical clearance (GP / obstetric) before "
                         "exercise progression.",
                         "Before building up exercise, please see your GP about {detail}. They can make sure it is "
                         "safe to progress.", "GP / obstetric clearance before progression."),
      })
def g0(f: Facts) -> Hit | None:
    # The clinician's exam screen counts while the return-to-run module applies; the patient's own
    # screen (context.postnatal_screen, asked within 2 years of a birth) counts within the postnatal
    # window, and its emergency items count whenever they are reported (clinical policy 2; reference 4.7).
    exam = f.picked(RTR, "medical") if rtr.applicable(f) else []
    own = f.picked(CTX, "postnatal_screen") if f.parous else []
    emergency = list(dict.fromkeys(EMERGENCY_SCREEN[m] for m in exam + own if m in EMERGENCY_SCREEN))
    if not (rtr.applicable(f) or (f.postnatal and own) or emergency):
        return None
    other = list(dict.fromkeys(OTHER_SCREEN[m] for m in exam + (own if f.postnatal else []) if m in OTHER_SCREEN))
    if f.is_(CTX, "fatigue", "exhausted") and f.postnatal and rtr.applicable(f) \
            and "excessive fatigue not relieved by rest" not in other:
        other.append("excessive fatigue not relieved by rest")
    if emergency:
        return Hit("emergency", tuple(emergency + other), {"detail": ", ".join(emergency + other)})
    if other:
        return Hit("clearance", tuple(other), {"detail": ", ".join(other)})
    return None


@rule("G1", title="Too soon after birth to run", domain="return_to_run", citation=src.GOOM + "; " + src.DELPHI_2024,
      reference="clinical reference 3.1.6 G1; seeds RR-01, RR-14",
      variants={
          "wait": V("T1", "RTR_TOO_SOON",
                    "{weeks} weeks postnatal, below the {min_weeks}-week minimum ({guideline}): walking, pelvic floor "
                    "and strength phase before running.",
                    "It's {weeks} weeks since your birth. Running is best started from {min_weeks} weeks at the "
                    "earliest, after your body has had time to heal. Walking, pelvic floor exercises and strength "
                    "work now will make that return smoother.", "Pre-running phase: walking, PFMT, strength."),
          "running": V("T1", "RTR_RUNNING_TOO_SOON",
                       "Already running at {weeks} weeks postnatal, below the {min_weeks}-week minimum ({guideline}): "
                       "advise pausing running for a walking, pelvic floor and strength phase.",
                       "You're already running {weeks} weeks after birth. The guidance is to wait until at least "
                       "{min_weeks} weeks and build up with walking, pelvic floor and strength work first. You're "
                       "starting over, and that's normal.", "Pause running; pre-running phase."),
      })
def g1(f: Facts) -> Hit | None:
    weeks = f.weeks_since_birth
    if not rtr.applicable(f) or weeks is None or weeks >= f.config.postnatal_min_weeks:
        return None
    values = {"weeks": f"{weeks:g}", "min_weeks": f.config.postnatal_min_weeks, "guideline": f.config.postnatal_guideline}
    return Hit("running" if f.running_now else "wait", (f"weeks_since_birth={weeks:g}",), values)


@rule("G2", title="Pelvic floor or abdominal wall symptoms before running", domain="return_to_run",
      citation=src.GOOM_LIST + "; " + src.SEED_002 + " (RR-04 to RR-08)", reference="clinical reference 3.1.4, 3.1.6 G2",
      variants={"default": V("T2a", "GOOM_REFER_PELVIC_HEALTH",
                             "Goom referral-list item(s): {detail}. Refer to pelvic health physiotherapy; running on "
                             "hold until addressed.",
                             "Because of {detail_plain}, your body may not be ready for the load of running yet. A "
                             "pelvic health physiotherapist can assess this and build a programme with you before "
                             "you run.", "Pelvic health physiotherapy; running on hold.")})
def g2(f: Facts) -> Hit | None:
    if not rtr.applicable(f):
        return None
    found = rtr.referral_symptoms(f)
    if not found:
        return None
    detail = [rtr.REFERRAL_ITEMS[k] for k in found]
    plain = {"incontinence": "leaking", "urgency": "urgency", "heaviness": "heaviness or bulging",
             "dyspareunia": "pain with sex", "obstructed": "difficulty emptying your bowel",
             "abdominal": "changes in your tummy muscles", "lumbopelvic": "pelvic or back pain",
             "bleeding": "ongoing bleeding"}
    return Hit(because=tuple(found), values={"detail": "; ".join(detail),
                                             "detail_plain": ", ".join(plain[k] for k in found)})


def _failed(f: Facts, kind: str) -> list[rtr.GoomTestResult]:
    return [t for t in rtr.evaluate_tests(f) if t.kind == kind and t.status == "fail"]


@rule("G3", title="Load and impact tests not passed", domain="return_to_run",
      citation=src.GOOM_TARGETS + "; " + src.GOOM, reference="clinical reference 3.1.1, 3.1.6 G3",
      variants={"default": V("T2a", "RTR_LOAD_TESTS_FAILED",
                             "Load/impact tests not passed: {detail}. Return-to-run rehabilitation before running.",
                             "Some of the hopping and balance tests aren't there yet. Your physiotherapist will give "
                             "you exercises to build up to them.", "Return-to-run rehabilitation.")})
def g3(f: Facts) -> Hit | None:
    failed = _failed(f, "load") if rtr.applicable(f) else []
    if not failed:
        return None
    return Hit(because=tuple(t.id for t in failed),
               values={"detail": "; ".join(f"{t.name} ({', '.join(t.reasons)})" for t in failed)})


@rule("G4", title="Strength tests not passed", domain="return_to_run",
      citation=src.GOOM_TARGETS + "; " + src.GOOM, reference="clinical reference 3.1.2, 3.1.6 G4",
      variants={"default": V("T2a", "RTR_STRENGTH_TESTS_FAILED",
                             "Strength tests not passed: {detail}. Strength programme before running.",
                             "Some of the strength tests aren't at the target yet. Building that strength first makes "
                             "running safer and more comfortable.", "Strength programme.")})
def g4(f: Facts) -> Hit | None:
    failed = _failed(f, "strength") if rtr.applicable(f) else []
    if not failed:
        return None
    return Hit(because=tuple(t.id for t in failed),
               values={"detail": "; ".join(f"{t.name} ({', '.join(t.reasons)})" for t in failed)})


@rule("G5", title="Return-to-run modifiers", domain="return_to_run",
      citation="Goom 2019 recommendation 4 / reference 3.1.5 [S2/M]; " + src.CHRISTOPHER_2021 + "; " + src.DELPHI_2024,
      reference="clinical reference 3.1.5, 3.1.6 G5",
      variants={"default": V("T1", "RTR_MODIFIERS",
                             "Modify the running plan for: {detail} (slower progression, feeding plan, dietitian or "
                             "psychology input as relevant).",
                             "A few things ({detail}) mean your running plan should build up a bit more gently. Your "
                             "physiotherapist will tailor it with you.", "Modify the plan.")})
def g5(f: Facts) -> Hit | None:
    if not rtr.applicable(f):
        return None
    mods = rtr.modifiers(f)
    return Hit(because=tuple(mods), values={"detail": ", ".join(mods)}) if mods else None


@rule("RR-09", title="Strength work for a parous runner outside the postnatal window", domain="general",
      citation=src.POLICY_RR09 + "; " + src.NG210 + "; " + src.POLICY_WINDOW,
      reference="clinical reference 1.3 RR-09 / RR-12; clinical policy section 2",
      variants={"default": V("T1", "PAROUS_RUNNER_STRENGTH",
                             "Parous woman {status} running, most recent birth outside the {months}-month postnatal "
                             "window: previous births are a pelvic floor risk factor (NICE NG210); recommend a "
                             "strength programme (lower limb, trunk and pelvic floor) at least 3 times a week while "
                             "building running.",
                             "Getting strong helps running: strength exercises for your legs, hips, tummy and pelvic "
                             "floor, about three times a week, make starting or building up running more "
                             "comfortable and protect your pelvic floor.",
                             "Strength programme at least 3 times a week.")})
def rr09(f: Facts) -> Hit | None:
    if not (f.parous and not f.postnatal and f.is_(CTX, "running_status", "planning", "returning", "new")):
        return None
    status = {"planning": "planning to start or return to", "returning": "returning to", "new": "new to"}[
        str(f.c("running_status"))]
    return Hit(because=("context.given_birth=true", "outside the postnatal window", f"running_status={f.c('running_status')}"),
               values={"status": status, "months": f.config.postnatal_window_months})


@rule("DISCUSS", title="Questions to discuss in person", domain="general",
      citation="Project rule: sensitive items answered 'I'd rather discuss this in person' (assessments.model.DECLINED)",
      reference="ARCHITECTURE.md; reference 6.2 note 1 (red flags are asked, never assumed absent)",
      variants={"default": V("T2a", "DISCUSS_IN_PERSON",
                             "Patient chose to discuss in person: {detail}. Ask these before finalising the tier; a "
                             "declined red-flag question is not a 'no'.",
                             "You chose to talk about some questions in person. That's absolutely fine: your "
                             "clinician will ask about them privately at your appointment.",
                             "Clinician asks the declined questions in person.")})
def discuss(f: Facts) -> Hit | None:
    return Hit(because=f.declined, values={"detail": ", ".join(f.declined)}) if f.declined else None
