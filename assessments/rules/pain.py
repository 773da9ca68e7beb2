"""Pelvic pain: red flags PP1-PP9 (clinical reference section 4.2) and the seed 001 statements
that change a tier (PP-09, PP-19), plus the symptom codes SYM-PAIN and SYM-CSI.

The cauda equina, acute-pain, mass, ovarian-symptom, weight-loss and self-harm questions are
asked of everyone; the rest apply only when the patient reports pelvic pain.
"""

from __future__ import annotations

from . import sources as src
from .base import BB, CTX, PAIN, Facts, Hit, V, rule

BOWEL_CHANGE_AGE = 50   # RCOG GTG41 red flag "new bowel symptoms over 50" [S], read as >= 50 [R]
IRREGULAR_BLEEDING_AGE = 40
CSI_MODERATE = 40       # Neblett 2017 CSI severity levels: moderate 40-49 [S]
BSI_SITES = ("groin", "buttock", "sacrum", "pubic")
CES_SYMPTOMS = ("saddle_numbness", "bladder_change", "bladder_control", "bowel_control", "leg_weakness", "sexual")


@rule("PP1", title="RCOG red flags with pelvic pain; suicidal ideation", domain="pain",
      citation=src.RCOG_41, reference="clinical reference 4.2 PP1",
      variants={
          "rcog": V("T4", "RF_CPP_RCOG_RED_FLAG",
                    "Pelvic pain with RCOG red flag(s): {detail}. Urgent GP review; 2-week-wait gynaecology or "
                    "lower-GI referral as appropriate.",
                    "Along with your pain you mentioned {detail_plain}. This combination should be checked by a "
                    "doctor soon. Please see your GP within the next few days and show them this report.",
                    "Urgent GP appointment; suspected-cancer pathway as appropriate."),
          "suicidal_intent": V("T5", "RF_SUICIDAL_INTENT",
                               "Suicidal ideation with plans or intent: same-day mental health crisis care.",
                               "Thank you for telling us. You deserve support right now. If you might act on these "
                               "thoughts, call 999 or go to A&E now. You can also call NHS 111 (option 2 for mental "
                               "health) or Samaritans on 116 123, any time, day or night.",
                               "Same-day crisis assessment; contact the patient today.", domain="general"),
          "suicidal": V("T4", "RF_SUICIDAL_IDEATION",
                        "Suicidal ideation without reported plans: urgent mental health assessment (GP within days, "
                        "or crisis line); safety-net today.",
                        "Thank you for telling us. These thoughts are more common than people think, and help works. "
                        "Please talk to your GP in the next few days. If the thoughts get stronger, call NHS 111 "
                        "(option 2), Samaritans on 116 123, or 999.",
                        "Urgent mental health assessment; safety-net advice today.", domain="general"),
      })
def pp1(f: Facts) -> list[Hit]:
    hits = []
    if f.is_(PAIN, "self_harm", "plans"):
        hits.append(Hit("suicidal_intent", ("intake-pelvic-pain.self_harm=plans",)))
    elif f.is_(PAIN, "self_harm", "thoughts"):
        hits.append(Hit("suicidal", ("intake-pelvic-pain.self_harm=thoughts",)))
    if f.has_pain:
        found = []
        if f.rectal_blood:
            found.append(("bleeding per rectum", "bleeding from the back passage"))
        if f.yes(BB, "bowel_change") and f.age is not None and f.age >= BOWEL_CHANGE_AGE:
            found.append(("new bowel symptoms at 50 or over", "a change in your bowel habit"))
        if f.pain("after_menopause", "yes"):
            found.append(("new pain after the menopause", "pain that started after the menopause"))
        if f.is_(PAIN, "mass", "yes"):
            found.append(("pelvic mass (not known fibroids)", "a lump or swelling"))
        if f.yes(PAIN, "weight_loss"):
            found.append(("weight loss", "weight loss without trying"))
        if f.irregular_bleeding and f.age is not None and f.age >= IRREGULAR_BLEEDING_AGE:
            found.append(("irregular vaginal bleeding at 40 or over", "irregular bleeding"))
        if f.vb("after_sex", "yes"):
            found.append(("post-coital bleeding", "bleeding after sex"))
        if found:
            hits.append(Hit("rcog", tuple(c for c, _ in found),
                            {"detail": "; ".join(c for c, _ in found), "detail_plain": ", ".join(p for _, p in found)}))
    return hits


@rule("PP2", title="Possible ovarian cancer symptoms", domain="pain", citation=src.OVARIAN,
      reference="clinical reference 4.2 PP2",
      variants={"default": V(
          "T4", "RF_OVARIAN_SYMPTOMS",
          "Persistent or frequent (>12 days/month) {detail}{age_note}: CA125 +/- pelvic ultrasound (NICE-based "
          "pathway).",
          "Having {detail} on most days is worth checking with a simple blood test. Please see your GP within the "
          "next few days and mention how often it happens.",
          "Urgent GP appointment for CA125 and ultrasound.")})
def pp2(f: Facts) -> Hit | None:
    symptoms = f.picked(PAIN, "ovarian")
    if not symptoms or not f.is_(PAIN, "ovarian_days", "over_12"):
        return None
    detail = ", ".join(s.replace("_", " ") for s in symptoms)
    note = " in a woman aged 50 or over" if f.age is not None and f.age >= 50 else ""
    return Hit(because=tuple(f"intake-pelvic-pain.ovarian={s}" for s in symptoms) + ("ovarian_days=over_12",),
               values={"detail": detail, "age_note": note})


@rule("PP3", title="Acute severe pelvic pain", domain="pain",
      citation=src.NHSGGC_EPAS + " (ectopic) [S]; torsion, PID and appendicitis features [M]",
      reference="clinical reference 4.2 PP3",
      variants={"default": V(
          "T5", "RF_ACUTE_SEVERE_PELVIC_PAIN",
          "Acute severe pelvic pain{features}: emergency assessment (ectopic pregnancy, torsion, PID, "
          "appendicitis).",
          "Sudden severe pain in your tummy or pelvis needs checking straight away. Please call 999 or go to A&E "
          "now, or call NHS 111 if you are unsure.",
          "Emergency assessment today; no exercise advice until seen.")})
def pp3(f: Facts) -> Hit | None:
    if not f.yes(PAIN, "acute_severe"):
        return None
    feats = f.picked(PAIN, "acute_features")
    if f.pregnancy_possible:
        feats = [*feats, "possible pregnancy"]
    text = f" with {', '.join(x.replace('_', ' ') for x in feats)}" if feats else ""
    return Hit(because=("intake-pelvic-pain.acute_severe=true", *feats), values={"features": text})


@rule("PP4", title="Pelvic pain with fever or abnormal discharge", domain="pain", citation=src.STI,
      reference="clinical reference 4.2 PP4",
      variants={"default": V(
          "T4", "RF_PAIN_FEVER_DISCHARGE",
          "Pelvic pain with {detail}: STI / PID screen (chlamydia, gonorrhoea) within days; same day if systemically "
          "unwell.",
          "Pain with {detail_plain} can be a sign of an infection that needs treatment. Please see your GP or a "
          "sexual health clinic within the next few days, or today if you feel very unwell.",
          "Urgent GP / sexual health review.")})
def pp4(f: Facts) -> Hit | None:
    detail = [d for d, on in (("fever", f.pain("fever")), ("abnormal discharge", f.pain("discharge"))) if on]
    if not detail:
        return None
    plain = " and ".join("a fever" if d == "fever" else "unusual discharge" for d in detail)
    return Hit(because=tuple(detail), values={"detail": " and ".join(detail), "detail_plain": plain})


@rule("PP5", title="Possible cauda equina syndrome", domain="pain", citation=src.GIRFT_CES,
      reference="clinical reference 4.2 PP5 (and 4.5 F2, 4.3 U8)",
      variants={"default": V(
          "T5", "RF_CAUDA_EQUINA",
          "{onset} cauda equina symptom(s): {detail}. Immediate hospital referral for emergency MRI.",
          "Some of the changes you describe can mean pressure on the nerves at the bottom of the spine, which "
          "needs checking today. Please go to A&E now (or call 999). Don't wait for your appointment.",
          "Immediate referral for emergency MRI.")})
def pp5(f: Facts) -> Hit | None:
    symptoms = [s for s in f.picked(PAIN, "ces_symptoms") if s in CES_SYMPTOMS]
    if "sexual" in symptoms and not f.yes(PAIN, "back_leg_pain"):
        symptoms.remove("sexual")  # sexual dysfunction counts with back or leg pain (GIRFT)
    if not symptoms or not f.is_(PAIN, "ces_onset", "new", "worsening"):
        return None
    onset = "New (within 2 weeks)" if f.is_(PAIN, "ces_onset", "new") else "Worsening"
    return Hit(because=tuple(symptoms) + (f"onset={f.v(PAIN, 'ces_onset')}",),
               values={"onset": onset, "detail": ", ".join(s.replace("_", " ") for s in symptoms)})


@rule("PP6", title="Possible pelvic or femoral-neck bone stress injury", domain="pain",
      citation=src.BSI + "; " + src.BSI_POLICY, reference="clinical reference 4.2 PP6",
      variants={
          "default": V(
              "T4", "RF_BONE_STRESS_INJURY",
              "{sites} pain with {signs}: suspected high-risk bone stress injury (femoral neck / sacrum / pelvis). "
              "Stop running; urgent imaging and sports medicine review.",
              "Pain in this area that {signs_plain} can be a stress injury in the bone. Please stop running for now "
              "and see your GP or a sports doctor within the next few days; you may need a scan.",
              "Stop running; urgent imaging / sports medicine."),
          "risk": V(
              "T4", "RF_BONE_STRESS_INJURY_RISK_CONTEXT",
              "{sites} pain with {signs} in context of {context}: suspected high-risk bone stress injury (femoral "
              "neck / sacrum / pelvis), risk context raises the likelihood. Stop running now; urgent imaging and "
              "sports medicine review within days.",
              "Pain in this area that {signs_plain} can be a stress injury in the bone, and {context_plain} makes "
              "that more likely. Please stop running now and see your GP or a sports doctor within the next few "
              "days; you may need a scan.",
              "Stop running now; urgent imaging / sports medicine."),
      })
def pp6(f: Facts) -> Hit | None:
    # A high-risk site AND at least one clinical sign (clinical policy section 4); risk context
    # changes the wording only and never fires the rule alone.
    sites = [s for s in f.picked(PAIN, "sites") if s in BSI_SITES] if f.has_pain else []
    if not sites:
        return None
    found = [(c, p) for c, p, on in (
        ("pain with impact", "is worse with running or jumping", f.pain("impact_worse")),
        ("pain on single-leg hop", "hurts when you hop", f.pain("hop_pain")),
        ("night / rest pain", "aches at rest or wakes you at night", f.pain("night_pain")),
        ("local bony tenderness on examination", "is tender over the bone", f.yes(PAIN, "bony_tenderness"))) if on]
    if not found:
        return None
    risk = [(c, p) for c, p, on in (
        ("within the postnatal window", "having had a baby recently", f.postnatal),
        ("breastfeeding", "breastfeeding", f.breastfeeding),
        ("under-fuelling", "not eating enough for your training", f.yes(CTX, "skip_meals")),
        ("previous bone stress injury", "a previous stress injury",
         (f.num("reds-cat2", "bsi_high") or 0) + (f.num("reds-cat2", "bsi_low") or 0) > 0),
        ("known low bone density", "low bone density", f.is_(CTX, "diagnoses", "low_bone_density"))) if on]
    values = {"sites": "/".join(sites).capitalize(), "signs": " and ".join(c for c, _ in found),
              "signs_plain": _joined([p for _, p in found], "or")}
    because = tuple(sites) + tuple(c for c, _ in found) + tuple(c for c, _ in risk)
    if risk:
        return Hit("risk", because, {**values, "context": ", ".join(c for c, _ in risk),
                                     "context_plain": _joined([p for _, p in risk], "and")})
    return Hit("default", because, values)


def _joined(words: list[str], conj: str) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conj} " + words[-1]


@rule("PP7", title="Persistent pelvic pain (6 months or more)", domain="pain", citation=src.BNSSG_CPP,
      reference="clinical reference 4.2 PP7",
      variants={"default": V(
          "T3", "RF_PERSISTENT_PELVIC_PAIN",
          "Pelvic pain for 6 months or more (RCOG chronic pelvic pain): GP review; general gynaecology / pain "
          "service if inadequately explained or uncontrolled after 3-6 months of treatment.",
          "Pain that has lasted six months or more deserves a proper look from your GP as well as physiotherapy. "
          "Please book a GP appointment and share this report.",
          "GP review; consider gynaecology or pain service.")})
def pp7(f: Facts) -> Hit | None:
    return Hit(because=("intake-pelvic-pain.duration=6m_plus",)) if f.pain("duration", "6m_plus") else None


@rule("PP8", title="Features suggesting endometriosis", domain="pain", citation=src.ENDO,
      reference="clinical reference 4.2 PP8",
      variants={"default": V(
          "T3", "RF_ENDOMETRIOSIS_FEATURES",
          "Pelvic pain with {detail}: consider endometriosis / adenomyosis; GP review +/- gynaecology.",
          "Pain that follows your cycle, deep pain with sex, or pain opening your bowels around your period can "
          "have a cause that doctors can treat. Please book a GP appointment to talk about it.",
          "GP review; consider gynaecology referral.")})
def pp8(f: Facts) -> Hit | None:
    detail = [d for d, on in (("cyclical pain", f.pain("cyclical", "yes")),
                              ("deep dyspareunia", f.pain("dyspareunia", "deep", "both")),
                              ("dyschezia", f.pain("dyschezia"))) if on]
    return Hit(because=tuple(detail), values={"detail": ", ".join(detail)}) if detail else None


@rule("PP9", title="Mood screen in pelvic pain", domain="pain",
      citation="BNSSG Remedy persistent pelvic pain pathway: assess mood (PHQ-2 / PHQ-9) [S]",
      reference="clinical reference 4.2 PP9",
      variants={"default": V(
          "T2a", "PAIN_MOOD_SCREEN",
          "Pelvic pain with low mood or loss of interest: complete PHQ-9 and include mood in the pain plan.",
          "Living with pain can wear you down. Your physiotherapist will ask a few more questions about how you "
          "are feeling, because looking after your mood is part of treating pain.",
          "Clinician completes PHQ-9.")})
def pp9(f: Facts) -> Hit | None:
    # Once the PHQ-2/PHQ-9 has been answered, the mood rules (rules/mood.py) speak for it.
    if f.has("phq-9"):
        return None
    return Hit(because=("intake-pelvic-pain.low_mood=true",)) if f.pain("low_mood") else None


@rule("SYM-PAIN", title="Pelvic pain", domain="pain", citation=src.TIER_MODEL + "; " + src.SEED_001 + " (PP-01, PP-13)",
      reference="clinical reference 6.2 (T2a)",
      variants={"default": V(
          "T2a", "SYM_PELVIC_PAIN",
          "Pelvic pain ({sites}): supervised pelvic health physiotherapy assessment, including whether the pelvic "
          "floor muscles are overactive (down-training before strengthening).",
          "Pelvic pain is something a pelvic health physiotherapist can help with. They will check how your "
          "pelvic floor and surrounding muscles are working and build a plan with you.",
          "Pelvic health physiotherapy.")})
def sym_pain(f: Facts) -> Hit | None:
    if not f.has_pain:
        return None
    sites = ", ".join(s.replace("_", " ") for s in f.picked(PAIN, "sites")) or "site not given"
    return Hit(because=("intake-pelvic-pain.has_pain=true",), values={"sites": sites})


@rule("PP-09", title="Pelvic pain recurring with runs or lasting into the next day", domain="pain",
      citation=src.SEED_001 + " (PP-09, PP-17) [R]", reference="clinical reference 1.2 PP-09",
      variants={"default": V(
          "T2a", "SEED_PAIN_RECURRENT_WITH_RUNS",
          "Pelvic pain {detail}: professional evaluation; pain should settle by the next morning and not build "
          "week to week.",
          "Pain that keeps coming back with running, or is still there the next day, shouldn't be ignored or "
          "pushed through. Your physiotherapist will help you adjust your running while you find the cause.",
          "Pelvic health physiotherapy; load modification.")})
def pp09(f: Facts) -> Hit | None:
    detail = [d for d, on in (("on two or more runs", f.pain("runs_affected", "some_runs", "most_runs")),
                              ("lasting more than 24 hours after running", f.pain("timing", "next_day"))) if on]
    return Hit(because=tuple(detail), values={"detail": " and ".join(detail)}) if detail else None


@rule("PP-19", title="Persistent or worsening pelvic pain, or pain with incontinence", domain="pain",
      citation=src.SEED_001 + " (PP-19)", reference="clinical reference 1.2 PP-19",
      variants={"default": V(
          "T2a", "SEED_PAIN_WORSENING_OR_INCONTINENCE",
          "Pelvic pain {detail}: specialist pelvic health evaluation (RCOG red flags checked separately).",
          "Pain that is getting worse, or that comes with leaking, is a good reason to see a pelvic health "
          "physiotherapist.",
          "Pelvic health physiotherapy.")})
def pp19(f: Facts) -> Hit | None:
    if not f.has_pain:
        return None
    detail = [d for d, on in (("getting worse", f.pain("trend", "worse")),
                              ("with urinary or faecal incontinence", f.leakage or bool(f.bowel_leakage))) if on]
    return Hit(because=tuple(detail), values={"detail": " and ".join(detail)}) if detail else None


@rule("SYM-CSI", title="Central sensitisation features with pelvic pain", domain="pain", citation=src.NEBLETT,
      reference="clinical reference 2.12", phase=2,
      variants={"default": V(
          "T2a", "SYM_CSI_MODERATE_PLUS",
          "CSI {total} (moderate or above, Neblett 2017) with pelvic pain: consider a nociplastic contribution; pain "
          "education and graded activity; consider pain-service referral.",
          "Your answers suggest your nervous system may be amplifying pain signals. That is real and treatable: "
          "your physiotherapist can explain it and plan a gradual approach with you.",
          "Pain education; graded activity.")})
def sym_csi(f: Facts) -> Hit | None:
    total = f.total("csi")
    if total is None or total < CSI_MODERATE or not f.has_pain:
        return None
    return Hit(because=(f"csi total={total}",), values={"total": total})

