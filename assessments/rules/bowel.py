"""Bowel: red flags F1-F4 (clinical reference section 4.5) and the symptom code SYM-BOWEL.

The reference lists F1-F4 only; there is no F5."""

from __future__ import annotations

from . import sources as src
from .base import BB, CTX, PAIN, Facts, Hit, V, rule

BOWEL_CHANGE_AGE = 50  # RCOG GTG41 "new bowel symptoms over 50" [S], read as >= 50 [R]
NG12_RECTAL_AGE = 50   # NICE NG12 1.3.1: aged 50 and over with unexplained rectal bleeding [S]
PFDI_CRADI = ("7", "8", "9", "10", "11", "12", "13", "14")
WEXNER = ("solid", "liquid", "gas", "pad", "lifestyle")
ST_MARKS = ("solid", "liquid", "gas", "lifestyle", "pad", "medicines", "urgency")


@rule("F1", title="Lower-GI red flags", domain="bowel", citation=src.F1 + "; " + src.NG12_COLORECTAL, reference="clinical reference 4.5 F1",
      variants={
          "rectal": V("T4", "RF_RECTAL_BLEEDING",
                      "Rectal bleeding at age {age}{with_}: urgent GP review; suspected-cancer (lower-GI) pathway per "
                      "NICE NG12.",
                      "Blood from your back passage should be checked by a doctor soon. Please see your GP within "
                      "the next few days and show them this report.",
                      "Urgent GP appointment."),
          "rectal_under50": V("T3", "RECTAL_BLEEDING_UNDER50",
                              "Rectal bleeding at age {age} without abdominal pain, change in bowel habit, weight loss "
                              "or iron-deficiency anaemia: GP review (NICE NG12: no suspected-cancer criterion met; "
                              "re-assess if any of these appear).",
                              "Blood from your back passage should be checked by your GP. Please book an appointment "
                              "in the next couple of weeks. If you also get tummy pain, a lasting change in your bowel "
                              "habit or weight loss, see them sooner.",
                              "GP review."),
          "habit_50": V("T4", "RF_BOWEL_HABIT_CHANGE_50PLUS",
                        "New, persistent change in bowel habit at age {age}: urgent GP review (lower-GI pathway).",
                        "A lasting change in your bowel habit should be checked by your GP soon. Please book an "
                        "appointment within the next few days.", "Urgent GP appointment."),
          "habit": V("T3", "BOWEL_HABIT_CHANGE",
                     "New, persistent change in bowel habit under 50: GP review.",
                     "A lasting change in your bowel habit is worth discussing with your GP.", "GP review."),
          "weight_loss": V("T4", "RF_UNEXPLAINED_WEIGHT_LOSS",
                           "Unintentional weight loss: urgent GP review (also consider low energy availability in a "
                           "runner, but do not assume it).",
                           "Losing weight without trying should be checked by your GP soon, even if you are training "
                           "hard. Please book an appointment within the next few days.", "Urgent GP appointment."),
          "ida": V("T4", "RF_IRON_DEFICIENCY_ANAEMIA",
                   "Iron-deficiency anaemia: urgent GP review (lower-GI pathway as indicated).",
                   "Your blood tests show low iron. Your GP should look for the reason soon.", "Urgent GP appointment."),
      })
def f1(f: Facts) -> list[Hit]:
    hits = []
    if f.rectal_blood:
        # NICE NG12 1.3.1 / 1.3.3 (clinical policy section 3); unknown age is treated as 50 or over.
        age = f.age
        features = [d for d, on in (
            ("abdominal pain", f.pain("sites", "lower_abdomen") or f.is_(PAIN, "ovarian", "tummy_pain")
             or f.yes(PAIN, "acute_severe")),
            ("change in bowel habit", f.yes(BB, "bowel_change")),
            ("weight loss", f.yes(PAIN, "weight_loss")),
            ("iron-deficiency anaemia", f.yes(BB, "ida"))) if on]
        shown = "unknown" if age is None else int(age)
        if age is None or age >= NG12_RECTAL_AGE or features:
            hits.append(Hit("rectal", ("rectal bleeding", f"context.age={shown}", *features),
                            {"age": shown, "with_": f" with {', '.join(features)}" if features else ""}))
        else:
            hits.append(Hit("rectal_under50", ("rectal bleeding", f"context.age={shown}"), {"age": shown}))
    if f.yes(BB, "bowel_change"):
        if f.age is None or f.age >= BOWEL_CHANGE_AGE:
            hits.append(Hit("habit_50", ("bowel_change=true", f"context.age={f.age}"),
                            {"age": "unknown" if f.age is None else int(f.age)}))
        else:
            hits.append(Hit("habit", ("bowel_change=true", f"context.age={int(f.age)}")))
    if f.yes(PAIN, "weight_loss"):
        hits.append(Hit("weight_loss", ("weight_loss=true",)))
    if f.yes(BB, "ida"):
        hits.append(Hit("ida", ("ida=true",)))
    return hits


@rule("F2", title="New faecal incontinence with saddle or bladder symptoms", domain="bowel", citation=src.GIRFT_CES,
      reference="clinical reference 4.5 F2",
      variants={"default": V("T5", "RF_NEW_FI_WITH_CES_FEATURES",
                             "New faecal incontinence with {detail}: possible cauda equina syndrome; immediate hospital "
                             "referral for emergency MRI.",
                             "New bowel leakage together with numbness or bladder changes needs checking today. Please "
                             "go to A&E now (or call 999).", "Immediate referral for emergency MRI.")})
def f2(f: Facts) -> Hit | None:
    if not (f.bowel_leakage and f.yes(BB, "bowel_leak_new")):
        return None
    ces = [s for s in f.picked(PAIN, "ces_symptoms") if s in ("saddle_numbness", "bladder_change", "bladder_control")]
    if not ces:
        return None
    return Hit(because=("bowel_leak_new=true", *ces), values={"detail": ", ".join(c.replace("_", " ") for c in ces)})


@rule("F3", title="Postnatal faecal incontinence", domain="bowel", citation=src.F3 + "; " + src.POLICY_WINDOW, reference="clinical reference 4.5 F3",
      phase=2,
      variants={
          "default": V("T3", "POSTNATAL_FAECAL_INCONTINENCE",
                       "Postnatal faecal incontinence ({detail}): pelvic health physiotherapy and GP review; colorectal "
                       "referral if not improving.",
                       "Leaking wind or poo after having a baby is more common than people think and it can get "
                       "better. Please see your GP as well as a pelvic health physiotherapist.",
                       "Pelvic health physiotherapy and GP review."),
          "oasi": V("T3", "POSTNATAL_FI_AFTER_OASI",
                    "Postnatal faecal incontinence after a third- or fourth-degree tear ({detail}): pelvic health "
                    "physiotherapy and GP / perineal clinic review; colorectal referral if not improving.",
                    "Leaking wind or poo after a bigger tear should be followed up by your GP or the hospital's "
                    "perineal clinic as well as a pelvic health physiotherapist.",
                    "Pelvic health physiotherapy; GP or perineal clinic review."),
      })
def f3(f: Facts) -> Hit | None:
    if not f.postnatal:
        return None
    detail = []
    if f.bowel_leakage:
        detail.append("bowel intake: " + ", ".join(f.bowel_leakage))
    for inst in ("wexner", "st-marks"):
        total = f.total(inst)
        if total:
            detail.append(f"{inst} total {total}")
    if not detail:
        return None
    variant = "oasi" if f.is_(CTX, "perineal_trauma", "oasi") else "default"
    return Hit(variant, tuple(detail), {"detail": "; ".join(detail)})


@rule("F4", title="Obstructed defecation or rectal prolapse", domain="bowel", citation=src.F4,
      reference="clinical reference 4.5 F4",
      variants={"default": V("T3", "OBSTRUCTED_DEFECATION",
                             "Obstructed defecation ({detail}): GP review; colorectal referral.",
                             "Needing to strain, press to empty, or feeling something bulge from the back passage can "
                             "be helped. Please see your GP as well as your physiotherapist.",
                             "GP review; colorectal referral.")})
def f4(f: Facts) -> Hit | None:
    found = f.obstructed_defecation
    if "digitation" in found or "rectal_bulge" in found or {"straining", "incomplete"} <= set(found):
        return Hit(because=tuple(found), values={"detail": ", ".join(x.replace("_", " ") for x in found)})
    return None


@rule("SYM-BOWEL", title="Bowel symptoms", domain="bowel", citation=src.TIER_MODEL + "; " + src.SEED_001 + " (PP-06, PP-08)",
      reference="clinical reference 6.2 (T2a)",
      variants={"default": V("T2a", "SYM_BOWEL",
                             "Bowel symptoms ({detail}): pelvic health physiotherapy (bowel habits, PFMT, urgency "
                             "strategies).",
                             "Bowel urgency or leakage, especially around runs, is something a pelvic health "
                             "physiotherapist can help with.", "Pelvic health physiotherapy.")})
def sym_bowel(f: Facts) -> Hit | None:
    detail = [d for d, on in (
        ("bowel urgency", f.yes(BB, "bowel_urgency")),
        ("bowel leakage", bool(f.bowel_leakage)),
        ("obstructed defecation symptoms", bool(f.obstructed_defecation)),
        ("PFDI-20 CRADI-8 item answered yes", any((f.num("pfdi-20", i) or 0) > 0 for i in PFDI_CRADI)),
        ("Wexner item > 0", any((f.num("wexner", i) or 0) > 0 for i in WEXNER)),
        ("St Mark's item > 0", any((f.num("st-marks", i) or 0) > 0 for i in ST_MARKS))) if on]
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)}) if detail else None
