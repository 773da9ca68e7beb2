"""Urinary: NICE NG123 referral criteria U1-U14 (clinical reference section 4.3) and the symptom
codes SYM-UI, SYM-URGENCY, SYM-UDI and UI-ATYPICAL (no reference id; section 6.2 note 2)."""

from __future__ import annotations

from . import sources as src
from .base import BB, BLEED, CTX, PAIN, Facts, Hit, V, rule

MICRO_HAEMATURIA_AGE = 50   # NG123: microscopic haematuria aged 50 and over [S]
UTI_HAEMATURIA_AGE = 40     # NG123: recurrent or persisting UTI with haematuria aged 40 and over [S]
PFDI_UDI = ("15", "16", "17", "18", "19", "20")

_URGENT = "Urgent GP appointment (within days)."


def _urinary_symptoms(f: Facts) -> bool:
    return f.leakage or f.urinary_urgency or bool(f.voiding_difficulty)


@rule("U1", title="Microscopic haematuria at 50 or over", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U1",
      variants={"default": V("T4", "RF_MICRO_HAEMATURIA_50PLUS",
                             "Non-visible haematuria on dipstick at age {age}: urgent referral (NICE NG123).",
                             "Your urine test showed a small amount of blood that can't be seen. At your age this "
                             "should be looked into soon: please see your GP within the next few days.", _URGENT)})
def u1(f: Facts) -> Hit | None:
    if f.is_(BB, "dipstick_blood", "positive") and f.age is not None and f.age >= MICRO_HAEMATURIA_AGE:
        return Hit(because=("dipstick_blood=positive", f"context.age={int(f.age)}"), values={"age": int(f.age)})
    return None


@rule("U2", title="Visible haematuria outside the exercise window", domain="urinary",
      citation=src.NG123_REFERRAL + "; " + src.HAEMATURIA, reference="clinical reference 4.3 U2 (with 4.1 B11)",
      variants={"default": V("T4", "NICE_NG123_VISIBLE_HAEMATURIA",
                             "Visible haematuria ({detail}): urgent referral per NICE NG123 after the exercise-"
                             "haematuria window ({window} h) is excluded.",
                             "Blood you can see in your urine needs checking soon when it doesn't clear quickly "
                             "after a run or isn't linked to running. Please see your GP within the next few days.",
                             _URGENT)})
def u2(f: Facts) -> Hit | None:
    if not f.urine_blood:
        return None
    window = f.config.haematuria_clear_hours
    hours = f.num(BLEED, "urine_hours")
    detail = [d for d, on in (("not only after running", f.no(BLEED, "urine_after_runs")),
                              ("recurring", f.yes(BLEED, "urine_recurs")),
                              (f"still visible at {hours if hours is None else int(hours)} h",
                               hours is not None and hours > window)) if on]
    if not detail:
        return None
    return Hit(because=tuple(detail), values={"detail": ", ".join(detail), "window": window})


@rule("U3", title="Recurrent UTI with haematuria at 40 or over", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U3",
      variants={"default": V("T4", "RF_UTI_HAEMATURIA_40PLUS",
                             "Recurrent or persisting UTI with haematuria at age {age}: urgent referral (NICE NG123).",
                             "Repeated urine infections with blood in the urine should be looked into soon at your "
                             "age. Please see your GP within the next few days.", _URGENT)})
def u3(f: Facts) -> Hit | None:
    if f.yes(BB, "recurrent_uti") and f.yes(BB, "uti_blood") and f.age is not None and f.age >= UTI_HAEMATURIA_AGE:
        return Hit(because=("recurrent_uti", "uti_blood", f"context.age={int(f.age)}"), values={"age": int(f.age)})
    return None


@rule("U4", title="Suspected malignant pelvic or urinary tract mass", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U4",
      variants={
          "clinician": V("T4", "RF_SUSPECTED_MALIGNANT_MASS",
                         "Suspected malignant mass arising from the urinary tract or pelvis on examination: urgent "
                         "referral (NICE NG123 / NG12).",
                         "The examination found a lump that should be checked quickly. Your clinician will arrange an "
                         "urgent referral.", "Urgent (2-week-wait) referral."),
          "reported": V("T4", "RF_REPORTED_PELVIC_MASS",
                        "Patient-reported lump or swelling in the abdomen or pelvis (not known fibroids): urgent "
                        "examination; suspected-cancer pathway if a mass is confirmed.",
                        "A lump or swelling in your tummy or pelvis should be examined soon. Please see your GP within "
                        "the next few days.", _URGENT),
      })
def u4(f: Facts) -> Hit | None:
    if f.is_(BB, "pelvic_mass", "suspicious"):
        return Hit("clinician", ("pelvic_mass=suspicious",))
    if f.is_(PAIN, "mass", "yes"):
        return Hit("reported", ("intake-pelvic-pain.mass=yes",))
    return None


@rule("U5", title="Persisting bladder or urethral pain", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U5",
      variants={"default": V("T3", "NICE_NG123_BLADDER_PAIN",
                             "Persisting bladder or urethral pain: GP review and referral (NICE NG123).",
                             "Bladder or urethral pain that keeps coming back should be looked at by your GP, who "
                             "can arrange tests and a specialist opinion.", "GP review; specialist referral.")})
def u5(f: Facts) -> Hit | None:
    return Hit(because=("bladder_pain=true",)) if f.yes(BB, "bladder_pain") else None


@rule("U6", title="Clinically benign pelvic mass", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U6",
      variants={"default": V("T3", "NICE_NG123_BENIGN_MASS",
                             "Clinically benign pelvic mass ({detail}) with pelvic floor symptoms: GP review and "
                             "referral (NICE NG123).",
                             "A known lump such as a fibroid can press on the bladder. Please ask your GP whether it "
                             "should be reviewed.", "GP review; specialist referral.")})
def u6(f: Facts) -> Hit | None:
    if f.is_(BB, "pelvic_mass", "benign"):
        return Hit(because=("pelvic_mass=benign",), values={"detail": "on examination"})
    if f.is_(PAIN, "mass", "fibroids"):
        return Hit(because=("mass=fibroids",), values={"detail": "reported fibroids"})
    return None


@rule("U7", title="Urinary with faecal incontinence", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U7",
      variants={"default": V("T3", "NICE_NG123_ASSOCIATED_FI",
                             "Urinary incontinence with faecal incontinence ({detail}): GP review and referral "
                             "(NICE NG123).",
                             "Leaking from both the bladder and the bowel is common after childbirth and can be "
                             "treated. Please see your GP as well as your physiotherapist.",
                             "GP review; specialist referral.")})
def u7(f: Facts) -> Hit | None:
    if f.leakage and f.bowel_leakage:
        return Hit(because=("urinary leakage", *f.bowel_leakage), values={"detail": ", ".join(f.bowel_leakage)})
    return None


@rule("U8", title="Suspected neurological cause", domain="urinary", citation=src.NG123_REFERRAL + "; " + src.GIRFT_CES,
      reference="clinical reference 4.3 U8",
      variants={"default": V("T3", "NICE_NG123_NEUROLOGICAL",
                             "Pelvic floor symptoms with {detail}: GP review and neurology / urology referral "
                             "(NICE NG123). New or worsening cauda equina features are handled by PP5.",
                             "Bladder or bowel symptoms can be linked to the nerves. Please see your GP so they can "
                             "check this.", "GP review; specialist referral.")})
def u8(f: Facts) -> Hit | None:
    detail = []
    if f.is_(CTX, "diagnoses", "neurological") and _urinary_symptoms(f):
        detail.append("a known neurological condition")
    if f.is_(PAIN, "ces_onset", "longstanding") and f.picked(PAIN, "ces_symptoms"):
        detail.append("long-standing saddle, bladder, bowel or leg symptoms")
    return Hit(because=tuple(detail), values={"detail": " and ".join(detail)}) if detail else None


@rule("U9", title="Voiding difficulty", domain="urinary", citation=src.NG123_REFERRAL + " (post-void residual [M])",
      reference="clinical reference 4.3 U9",
      variants={"default": V("T3", "NICE_NG123_VOIDING_DIFFICULTY",
                             "Voiding difficulty ({detail}): GP review, post-void residual, referral (NICE NG123).",
                             "Difficulty emptying your bladder should be checked by your GP, who may measure how much "
                             "urine is left after you go.", "GP review; post-void residual.")})
def u9(f: Facts) -> Hit | None:
    found = f.voiding_difficulty
    return Hit(because=tuple(found), values={"detail": ", ".join(x.replace("_", " ") for x in found)}) if found else None


@rule("U10", title="Suspected urogenital fistula (continuous leakage)", domain="urinary", citation=src.NG123_REFERRAL,
      reference="clinical reference 4.3 U10",
      variants={"default": V("T3", "NICE_NG123_CONTINUOUS_LEAKAGE",
                             "Continuous urinary leakage ({detail}): suspected fistula; GP review and referral "
                             "(NICE NG123).",
                             "Leaking all the time, day and night, needs a doctor's check as well as physiotherapy. "
                             "Please book a GP appointment.", "GP review; specialist referral.")})
def u10(f: Facts) -> Hit | None:
    detail = [d for d, on in (("'all the time' in the bladder intake", f.is_(BB, "leak_when", "continuous")),
                              ("ICIQ-UI SF Q6 'all the time'", f.is_("iciq-ui-sf", "6", "all_time")),
                              ("ICIQ-UI SF Q3 'all the time'", f.is_("iciq-ui-sf", "3", 5))) if on]
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)}) if detail else None


@rule("U11", title="Previous pelvic surgery or radiotherapy with urinary symptoms", domain="urinary",
      citation=src.NG123_REFERRAL, reference="clinical reference 4.3 U11",
      variants={"default": V("T3", "NICE_NG123_PREVIOUS_SURGERY",
                             "Urinary symptoms after {detail}: GP review and specialist referral (NICE NG123).",
                             "Because you have had {detail}, your bladder symptoms should also be reviewed by your GP "
                             "and possibly a specialist.", "GP review; specialist referral.")})
def u11(f: Facts) -> Hit | None:
    found = [s for s in f.picked(BB, "previous_surgery") if s in ("continence", "pelvic_cancer", "radiotherapy")]
    if not found or not _urinary_symptoms(f):
        return None
    names = {"continence": "continence surgery", "pelvic_cancer": "pelvic cancer surgery",
             "radiotherapy": "pelvic radiotherapy"}
    return Hit(because=tuple(found), values={"detail": " and ".join(names[s] for s in found)})


@rule("U12", title="Conservative or drug treatment has not helped", domain="urinary",
      citation=src.BLADDERMATTERS + "; reference 6.2 T2b (failed PFMT >= 3 months)", reference="clinical reference 4.3 U12",
      variants={"default": V("T2b", "SPECIALIST_FAILED_CONSERVATIVE",
                             "Symptoms persist despite {detail}: specialist (urogynaecology) referral.",
                             "As the treatment so far hasn't helped, the next step is a specialist opinion. Your "
                             "physiotherapist or GP can refer you.", "Urogynaecology referral.")})
def u12(f: Facts) -> Hit | None:
    tried = f.picked(BB, "previous_treatment")
    if tried and f.is_(BB, "treatment_helped", "no"):
        return Hit(because=(*tried, "treatment_helped=no"),
                   values={"detail": ", ".join(t.replace("_", " ") for t in tried)})
    return None


@rule("U13", title="Acute urinary retention", domain="urinary",
      citation="Clinical reference 4.3 U13 [R/M]; gpreasoning POP pathway (retention: catheterise same day) [S2]",
      reference="clinical reference 4.3 U13",
      variants={"default": V("T5", "RF_ACUTE_RETENTION",
                             "Acute urinary retention: same-day assessment and catheterisation.",
                             "Not being able to pass urine when you need to is an emergency. Please go to A&E or an "
                             "urgent care centre now, or call NHS 111.",
                             "Same-day emergency assessment; no exercise advice until seen.")})
def u13(f: Facts) -> Hit | None:
    return Hit(because=("retention=true",)) if f.yes(BB, "retention") else None


@rule("U14", title="Recurrent UTI without haematuria", domain="urinary",
      citation="Clinical reference 4.3 U14 [R/M]; NG123 (post-void residual if recurrent UTI) [M]",
      reference="clinical reference 4.3 U14",
      variants={"default": V("T3", "RECURRENT_UTI",
                             "Recurrent UTI without reported haematuria: GP review (urine culture, post-void residual).",
                             "Urine infections that keep coming back are worth a GP review to look for a cause.",
                             "GP review.")})
def u14(f: Facts) -> Hit | None:
    if f.yes(BB, "recurrent_uti") and not f.yes(BB, "uti_blood"):
        return Hit(because=("recurrent_uti=true",))
    return None


@rule("UI-ATYPICAL", title="Leakage while asleep or for no obvious reason", domain="urinary",
      citation="Clinical reference 2.1 runner note (consider overflow, fistula or a neurological cause) [M, "
               "unverified; switch off with Config.atypical_leakage_gp]",
      reference="clinical reference 2.1",
      variants={"default": V("T3", "UI_ATYPICAL_LEAKAGE",
                             "Leakage {detail}: GP review (consider overflow, fistula, neurological cause).",
                             "Leaking while asleep or for no clear reason is worth a GP check alongside physiotherapy.",
                             "GP review.")})
def ui_atypical(f: Facts) -> Hit | None:
    if not f.config.atypical_leakage_gp:
        return None
    found = sorted(set(f.picked(BB, "leak_when")) & {"asleep", "no_reason"}
                   | set(f.picked("iciq-ui-sf", "6")) & {"asleep", "no_reason"})
    return Hit(because=tuple(found), values={"detail": " and ".join(x.replace("_", " ") for x in found)}) if found else None


@rule("SYM-UI", title="Urinary leakage", domain="urinary", citation=src.QS77 + "; " + src.TIER_MODEL,
      reference="clinical reference 6.1, 6.2 (T2a)",
      variants={"default": V("T2a", "SYM_URINARY_LEAKAGE",
                             "Urinary leakage ({detail}): offer supervised PFMT (>= 8 contractions 3 times a day for "
                             ">= 3 months, NICE QS77) after confirming a correct contraction.",
                             "Leaking urine is common, especially in runners and after having a baby, and pelvic floor "
                             "training with a physiotherapist helps most people. You don't have to put up with it.",
                             "Supervised pelvic floor muscle training.")})
def sym_ui(f: Facts) -> Hit | None:
    detail = [d for d, on in (("bladder intake", f.yes(BB, "leak")),
                              ("ICIQ-UI SF frequency > 0", f.is_("iciq-ui-sf", "3", 1, 2, 3, 4, 5)),
                              ("ICIQ-UI SF amount > 0", f.is_("iciq-ui-sf", "4", 2, 4, 6)),
                              ("Sandvik frequency > 0", f.is_("sandvik-isi", "frequency", 1, 2, 3, 4))) if on]
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)}) if detail else None


@rule("SYM-URGENCY", title="Urinary urgency", domain="urinary",
      citation="NICE urinary incontinence guidance: supervised bladder training first line for urgency or mixed UI "
               "(tmmagazine NICE summary) [S2]; " + src.TIER_MODEL,
      reference="clinical reference 6.1, 6.2 (T2a)",
      variants={"default": V("T2a", "SYM_URINARY_URGENCY",
                             "Urinary urgency difficult to defer ({detail}): bladder training (see recommendation) "
                             "with pelvic health physiotherapy; bladder diary.",
                             "Sudden urges that are hard to hold on can be retrained. Your physiotherapist can show "
                             "you bladder training and urge-control techniques.", "Bladder training.")})
def sym_urgency(f: Facts) -> Hit | None:
    detail = [d for d, on in (("bladder intake", f.yes(BB, "urgency") or f.is_(BB, "leak_when", "urgency")),
                              ("ICIQ-UI SF Q6 before reaching the toilet", f.is_("iciq-ui-sf", "6", "before_toilet"))) if on]
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)}) if detail else None


@rule("SYM-UDI", title="Urinary symptoms on PFDI-20 (UDI-6)", domain="urinary",
      citation="Barber MD et al. Am J Obstet Gynecol 2005;193:103-113 (PFDI-20; UDI-6 items 15-20) [S]; "
               "population median UDI-6 = 0 (PMID 22532248) [S]; " + src.TIER_MODEL,
      reference="clinical reference 2.3, 6.2 (T2a)",
      variants={"default": V("T2a", "SYM_PFDI_UDI",
                             "PFDI-20 UDI-6 item(s) {detail} answered yes: urinary symptoms for pelvic health "
                             "physiotherapy assessment.",
                             "You told us about some bladder symptoms. A pelvic health physiotherapist can help with "
                             "these.", "Pelvic health physiotherapy.")})
def sym_udi(f: Facts) -> Hit | None:
    items = [i for i in PFDI_UDI if (f.num("pfdi-20", i) or 0) > 0]
    return Hit(because=tuple(f"pfdi-20.{i}" for i in items), values={"detail": ", ".join(items)}) if items else None
