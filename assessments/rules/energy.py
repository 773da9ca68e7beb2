"""Energy availability: red flags R1-R4 (clinical reference section 4.6), absent periods (B9), the
CAT2 light (assessments.cat2) and the seed 000 load / fuelling statements (SP-17, SP-21, SP-24)."""

from __future__ import annotations

from .. import cat2
from . import sources as src
from .base import CAT2, CTX, Facts, Hit, V, rule


@rule("R1", title="Serious medical indicator (REDs)", domain="energy", citation=src.IOC_SERIOUS,
      reference="clinical reference 4.6 R1",
      variants={"default": V("T5", "RF_REDS_SERIOUS_MEDICAL",
                             "Serious medical indicator(s): {detail}. Immediate medical attention, possible "
                             "hospitalisation, removal from training (IOC REDs 2023).",
                             "Some of your results mean you need to see a doctor today. Please stop training and "
                             "go to your GP today, or A&E if you feel faint, have chest pain or palpitations.",
                             "Same-day medical assessment; stop training.")})
def r1(f: Facts) -> Hit | None:
    result = cat2.assess(f)
    if not result.serious:
        return None
    return Hit(because=result.serious, values={"detail": "; ".join(result.serious)})


@rule("R2", title="CAT2 red (provisional)", domain="energy", citation=src.CAT2, reference="clinical reference 4.6 R2",
      variants={"default": V("T5", "RF_REDS_CAT2_RED",
                             "Provisional history-only CAT2 RED (P = {p}, S = {s}: {detail}): immediate treatment "
                             "+/- hospitalisation; removal from training in most cases; sports physician today.",
                             "Your answers point to a serious energy shortfall that is affecting your body. Please "
                             "stop training and contact your GP or sports doctor today.",
                             "Same-day sports physician / medical review; stop training.")})
def r2(f: Facts) -> Hit | None:
    result = cat2.assess(f)
    if result.light != "red":
        return None
    return Hit(because=tuple(i.label for i in result.primary + result.secondary),
               values={"p": result.primary_count, "s": result.secondary_count,
                       "detail": "; ".join(i.label for i in result.primary)})


@rule("R3", title="REDs CAT2: sports physician review", domain="energy", citation=src.CAT2,
      reference="clinical reference 4.6 R3",
      variants={
          "orange": V("T4", "RF_REDS_CAT2_ORANGE",
                      "Provisional history-only CAT2 ORANGE (P = {p}, S = {s}: {detail}): sports physician and "
                      "dietitian within days (+ psychologist); close monitoring; modify training.",
                      "Your answers suggest your body isn't getting enough energy for your training, and it is "
                      "starting to show. Please see your GP or a sports doctor within the next few days; a "
                      "dietitian can help too.", "Urgent sports physician + dietitian review."),
          "primary": V("T3", "REDS_PRIMARY_INDICATOR",
                       "CAT2 primary indicator(s) ({detail}); provisional light {light}: sports physician referral "
                       "(+ dietitian).",
                       "Some of your answers (such as missed periods or bone stress injuries) can be linked to not "
                       "eating enough for your training. A sports doctor and a dietitian can check this with you.",
                       "Sports physician and dietitian review."),
      })
def r3(f: Facts) -> Hit | None:
    result = cat2.assess(f)
    if not result.primary or result.light == "red":
        return None
    values = {"p": result.primary_count, "s": result.secondary_count, "light": result.light,
              "detail": "; ".join(i.label for i in result.primary)}
    because = tuple(i.label for i in result.primary)
    return Hit("orange" if result.light == "orange" else "primary", because, values)


@rule("REDS-YELLOW", title="CAT2 yellow from secondary indicators only", domain="energy", citation=src.CAT2,
      reference="clinical reference 5.3 (yellow), 6.2 T2b (REDs -> sports physician + dietitian)",
      variants={"default": V("T2b", "REDS_CAT2_YELLOW_SECONDARY",
                             "Provisional CAT2 YELLOW from {s} secondary indicator(s) ({detail}): treatment, "
                             "monitoring and follow-up; sports physician / dietitian.",
                             "A few of your answers suggest your energy intake may not be keeping up with your "
                             "training. A dietitian or sports doctor can help you fuel well and keep running.",
                             "Sports physician / dietitian review.")})
def reds_yellow(f: Facts) -> Hit | None:
    result = cat2.assess(f)
    if result.light != "yellow" or result.primary:
        return None
    return Hit(because=tuple(i.label for i in result.secondary),
               values={"s": result.secondary_count, "detail": "; ".join(i.label for i in result.secondary)})


@rule("R4", title="LEAF-Q at risk or disordered-eating concern", domain="energy", phase=2,
      citation=src.MELIN + "; LEAF-Q menstrual items not interpretable with hormonal contraception [M] or while "
               "breastfeeding [R]", reference="clinical reference 4.6 R4",
      variants={
          "leafq": V("T3", "REDS_LEAFQ_AT_RISK",
                     "LEAF-Q total {total} >= {cutoff} (Melin 2014, at risk of low energy availability){caveat}: sports "
                     "medicine / dietitian review; complete the CAT2 history.",
                     "Your answers suggest you may not be eating enough for the training you do. This is common "
                     "and fixable: a dietitian or sports doctor can help.", "Sports medicine / dietitian review."),
          "eating": V("T3", "REDS_DISORDERED_EATING_CONCERN",
                      "Disordered-eating concern ({detail}): GP / sports medicine and dietitian review; consider "
                      "specialist eating disorder support.",
                      "Thank you for sharing this. Worries about food and weight deserve proper support: please "
                      "talk to your GP, who can link you with a dietitian or specialist help.",
                      "GP / sports medicine and dietitian review."),
      })
def r4(f: Facts) -> list[Hit]:
    hits = []
    total = f.total("leaf-q")
    cutoff = f.config.leafq_cutoff
    if total is not None and total >= cutoff:
        caveats = []
        if f.hormonal_contraception:
            caveats.append("hormonal contraception")
        if f.breastfeeding:
            caveats.append("breastfeeding")
        if f.postnatal and f.weeks_since_birth is not None and f.weeks_since_birth < 52:
            caveats.append("postpartum")
        details = f.score("leaf-q").details
        if details.get("point_key_verified") is False:
            caveats.append("item point key unverified [M]")
        caveat = f"; caveats: {', '.join(caveats)}" if caveats else ""
        hits.append(Hit("leafq", (f"leaf-q total={total}",), {"total": total, "cutoff": cutoff, "caveat": caveat}))
    detail = [d for d, on in (("worries about eating or weight", f.yes(CAT2, "eating_worry")),
                              ("current eating disorder", f.is_(CTX, "mental_health", "eating_disorder"))) if on]
    if detail:
        hits.append(Hit("eating", tuple(detail), {"detail": "; ".join(detail)}))
    return hits


@rule("B9", title="Absent periods for 3 months or more", domain="bleeding",
      citation=src.CAT2 + " (secondary amenorrhoea 3-11 missed cycles = primary indicator; >= 12 severe)",
      reference="clinical reference 4.1 B9",
      variants={
          "secondary": V("T3", "RF_AMENORRHOEA_3M",
                         "Secondary amenorrhoea: {missed} consecutive missed cycles (not pregnant, not lactating, no "
                         "hormonal contraception): GP review (pregnancy test, bloods) and REDs pathway.",
                         "Missing {missed} periods in a row is a sign your body needs attention, often because "
                         "training and fuel are out of balance. Please book a GP appointment; they will check a few "
                         "things and may involve a sports doctor or dietitian.", "GP review + REDs pathway."),
          "primary": V("T3", "RF_PRIMARY_AMENORRHOEA",
                       "Primary amenorrhoea: GP / endocrine review and REDs pathway.",
                       "Never having had a period by 15 should be checked by your GP.", "GP review + REDs pathway."),
      })
def b9(f: Facts) -> Hit | None:
    if f.yes(CAT2, "primary_amenorrhoea"):
        return Hit("primary", ("primary_amenorrhoea=true",))
    missed = f.num(CAT2, "missed_cycles")
    if missed is None or missed < cat2.AMENORRHOEA_MIN or cat2.menstrual_exclusions(f):
        return None
    return Hit("secondary", (f"missed_cycles={int(missed)}",), {"missed": int(missed)})


@rule("SP-17", title="Load, fuelling and fatigue situations that raise risk", domain="energy",
      citation=src.SEED_000 + " (SP-14, SP-17, SP-29, SP-30); " + src.LOAD, reference="clinical reference 1.1 SP-17",
      variants={
          "load": V("T1", "SEED_LOAD_FUEL_RISK",
                    "Modifiable load / fuelling risks: {detail}. Education: gradual progression, fuelling around "
                    "runs, 1-2 rest days a week; flag for REDs screen if symptoms.",
                    "A few habits ({detail_plain}) make spotting, injury and low energy more likely. Small changes, "
                    "like building up gradually, eating around runs and taking real rest days, help.",
                    "Self-management: load and fuelling."),
          "returning": V("T3", "SEED_PERIODS_RETURNING_AFTER_ABSENCE",
                         "Periods absent for several months, spotting as they return: history of amenorrhoea -> GP "
                         "review and REDs screen (CAT2 primary indicator if 3-11 cycles missed).",
                         "If your periods stopped for a few months, that is worth checking with your GP even now "
                         "they are coming back: it can affect your bones and energy.", "GP review; REDs screen."),
      })
def sp17(f: Facts) -> list[Hit]:
    hits = []
    if f.vb("periods_returning"):
        hits.append(Hit("returning", ("intake-bleeding.periods_returning=true",)))
    found = [(c, p) for c, p, on in (
        ("rapid increase in distance or intensity", "increasing quickly", f.load_spike),
        ("skipping meals / under-eating around training", "skipping meals", f.yes(CTX, "skip_meals")),
        ("pushing through fatigue", "training through tiredness", f.yes(CTX, "push_through_fatigue")),
        ("no full rest day", "no rest days", f.num(CTX, "rest_days") == 0)) if on]
    if found:
        hits.append(Hit("load", tuple(c for c, _ in found),
                        {"detail": "; ".join(c for c, _ in found), "detail_plain": ", ".join(p for _, p in found)}))
    return hits


@rule("SP-21", title="Spotting with fatigue, injuries, low mood or illness", domain="energy",
      citation=src.SEED_000 + " (SP-06, SP-16, SP-21); IOC REDs consensus (low energy availability -> menstrual "
               "dysfunction) [S]", reference="clinical reference 1.1 SP-21",
      variants={"default": V("T1", "SEED_SPOTTING_REDS_SIGNS",
                             "Spotting with {detail}: screen for low energy availability (LEAF-Q, CAT2 history).",
                             "Spotting together with tiredness, injuries or low mood can mean your body is short of "
                             "energy. Please fill in the energy questions so we can check.",
                             "REDs screen (LEAF-Q, CAT2 history).")})
def sp21(f: Facts) -> Hit | None:
    detail = [d for d, on in (("unusual tiredness, low energy or low mood", f.vb("low_energy")),
                              ("more injuries or illnesses", f.vb("injuries_illness"))) if on]
    return Hit(because=tuple(detail), values={"detail": " and ".join(detail)}) if detail else None


@rule("SP-24", title="Spotting during heavy training with unusual tiredness", domain="energy",
      citation=src.SEED_000 + " (SP-24)", reference="clinical reference 1.1 SP-24",
      variants={"default": V("T1", "SEED_SPOTTING_HEAVY_TRAINING_TIRED",
                             "Spotting during heavy training with unusual tiredness: possible low energy availability "
                             "/ early REDs; LEAF-Q and CAT2 history; refer if positive.",
                             "Spotting in a heavy training block, with more tiredness than usual, can be an early sign "
                             "of not fuelling enough. Please fill in the energy questions so we can check.",
                             "REDs screen.")})
def sp24(f: Facts) -> Hit | None:
    tired = f.vb("low_energy") or f.is_(CTX, "fatigue", "more_tired", "exhausted")
    if f.vb("heavy_training", "yes") and tired:
        return Hit(because=("heavy_training=yes", "tiredness"))
    return None
