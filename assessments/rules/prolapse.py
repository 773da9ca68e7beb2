"""Prolapse: red flags P1-P7 (clinical reference section 4.4), seed RR-11 and the symptom code
SYM-POP (any prolapse symptom -> supervised PFMT >= 16 weeks, NICE NG123 1.7.5)."""

from __future__ import annotations

from . import sources as src
from .base import BB, POP, Facts, Hit, V, rule

POPSS_ITEMS = ("1", "2", "3", "4", "5", "6", "7")
PFDI_POPDI = ("1", "2", "3", "4", "5", "6")


def _popq_stage(f: Facts) -> int | None:
    result = f.score("pop-q")
    if result is None:
        return None
    stage = result.details.get("stage") if result.details else None
    if stage is None and result.complete:
        stage = result.total
    if isinstance(stage, str):
        roman = {"0": 0, "I": 1, "II": 2, "III": 3, "IV": 4}
        stage = roman.get(stage.strip().upper())
    return int(stage) if isinstance(stage, int | float) and not isinstance(stage, bool) else None


@rule("P1", title="Suspicious or ulcerating vaginal mass; postmenopausal bleeding with prolapse", domain="prolapse",
      citation=src.GPREASONING_POP, reference="clinical reference 4.4 P1",
      variants={
          "ulcer": V("T4", "RF_PROLAPSE_ULCER_BLEEDING",
                     "Prolapse with {detail}: urgent examination; 2-week-wait if irregular, solid, fixed or "
                     "ulcerating mass.",
                     "A sore, ulcer or bleeding on a bulge needs checking soon. Please see your GP within the next few "
                     "days.", "Urgent GP examination."),
          "mass": V("T4", "RF_SUSPICIOUS_VAGINAL_MASS",
                    "Irregular, solid, fixed or ulcerating vaginal / cervical mass on examination: 2-week-wait referral.",
                    "The examination found something that should be checked quickly by a specialist. Your clinician "
                    "will arrange an urgent referral.", "2-week-wait referral."),
          "pmb": V("T4", "RF_PMB_WITH_PROLAPSE",
                   "Postmenopausal bleeding with prolapse symptoms: 2-week-wait assessment (do not attribute to the "
                   "prolapse without examination).",
                   "Bleeding after the menopause needs checking soon even when you have a prolapse. Please see your "
                   "GP within the next few days.", "Urgent GP appointment."),
      })
def p1(f: Facts) -> Hit | None:
    if f.yes(POP, "suspicious_mass"):
        return Hit("mass", ("suspicious_mass=true",))
    problems = [p for p in f.picked(POP, "bulge_problems") if p in ("sore", "bleeding")]
    if problems:
        return Hit("ulcer", tuple(problems), {"detail": " and ".join("an ulcer or sore" if p == "sore" else "bleeding"
                                                                     for p in problems)})
    if f.vaginal_bleeding and f.postmenopausal and f.prolapse_symptoms:
        return Hit("pmb", ("postmenopausal bleeding", "prolapse symptoms"))
    return None


@rule("P2", title="Acute urinary retention with prolapse", domain="prolapse", citation=src.GPREASONING_POP,
      reference="clinical reference 4.4 P2",
      variants={"default": V("T5", "RF_PROLAPSE_RETENTION",
                             "Acute urinary retention with prolapse: same-day catheterisation and assessment.",
                             "Not being able to pass urine with a prolapse needs help today. Please go to A&E or an "
                             "urgent care centre now, or call NHS 111.", "Same-day assessment.")})
def p2(f: Facts) -> Hit | None:
    if f.yes(BB, "retention") and f.prolapse_symptoms:
        return Hit(because=("retention=true", "prolapse symptoms"))
    return None


@rule("P3", title="Irreducible prolapse", domain="prolapse", citation=src.GPREASONING_POP,
      reference="clinical reference 4.4 P3",
      variants={
          "strangulated": V("T5", "RF_PROLAPSE_STRANGULATED",
                            "Irreducible prolapse with {detail}: possible strangulation or infected ulcerated "
                            "procidentia; same-day assessment.",
                            "A bulge that won't go back and is {detail_plain} needs checking today. Please go to A&E "
                            "or call NHS 111 now.", "Same-day assessment."),
          "irreducible": V("T4", "RF_PROLAPSE_IRREDUCIBLE",
                           "Irreducible prolapse: urgent GP / gynaecology review within days.",
                           "A bulge that won't go back in should be checked soon. Please see your GP within the next "
                           "few days.", "Urgent GP review."),
      })
def p3(f: Facts) -> Hit | None:
    if not (f.is_(POP, "bulge", "at_opening", "outside") and f.is_(POP, "reducible", "no")):
        return None
    problems = f.picked(POP, "bulge_problems")
    if problems:
        plain = {"sore": "sore", "bleeding": "bleeding", "painful": "painful or swollen"}
        return Hit("strangulated", ("reducible=no", *problems),
                   {"detail": ", ".join(problems), "detail_plain": " and ".join(plain[p] for p in problems)})
    return Hit("irreducible", ("reducible=no",))


@rule("P4", title="Prolapse beyond the introitus", domain="prolapse", phase=2,
      citation=src.NG123_POP + "; POP-Q staging (Bump 1996; BMC Urol table) [S]", reference="clinical reference 4.4 P4",
      variants={"default": V("T3", "RF_PROLAPSE_BEYOND_INTROITUS",
                             "Prolapse beyond the introitus ({detail}): GP / urogynaecology; conservative care "
                             "(pessary, PFMT) remains first line.",
                             "A bulge that comes outside the vaginal opening should be reviewed by your GP, who may "
                             "refer you to a specialist. Pelvic floor training and other treatments still help.",
                             "GP review; urogynaecology referral.")})
def p4(f: Facts) -> Hit | None:
    detail = []
    if f.is_(POP, "bulge", "outside"):
        detail.append("patient sees or feels it outside the opening")
    stage = _popq_stage(f)
    if stage is not None and stage >= 3:
        detail.append(f"POP-Q stage {stage}")
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)}) if detail else None


@rule("P5", title="Prolapse with voiding difficulty, recurrent UTI or obstructed defecation", domain="prolapse",
      citation=src.P5, reference="clinical reference 4.4 P5",
      variants={"default": V("T3", "PROLAPSE_WITH_EMPTYING_PROBLEMS",
                             "Prolapse symptoms with {detail}: GP review and urogynaecology referral.",
                             "With a prolapse, trouble emptying your bladder or bowel (or repeated infections) should "
                             "also be checked by your GP.", "GP review; specialist referral.")})
def p5(f: Facts) -> Hit | None:
    if not f.prolapse_symptoms:
        return None
    detail = [d for d, on in (("voiding difficulty", bool(f.voiding_difficulty)),
                              ("recurrent UTI", f.yes(BB, "recurrent_uti")),
                              ("obstructed defecation", bool(f.obstructed_defecation))) if on]
    return Hit(because=tuple(detail), values={"detail": ", ".join(detail)}) if detail else None


@rule("P6", title="Vaginal atrophy", domain="prolapse", citation=src.ATROPHY, reference="clinical reference 4.4 P6",
      variants={"default": V("T3", "VAGINAL_ATROPHY",
                             "{detail}: GP to consider vaginal oestrogen (NICE NG123 1.7.3).",
                             "Dryness and soreness around or after the menopause are common and treatable. Your GP can "
                             "talk to you about a vaginal oestrogen.", "GP review.", red_flag=False)})
def p6(f: Facts) -> Hit | None:
    if f.yes(POP, "atrophy_signs"):
        return Hit(because=("atrophy_signs=true",), values={"detail": "Signs of vaginal atrophy on examination"})
    if f.yes(POP, "dryness") and (f.postmenopausal or f.perimenopausal):
        return Hit(because=("dryness=true", f"context.menopause={f.c('menopause')}"),
                   values={"detail": "Vaginal dryness or soreness around or after the menopause"})
    return None


@rule("P7", title="Pessary review due", domain="prolapse", citation=src.PESSARY, reference="clinical reference 4.4 P7",
      variants={"default": V("T3", "PESSARY_REVIEW_DUE",
                             "Pessary last reviewed {when}; review interval {months} months: arrange removal/review.",
                             "Pessaries need a regular check to keep the vagina healthy. Yours is due a check: please "
                             "book one with whoever fits it.", "Pessary review.", red_flag=False)})
def p7(f: Facts) -> Hit | None:
    if not f.yes(POP, "pessary"):
        return None
    months = f.num(POP, "pessary_review_months")
    limit = f.config.pessary_review_months
    if months is None:
        return Hit(because=("pessary review date unknown",), values={"when": "at an unknown time", "months": limit})
    if months > limit:
        return Hit(because=(f"pessary_review_months={int(months)} > {limit}",),
                   values={"when": f"{int(months)} months ago", "months": limit})
    return None


@rule("RR-11", title="Prolapse symptoms in a postnatal runner", domain="prolapse", phase=2,
      citation=src.SEED_002 + " (RR-11); " + src.NG123_POP + "; " + src.POLICY_TIER,
      reference="clinical reference 1.3 RR-11; clinical policy sections 1-2",
      variants={
          "default": V("T2a", "SEED_POSTNATAL_PROLAPSE",
                       "Woman within the postnatal window, running or planning to, with prolapse symptoms ({detail}): "
                       "pelvic health physiotherapy before running. Recommendation: discuss symptoms that persist "
                       "with the GP.",
                       "Heaviness or a bulge after having a baby is a reason to see a pelvic health physiotherapist "
                       "before you run; getting strong first makes running kinder to your body. If the symptoms "
                       "carry on, talk to your GP about them too.",
                       "Pelvic health physiotherapy; discuss persistent symptoms with the GP."),
          "with_feature": V("T3", "SEED_POSTNATAL_PROLAPSE_WITH_FEATURE",
                            "Woman within the postnatal window, running or planning to, with prolapse symptoms "
                            "({detail}) and {features}: pelvic health physiotherapy and GP review before running.",
                            "Heaviness or a bulge after having a baby, together with the other things you "
                            "mentioned, is a reason to see a pelvic health physiotherapist and talk to your doctor "
                            "before you run.",
                            "Pelvic health physiotherapy and GP review."),
      })
def rr11(f: Facts) -> Hit | None:
    if not (f.postnatal and f.running and f.prolapse_symptoms):
        return None
    detail = [d for d, on in (("heaviness", f.is_(POP, "heaviness", "sometimes", "often")),
                              ("bulge", f.is_(POP, "bulge", "inside", "at_opening", "outside")),
                              ("diagnosed prolapse", f.yes(POP, "diagnosed"))) if on]
    # T3 only with a P1-P6 feature (clinical policy section 1); otherwise T2a with a recommendation.
    features = [rid for rid, check in (("P1", p1), ("P2", p2), ("P3", p3), ("P4", p4), ("P5", p5), ("P6", p6))
                if check(f)]
    if features:
        return Hit("with_feature", tuple(detail) + tuple(features),
                   {"detail": ", ".join(detail), "features": "prolapse feature(s) " + ", ".join(features)})
    return Hit(because=tuple(detail), values={"detail": ", ".join(detail)})


@rule("SYM-POP", title="Prolapse symptoms", domain="prolapse", citation=src.NG123_POP + "; " + src.TIER_MODEL,
      reference="clinical reference 6.1, 6.2 (T2a)",
      variants={"default": V("T2a", "SYM_PROLAPSE",
                             "Prolapse symptoms ({detail}): supervised PFMT for at least 16 weeks (NICE NG123 1.7.5) "
                             "and lifestyle advice.",
                             "Heaviness or a bulge can improve with pelvic floor training guided by a physiotherapist, "
                             "usually over about four months.", "Supervised PFMT >= 16 weeks.")})
def sym_pop(f: Facts) -> Hit | None:
    detail = []
    if f.prolapse_symptoms:
        detail.append("prolapse intake")
    if any((f.num("pop-ss", i) or 0) > 0 for i in POPSS_ITEMS):
        detail.append("POP-SS item > 0")
    if any((f.num("pfdi-20", i) or 0) > 0 for i in PFDI_POPDI):
        detail.append("PFDI-20 POPDI-6 item answered yes")
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)}) if detail else None
