"""Bleeding and spotting: red flags B1-B12 (clinical reference section 4.1) and the seed 000
statements that change a tier (SP-04, SP-15, SP-19, SP-23, SP-25, SP-26).

Source first (reference section 6.2 note 4): the vaginal rules read only the vaginal branch of
``intake-bleeding`` (an unsure source counts as vaginal and is flagged by B11); blood in the urine
goes to B11/U2, blood from the back passage to F1.
"""

from __future__ import annotations

from . import sources as src
from .base import BLEED, CTX, Facts, Hit, V, rule

# Age thresholds below are [S] in the reference and therefore constants, not configuration.
PMB_URGENT_AGE = 55        # NICE NG12: postmenopausal bleeding at 55 or over -> suspected-cancer pathway [S]
IRREGULAR_BLEEDING_AGE = 40  # RCOG GTG41 red flag "irregular vaginal bleeding over 40" [S], read as >= 40 [R]
PCB_REFER_AGE = 35          # Cornwall / HWE: post-coital bleeding over 35 for more than 4 weeks -> refer [S]
SECONDARY_PPH_WEEKS = 6     # HSE: secondary postpartum haemorrhage window 24 hours to 6 weeks [S]


@rule("B1", title="Possible pregnancy with bleeding or pain", domain="bleeding",
      citation=src.NHSGGC_EPAS + "; emergency medicine texts: pregnancy test mandatory with abnormal bleeding [S2]; "
      + src.POLICY_ECTOPIC,
      reference="clinical reference 4.1 B1",
      variants={
          "ectopic": V("T5", "RF_BLEED_PREGNANCY_ECTOPIC_SIGNS",
                       "Bleeding with possible or confirmed pregnancy and {signs}: exclude ectopic pregnancy today "
                       "(early pregnancy unit / emergency department).",
                       "Bleeding when you could be pregnant, together with {signs_plain}, needs checking today. "
                       "Please call 999 or go to A&E now if the pain is severe or you feel faint; otherwise call your "
                       "early pregnancy unit, maternity triage or NHS 111 now.",
                       "Same-day emergency assessment; no exercise advice until seen."),
          "ectopic_pain": V("T5", "RF_PREGNANCY_ECTOPIC_SIGNS_WITH_PAIN",
                            "Possible or confirmed pregnancy with pelvic pain and {signs} (no bleeding reported): "
                            "exclude ectopic pregnancy today (early pregnancy unit / emergency department); ectopic "
                            "pregnancy can present without bleeding.",
                            "Pain when you could be pregnant, together with {signs_plain}, needs checking today. "
                            "Please call 999 or go to A&E now if the pain is severe or you feel faint; otherwise call "
                            "your early pregnancy unit, maternity triage or NHS 111 now.",
                            "Same-day emergency assessment; no exercise advice until seen."),
          "pregnant": V("T5", "RF_BLEED_IN_PREGNANCY",
                        "Vaginal bleeding in a known pregnancy: same-day assessment by maternity triage / early "
                        "pregnancy unit.",
                        "Any bleeding while you are pregnant should be checked today. Please contact your midwife, "
                        "maternity triage or early pregnancy unit now.",
                        "Same-day maternity or early pregnancy assessment."),
          "test": V("T3", "RF_BLEED_PREGNANCY_TEST",
                    "Abnormal bleeding and pregnancy not excluded: pregnancy test before the bleeding is attributed "
                    "to running; if positive, same-day early pregnancy assessment.",
                    "Because you could be pregnant, please do a home pregnancy test before putting this bleeding "
                    "down to running. If it is positive, contact your GP, midwife or early pregnancy unit today.",
                    "Pregnancy test now; escalate to same day if positive."),
      })
def b1(f: Facts) -> Hit | None:
    # Ectopic pregnancy can present without bleeding (clinical policy section 3): the signs are asked
    # whenever pregnancy is possible and there is pain or bleeding, in the bleeding or the pain intake.
    if not f.pregnancy_possible or not (f.vaginal_bleeding or f.has_pain):
        return None
    signs = []
    if f.vb("pain", "one_sided") or f.pain("ectopic_signs", "one_sided"):
        signs.append("one-sided pelvic pain")
    if f.vb("pain", "shoulder_tip") or f.pain("ectopic_signs", "shoulder_tip"):
        signs.append("shoulder-tip pain")
    if f.vb("faint", "faint", "dizzy") or f.pain("ectopic_signs", "faint"):
        signs.append("faintness or dizziness")
    if f.vb("faint", "racing_heart") or f.pain("ectopic_signs", "racing_heart"):
        signs.append("a fast heartbeat")
    status = f.c("pregnancy")
    because = (f"context.pregnancy={status}",
               f"intake-bleeding.source={f.bleeding_source}" if f.vaginal_bleeding else "intake-pelvic-pain.has_pain=true")
    if signs:
        plain = ", ".join(signs).replace("one-sided pelvic pain", "pain on one side")
        variant = "ectopic" if f.vaginal_bleeding else "ectopic_pain"
        return Hit(variant, because + tuple(f"sign: {s}" for s in signs),
                   {"signs": ", ".join(signs), "signs_plain": plain})
    if not f.vaginal_bleeding:
        return None
    if f.pregnant:
        return Hit("pregnant", because)
    return Hit("test", because)


HAEMODYNAMIC_WORDS = {"faint": "fainting", "dizzy": "dizziness", "racing_heart": "a racing heart"}


def _words(codes: list[str]) -> str:
    """Answer codes in words: ['faint', 'dizzy'] -> 'fainting and dizziness'."""
    words = [HAEMODYNAMIC_WORDS.get(c, c.replace("_", " ")) for c in codes]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@rule("B2", title="Heavy bleeding", domain="bleeding", citation=src.HEAVY_BLEEDING + "; " + src.POLICY_BLEEDING,
      reference="clinical reference 4.1 B2",
      variants={"default": V(
          "T5", "RF_BLEED_HEAVY",
          "Heavy vaginal bleeding ({detail}): emergency assessment today.",
          "Bleeding this heavily, or feeling faint with it, needs urgent care. Please call 999 or go to A&E now; "
          "if you are pregnant or have just had a baby you can also call maternity triage.",
          "Emergency assessment today; no exercise advice until seen."),
      "short": V(
          "T3", "RF_BLEED_HEAVY_SHORT",
          "Heavy vaginal bleeding (soaking a pad or tampon in an hour or less, for under 2 hours, no faintness): "
          "below the emergency threshold but a new bleeding pattern; GP review with examination, consider a full "
          "blood count; same day if it recurs for 2 hours or with faintness.",
          "Bleeding that soaks a pad or tampon within an hour should be checked by a doctor, even when it stops "
          "quickly. Please book a GP appointment in the next couple of weeks. If it happens again for 2 hours or "
          "more, or you feel faint or dizzy, call 999 or go to A&E.",
          "GP review; safety-net for heavy or prolonged bleeding.")})
def b2(f: Facts) -> Hit | None:
    if not f.vaginal_bleeding:
        return None
    hourly = f.vb("heaviness", "hourly")
    heavy = hourly or f.vb("heaviness", "period_like")
    if hourly and f.vb("hourly_two_hours"):
        return Hit(because=("intake-bleeding.heaviness=hourly", "intake-bleeding.hourly_two_hours=true"),
                   values={"detail": "soaking a pad or tampon an hour for 2 hours or more"})
    if heavy and f.haemodynamic:
        return Hit(because=(f"intake-bleeding.heaviness={f.v(BLEED, 'heaviness')}",
                            f"intake-bleeding.faint={f.haemodynamic}"),
                   values={"detail": "period-like or heavier, with " + _words(f.haemodynamic)})
    if hourly:
        # Not B2, but a new bleeding pattern: at least T3 (clinical policy section 3).
        duration = ("intake-bleeding.hourly_two_hours=false" if f.no(BLEED, "hourly_two_hours")
                    else "intake-bleeding.hourly_two_hours not answered")
        return Hit("short", ("intake-bleeding.heaviness=hourly", duration, "no faintness reported"))
    return None


@rule("B3", title="Bleeding with signs of infection or worsening pain", domain="bleeding",
      citation=src.NHSGGC_EPAS + "; " + src.HSE_SPPH + "; " + src.SEED_000 + " (SP-25, SP-26)",
      reference="clinical reference 4.1 B3",
      variants={
          "infection": V("T5", "RF_BLEED_INFECTION",
                         "Bleeding with {detail}: possible endometritis / PID (or secondary PPH if postnatal); "
                         "same-day medical assessment.",
                         "Bleeding together with {detail_plain} can mean an infection that needs treating today. "
                         "Please contact your GP practice, NHS 111 or, if you recently had a baby, your midwife "
                         "or maternity triage today.",
                         "Same-day medical assessment."),
          "pain": V("T5", "RF_BLEED_WORSENING_PAIN",
                    "Bleeding with worsening pain: same-day medical assessment (exclude ectopic pregnancy, PID, "
                    "torsion).",
                    "Bleeding with pain that is getting worse should be checked today. Please contact your GP "
                    "practice or NHS 111 today, or go to A&E if the pain is severe.",
                    "Same-day medical assessment."),
      })
def b3(f: Facts) -> Hit | None:
    if not f.vaginal_bleeding:
        return None
    parts, plain = [], []
    if f.vb("fever"):
        parts.append("fever or feeling unwell")
        plain.append("a fever or feeling unwell")
    if f.vb("discharge"):
        parts.append("offensive discharge")
        plain.append("unusual or smelly discharge")
    if parts:
        return Hit("infection", tuple(f"intake-bleeding: {p}" for p in parts),
                   {"detail": " and ".join(parts), "detail_plain": " and ".join(plain)})
    if f.vb("pain", "worsening"):
        return Hit("pain", ("intake-bleeding.pain=worsening",))
    return None


@rule("B4", title="Postmenopausal bleeding", domain="bleeding", citation=src.NG12_PMB,
      reference="clinical reference 4.1 B4",
      variants={
          "age55": V("T4", "RF_PMB_55PLUS",
                     "Postmenopausal bleeding at age {age}: suspected-cancer (2-week-wait) referral per NICE NG12.",
                     "Bleeding after the menopause always needs checking by a doctor, even if it is light or "
                     "happens after running. Please see your GP within the next few days; they may refer you for a "
                     "quick hospital check.",
                     "Urgent GP appointment for a suspected-cancer pathway referral."),
          "under55": V("T3", "RF_PMB_UNDER55",
                       "Postmenopausal bleeding at age {age} (under 55): GP review; NICE NG12 says consider a "
                       "suspected-cancer referral.",
                       "Bleeding after the menopause always needs checking by a doctor, even if it is light or "
                       "happens after running. Please book a GP appointment and show them this report.",
                       "GP review; consider suspected-cancer pathway referral."),
      })
def b4(f: Facts) -> Hit | None:
    if not (f.vaginal_bleeding and f.postmenopausal):
        return None
    age = f.age
    because = ("context.menopause=post", f"intake-bleeding.source={f.bleeding_source}", f"context.age={age}")
    if age is None or age >= PMB_URGENT_AGE:
        return Hit("age55", because, {"age": "unknown" if age is None else int(age)})
    return Hit("under55", because, {"age": int(age)})


@rule("B5", title="Post-coital bleeding; abnormal-looking cervix", domain="bleeding",
      citation=src.PCB + "; " + src.SUSPICIOUS_CERVIX, reference="clinical reference 4.1 B5",
      variants={
          "default": V("T3", "RF_PCB",
                       "Post-coital bleeding: pelvic and speculum examination, STI screen and cervical screening "
                       "status; suspicious cervix -> 2-week-wait referral.",
                       "Bleeding after sex should be checked by a doctor or nurse, who will usually offer an "
                       "examination and a swab. Please book a GP or sexual health appointment.",
                       "GP or sexual health review with examination."),
          "persistent": V("T3", "RF_PCB_PERSISTENT_35PLUS",
                          "Post-coital bleeding for more than 4 weeks at age {age}: refer to gynaecology after "
                          "examination and STI screen (suspicious cervix -> 2-week-wait).",
                          "Bleeding after sex that has gone on for a month or more should be checked by a doctor, "
                          "who may refer you to a gynaecology clinic. Please book a GP appointment.",
                          "GP review and gynaecology referral."),
          "suspicious_cervix": V("T4", "RF_SUSPICIOUS_CERVIX",
                                 "Abnormal-looking cervix ({who}): suspected-cancer (2-week-wait) referral via the "
                                 "GP; do not wait for the next cervical screening.",
                                 "The appearance of your cervix (the neck of the womb) should be checked by a "
                                 "specialist soon. Please see your GP within the next few days and show them this "
                                 "report; they can refer you quickly.",
                                 "Urgent GP appointment for a suspected-cancer pathway referral."),
      })
def b5(f: Facts) -> Hit | None:
    cervix = f.v(BLEED, "cervix")
    if cervix in ("abnormal_seen", "abnormal_reported"):
        who = "seen on examination" if cervix == "abnormal_seen" else "reported from another clinician's examination"
        return Hit("suspicious_cervix", (f"intake-bleeding.cervix={cervix}",), {"who": who})
    if not f.vb("after_sex", "yes"):
        return None
    because = ("intake-bleeding.after_sex=yes",)
    if f.age is not None and f.age > PCB_REFER_AGE and f.vb("duration", "months", "longer"):
        return Hit("persistent", because + (f"intake-bleeding.duration={f.v(BLEED, 'duration')}",), {"age": int(f.age)})
    return Hit("default", because)


@rule("B6", title="Persistent or period-like intermenstrual bleeding", domain="bleeding",
      citation=src.IMB + "; " + src.POLICY_BLEEDING,
      reference="clinical reference 4.1 B6",
      variants={"default": V(
          "T3", "RF_IMB_PERSISTENT",
          "Intermenstrual bleeding persisting for {duration}: GP review with examination.",
          "Bleeding between periods that keeps happening should be checked by a doctor, even if running seems "
          "to set it off. Please book a GP appointment.",
          "GP review with examination."),
          "period_like": V(
          "T3", "RF_IMB_PERIOD_LIKE",
          "Period-like or heavier bleeding between periods ({duration}): GP review with examination (a first "
          "episode counts).",
          "A bleed as heavy as a period that comes between your periods should be checked by a doctor, even if it "
          "is the first time. Please book a GP appointment.",
          "GP review with examination.")})
def b6(f: Facts) -> Hit | None:
    if not (f.irregular_bleeding and f.vb("timing", "between", "mid_cycle")):
        return None
    if not f.vb("duration", "months", "longer"):
        if f.vb("heaviness", "period_like", "hourly"):
            duration = {"first": "first episode", "weeks": "on and off for under a month"}.get(
                str(f.v(BLEED, "duration")), "duration not given")
            return Hit("period_like", (f"intake-bleeding.timing={f.v(BLEED, 'timing')}",
                                       f"intake-bleeding.heaviness={f.v(BLEED, 'heaviness')}"), {"duration": duration})
        return None
    duration = "1-3 months" if f.vb("duration", "months") else "more than 3 months"
    return Hit(because=(f"intake-bleeding.timing={f.v(BLEED, 'timing')}", f"intake-bleeding.duration={duration}"),
               values={"duration": duration})


@rule("B7", title="Heavy menstrual bleeding", domain="bleeding", citation=src.NG88,
      reference="clinical reference 4.1 B7",
      variants={"default": V(
          "T3", "RF_HMB",
          "Heavy menstrual bleeding affecting quality of life (NICE NG88); examination +/- ultrasound if with "
          "intermenstrual or post-coital bleeding, pelvic pain or pressure symptoms; consider iron studies.",
          "Periods heavy enough to get in the way of your life can be treated. Please book a GP appointment to "
          "talk about it.",
          "GP review.")})
def b7(f: Facts) -> Hit | None:
    if f.is_(BLEED, "heavy_periods", "yes"):
        return Hit(because=("intake-bleeding.heavy_periods=yes",))
    return None


@rule("B8", title="Postnatal bleeding", domain="bleeding",
      citation=src.HSE_SPPH + "; " + src.NHSGGC_PNB + "; " + src.GOOM_LIST + "; " + src.POLICY_WINDOW,
      reference="clinical reference 4.1 B8 and 3.1.4 item 8",
      variants={
          "secondary_pph": V("T5", "RF_SECONDARY_PPH",
                             "Possible secondary postpartum haemorrhage ({weeks} weeks postnatal: {signs}): "
                             "same-day midwife / GP / obstetric assessment.",
                             "Bleeding that is getting heavier, has clots, smells unusual or comes with a fever "
                             "in the weeks after birth needs checking today. Please call your midwife, maternity "
                             "triage or GP now, or 999 if the bleeding is very heavy.",
                             "Same-day obstetric assessment; no exercise advice until seen."),
          "beyond": V("T3", "RF_POSTNATAL_BLEEDING_BEYOND_THRESHOLD",
                      "Vaginal bleeding at {weeks} weeks postnatal not linked to the menstrual cycle (threshold "
                      "{threshold} completed weeks): GP / gynaecology review (retained products, infection); "
                      "also a Goom referral item, so running progression waits.",
                      "Bleeding that carries on or comes back {threshold} or more weeks after birth, and isn't a "
                      "period, should be checked by your GP. Please book an appointment and hold off building up "
                      "your running until then.",
                      "GP review; pelvic health physiotherapy for the return-to-run plan."),
      })
def b8(f: Facts) -> Hit | None:
    weeks = f.weeks_since_birth
    if not (f.vaginal_bleeding and weeks is not None) or f.vb("since_birth", "periods"):
        return None
    linked_to_birth = f.vb("since_birth", "continued", "came_back")
    if not linked_to_birth and (f.vb("since_birth", "not_recent") or weeks >= 52):
        return None
    because = (f"context.weeks_since_birth={int(weeks)}", f"intake-bleeding.since_birth={f.v(BLEED, 'since_birth')}")
    if weeks <= SECONDARY_PPH_WEEKS:
        signs = [s for s, on in (("getting heavier", f.vb("getting_heavier")), ("clots", f.vb("clots")),
                                 ("offensive discharge", f.vb("discharge")), ("fever", f.vb("fever")),
                                 ("heavy", f.vb("heaviness", "hourly"))) if on]
        if signs:
            return Hit("secondary_pph", because + tuple(signs), {"weeks": int(weeks), "signs": ", ".join(signs)})
    threshold = f.config.postnatal_bleeding_weeks
    if weeks >= threshold:
        return Hit("beyond", because, {"weeks": int(weeks), "threshold": threshold})
    return None


@rule("B10", title="Irregular vaginal bleeding at 40 or over", domain="bleeding", citation=src.RCOG_41,
      reference="clinical reference 4.1 B10",
      variants={"default": V(
          "T4", "RF_IRREGULAR_BLEEDING_40PLUS",
          "Irregular vaginal bleeding at age {age} ({timing}): urgent GP review and referral per the local "
          "2-week-wait gynaecology pathway (RCOG GTG41 red flag, 'over 40' read as 40 and over).",
          "Bleeding outside your usual period at your age should be checked by a doctor soon, even if running "
          "seems to trigger it. Please see your GP within the next few days and show them this report.",
          "Urgent GP appointment.")})
def b10(f: Facts) -> Hit | None:
    if not f.irregular_bleeding or f.age is None or f.age < IRREGULAR_BLEEDING_AGE:
        return None
    timing = f.v(BLEED, "timing")
    return Hit(because=(f"context.age={int(f.age)}", f"intake-bleeding.timing={timing}"),
               values={"age": int(f.age), "timing": str(timing).replace("_", " ")})


@rule("B11", title="Is it vaginal? Blood in urine after running, or source unsure", domain="bleeding",
      citation=src.HAEMATURIA + "; " + src.POLICY_HAEMATURIA, reference="clinical reference 4.1 B11 and 4.3 U2",
      variants={
          "persisting": V("T4", "RF_HAEMATURIA_PERSISTING",
                          "Visible haematuria after running still present at {hours} h (window {window} h): urgent "
                          "GP review and urgent urology pathway (NICE NG123).",
                          "Blood in your urine that lasts longer than {window} hours after a run needs checking "
                          "soon. Please see your GP within the next few days; they will test your urine and may "
                          "refer you to a specialist.",
                          "Urgent GP appointment; urine tests; urology referral."),
          "recurrent": V("T4", "RF_HAEMATURIA_RECURRENT",
                         "Recurrent visible haematuria after running: urgent GP review and urgent urology pathway.",
                         "Blood in your urine that keeps coming back needs checking soon. Please see your GP within "
                         "the next few days.",
                         "Urgent GP appointment; urology referral."),
          "not_exercise": V("T4", "RF_HAEMATURIA_NOT_EXERCISE",
                            "Visible haematuria not confined to running: urgent GP review (NICE NG123 / NG12).",
                            "Blood in your urine that isn't only after running needs checking soon. Please see your "
                            "GP within the next few days.",
                            "Urgent GP appointment."),
          "watch": V("T3", "RF_HAEMATURIA_WATCH",
                     "Visible haematuria after running, {hours} h so far and still visible: rest; if still visible at "
                     "{window} h -> urgent GP review (NICE NG123).",
                     "Blood in your urine after a hard run often clears within a day or two. Rest from running, "
                     "drink normally, and if you can still see blood {window} hours after the run, see your GP "
                     "within days. Mention it to your GP either way.",
                     "GP review; escalate to urgent if still visible at the window."),
          "cleared": V("T1", "EXERCISE_HAEMATURIA_CLEARED",
                       "First episode of visible haematuria after running, cleared within {hours} h (window {window} "
                       "h): consistent with exercise haematuria, no red flag. Education and safety net: if it recurs "
                       "or lasts longer than {window} h -> GP (urgent urology pathway, NICE NG123).",
                       "Blood in the urine after a long or hard run can happen and usually clears within a day or "
                       "two, as yours did. If it comes back, or you can still see it more than {window} hours after "
                       "a run, please see your GP within the next few days.",
                       "Education with a safety net.", red_flag=False),
          "cleared_unconfirmed": V("T3", "RF_HAEMATURIA_CLEARED",
                                   "Visible haematuria after running, cleared within {hours} h (window {window} h); not "
                                   "confirmed as a first episode: GP urine dipstick; urgent pathway if it recurs.",
                                   "Blood in the urine after a hard run can happen and usually clears within a day or "
                                   "two, as yours did. Please tell your GP so they can check a urine sample, and see "
                                   "them within days if it comes back.",
                                   "Routine GP review with urine dipstick."),
          "unknown": V("T3", "RF_HAEMATURIA_DURATION_UNKNOWN",
                       "Visible haematuria after running, duration not known: GP urine dipstick; urgent pathway if "
                       "it persists beyond {window} h or recurs.",
                       "Blood in your urine should be mentioned to your GP so they can test a urine sample. If you "
                       "see it for more than {window} hours after a run, or it comes back, see them within days.",
                       "GP review with urine dipstick."),
          "unsure": V("T3", "RF_BLEED_SOURCE_UNSURE",
                      "Source of bleeding unclear (vaginal, urinary or rectal): establish the source (urine dipstick, "
                      "examination) before applying the bleeding rules; vaginal rules applied meanwhile.",
                      "It isn't clear yet where the bleeding comes from. A quick check by your GP (a urine test and "
                      "sometimes an examination) will sort this out.",
                      "GP review to establish the source."),
      })
def b11(f: Facts) -> list[Hit]:
    window = f.config.haematuria_clear_hours
    hits = []
    if f.source_unsure:
        hits.append(Hit("unsure", ("intake-bleeding.source=unsure",), {"window": window}))
    if not f.urine_blood:
        return hits
    hours = f.num(BLEED, "urine_hours")
    values = {"window": window, "hours": "?" if hours is None else int(hours)}
    if f.no(BLEED, "urine_after_runs"):
        hits.append(Hit("not_exercise", ("intake-bleeding.urine_after_runs=false",), values))
    elif f.yes(BLEED, "urine_recurs"):
        hits.append(Hit("recurrent", ("intake-bleeding.urine_recurs=true",), values))
    elif hours is not None and hours > window:
        hits.append(Hit("persisting", (f"intake-bleeding.urine_hours={int(hours)} > {window}",), values))
    elif hours is not None and f.yes(BLEED, "urine_still"):
        hits.append(Hit("watch", (f"intake-bleeding.urine_hours={int(hours)}", "intake-bleeding.urine_still=true"),
                        values))
    elif hours is not None:
        # A first episode after running that cleared inside the window is no red flag (clinical policy 3).
        first = f.no(BLEED, "urine_recurs") and f.yes(BLEED, "urine_after_runs") and f.no(BLEED, "urine_still")
        hits.append(Hit("cleared" if first else "cleared_unconfirmed",
                        (f"intake-bleeding.urine_hours={int(hours)} <= {window}",
                         "first episode, cleared" if first else "recurrence or clearing not confirmed"), values))
    else:
        hits.append(Hit("unknown", ("intake-bleeding.urine_hours unanswered",), values))
    return hits


@rule("B12", title="Bleeding with a coil or known ectropion", domain="bleeding",
      citation=src.SEED_000 + " (SP-05, SP-11, SP-22); " + src.CORNWALL_PCB_ECTROPION,
      reference="clinical reference 4.1 B12",
      variants={
          "iud": V("T3", "BLEED_IUD", "Bleeding with a {iud} fitted {months}: check threads / position and "
                   "pattern with GP or sexual health (unscheduled bleeding is common in the first months).",
                   "Spotting is common in the first months after a coil is fitted. It is still worth asking your GP "
                   "or sexual health clinic to check the coil is sitting well.",
                   "Routine GP / sexual health review.", red_flag=False),
          "ectropion": V("T3", "BLEED_ECTROPION", "Bleeding with known cervical ectropion: physiological, needs no "
                         "referral if examination and screening are normal; other flags still apply.",
                         "A cervical ectropion is harmless and can bleed a little after impact or sex. If your "
                         "cervical screening is up to date and nothing else has changed, no special referral is "
                         "needed; mention it at your next GP visit.",
                         "Routine review only.", red_flag=False),
      })
def b12(f: Facts) -> Hit | None:
    if not f.vaginal_bleeding:
        return None
    if f.iud:
        months = f.num(CTX, "iud_months")
        when_ = "at an unknown time" if months is None else f"{int(months)} months ago"
        return Hit("iud", (f"context.contraception includes {f.iud}",), {"iud": f.iud, "months": when_})
    if f.vb("ectropion"):
        return Hit("ectropion", ("intake-bleeding.ectropion=true",))
    return None


# --------------------------------------------------------------------------- seed 000 statements

@rule("SP-04", title="Spotting just before a period", domain="bleeding", citation=src.SEED_000 + " (SP-04) [M]",
      reference="clinical reference 1.1 SP-04",
      variants={"default": V(
          "T1", "SEED_PREMENSTRUAL_SPOTTING",
          "Light spotting in the day or two before a period, no other bleeding flags: lower concern; spotting "
          "diary and re-screen.",
          "Light spotting just before a period is often linked to normal hormone changes, and running can bring "
          "it on a little early. Keep a simple diary, and see your GP if it changes or becomes heavier.",
          "Self-management: spotting diary; re-screen in 6-12 weeks.")})
def sp04(f: Facts) -> Hit | None:
    if f.vb("timing", "before_period") and f.vb("heaviness", "spotting", "light"):
        return Hit(because=("intake-bleeding.timing=before_period", f"intake-bleeding.heaviness={f.v(BLEED, 'heaviness')}"))
    return None


@rule("SP-15", title="Spotting with a training-load spike", domain="bleeding",
      citation=src.SEED_000 + " (SP-02, SP-14, SP-15, SP-28); " + src.LOAD, reference="clinical reference 1.1 SP-15",
      variants={"default": V(
          "T1", "SEED_SPOTTING_LOAD_SPIKE",
          "Spotting linked to heavier training ({detail}): load management (1-2 week deload, gradual increases, "
          "rest days) and a spotting diary; escalate if it persists.",
          "Your spotting seems to follow harder training. Easing off a little for one or two weeks, building up "
          "more gradually and taking proper rest days often helps it settle.",
          "Self-management: deload 1-2 weeks, then review.")})
def sp15(f: Facts) -> Hit | None:
    if not f.vaginal_bleeding:
        return None
    detail = []
    if f.load_spike:
        detail.append(f"recent {f.c('load_change')} increase")
    if f.vb("heavy_training", "yes"):
        detail.append("happens in heavier weeks or after hard sessions")
    if not detail:
        return None
    return Hit(because=tuple(detail), values={"detail": "; ".join(detail)})


@rule("SP-19", title="Spotting that is heavier, painful or frequent over several cycles", domain="bleeding",
      citation=src.SEED_000 + " (SP-19, SP-31); " + src.NG88, reference="clinical reference 1.1 SP-19",
      variants={"default": V(
          "T3", "SEED_SPOTTING_PERSISTENT",
          "Spotting over {duration} that is {detail}: GP review (NG88 / IMB guidance).",
          "Spotting that keeps coming back over several cycles and is {detail} should be checked by your GP.",
          "GP review.")})
def sp19(f: Facts) -> Hit | None:
    if not f.vb("duration", "months", "longer"):
        return None
    detail = [d for d, on in (("getting heavier", f.vb("getting_heavier")),
                              ("painful", bool(f.vaginal_bleeding and f.picked(BLEED, "pain"))),
                              ("after every run", f.vb("with_runs", "every_run"))) if on]
    if not detail:
        return None
    duration = "1-3 months" if f.vb("duration", "months") else "more than 3 months"
    return Hit(because=tuple(detail) + (f"duration {duration}",), values={"duration": duration, "detail": " and ".join(detail)})


@rule("SP-23", title="New or different bleeding pattern", domain="bleeding",
      citation=src.SEED_000 + " (SP-23) [R]; " + src.POLICY_BLEEDING, reference="clinical reference 1.1 SP-23",
      variants={
          "default": V(
              "T3", "SEED_BLEEDING_PATTERN_CHANGED",
              "Bleeding pattern reported as new or different (looks different, lasts longer or more frequent): "
              "GP review.",
              "You've noticed a change in your usual pattern. A change like this is worth checking with your GP.",
              "GP review."),
          "first_heavy": V(
              "T3", "SEED_FIRST_HEAVY_BLEED",
              "First episode of {amount} vaginal bleeding outside a period: a new bleeding pattern; GP review.",
              "This is the first time you've bled this much outside a period. A new change like this is worth "
              "checking with your GP.",
              "GP review."),
      })
def sp23(f: Facts) -> Hit | None:
    if f.vb("new_pattern"):
        return Hit(because=("intake-bleeding.new_pattern=true",))
    # "This is the first time" counts as new for a period-like or heavier bleed (clinical policy 3);
    # a first episode of spotting or light bleeding stays with the spotting rules.
    if f.vb("duration", "first") and f.vb("heaviness", "period_like", "hourly") and not f.vb("timing", "before_period"):
        amount = "period-like" if f.vb("heaviness", "period_like") else "heavy (pad soaked within an hour)"
        return Hit("first_heavy", ("intake-bleeding.duration=first", f"intake-bleeding.heaviness={f.v(BLEED, 'heaviness')}"),
                   {"amount": amount})
    return None


@rule("SP-25", title="Spotting with cramps or pelvic pain", domain="bleeding",
      citation=src.SEED_000 + " (SP-25); " + src.NHSGGC_EPAS, reference="clinical reference 1.1 SP-25",
      variants={"default": V(
          "T3", "SEED_SPOTTING_WITH_PAIN",
          "Bleeding with {detail}: GP review at least (infection, fibroids, polyps); exclude pregnancy.",
          "Spotting that comes with cramps or pelvic pain should be checked by your GP, who can look for "
          "simple causes such as an infection or a polyp.",
          "GP review; pregnancy test if pregnancy is possible.")})
def sp25(f: Facts) -> Hit | None:
    pains = [p for p in f.picked(BLEED, "pain") if p in ("cramps", "pelvic", "one_sided", "shoulder_tip")] \
        if f.vaginal_bleeding else []
    if not pains:
        return None
    return Hit(because=tuple(f"intake-bleeding.pain={p}" for p in pains),
               values={"detail": ", ".join(p.replace("_", " ") for p in pains)})


@rule("SP-26", title="Spotting that deserves more attention", domain="bleeding",
      citation=src.SEED_000 + " (SP-26, SP-30, SP-31)", reference="clinical reference 1.1 SP-26",
      variants={"default": V(
          "T3", "SEED_SPOTTING_SEEK_HELP",
          "Bleeding with {detail}: GP / medical review.",
          "Because of {detail}, please book a GP appointment to talk about this bleeding.",
          "GP review.")})
def sp26(f: Facts) -> Hit | None:
    if not f.vaginal_bleeding:
        return None
    detail = [d for d, on in (
        ("bleeding getting heavier", f.vb("getting_heavier")),
        ("spotting after every run", f.vb("with_runs", "every_run")),
        ("skipped periods or much shorter cycles", f.vb("cycle_changes", "skipped", "short")),
        ("unusual tiredness or low energy", f.vb("low_energy")),
        ("dizziness or faintness", bool(f.haemodynamic))) if on]
    if not detail:
        return None
    return Hit(because=tuple(detail), values={"detail": ", ".join(detail)})


@rule("SP-27", title="Something feels 'off'", domain="general", citation=src.SEED_000 + " (SP-27) [R]",
      reference="clinical reference 1.1 SP-27",
      variants={"default": V(
          "T2a", "SEED_CONCERN",
          "Patient reports that something feels 'off'{note}: read the free-text concern and review in clinic.",
          "Thank you for telling us something feels off. You don't need to wait for it to get worse: your pelvic "
          "health physiotherapist will talk it through with you.",
          "Clinician reviews the concern.")})
def sp27(f: Facts) -> Hit | None:
    if not f.yes(CTX, "feels_off"):
        return None
    text = f.c("concern")
    return Hit(because=("context.feels_off=true",), values={"note": f" ({text[:200]!r})" if text else ""})

