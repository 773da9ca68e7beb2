"""Seed trace: every statement of the clinical reference section 1 (SP-01..SP-31, PP-01..PP-19,
RR-01..RR-15) mapped to the rules and recommendations that implement it, the intake items that
capture it, or the stated reason it is not encoded.

:func:`problems` lists missing statements, unknown rule / recommendation ids and unknown intake
items; ``tests/unit/test_trace.py`` fails on any of them.
"""

from __future__ import annotations

from dataclasses import dataclass

SEED_IDS = (tuple(f"SP-{i:02d}" for i in range(1, 32)) + tuple(f"PP-{i:02d}" for i in range(1, 20))
            + tuple(f"RR-{i:02d}" for i in range(1, 16)))


@dataclass(frozen=True)
class TraceEntry:
    statement: str
    implemented_by: tuple[str, ...] = ()   # rule ids and REC-* recommendation ids
    items: tuple[str, ...] = ()            # "<instrument>.<item>" that capture it
    note: str = ""                         # why it is (partly) not encoded, or how it is read


def _t(statement: str, by: str = "", items: str = "", note: str = "") -> TraceEntry:
    return TraceEntry(statement, tuple(by.split()), tuple(items.split()), note)


_ENTRIES = (
    # ---- seed 000: spotting after running
    _t("SP-01", "REC-SPOTTING-EDU SP-04",
       note="Reassurance is shown only when no red flag fired (reference 1.1: only after red flags are excluded)."),
    _t("SP-02", "SP-15", "intake-bleeding.run_type intake-bleeding.heavy_training",
       note="Mechanism not encoded; session type and intensity are captured and feed SP-15."),
    _t("SP-03", "REC-CYCLE-TRACK", "intake-bleeding.timing",
       note="Physiology [M]; cycle phase is captured, no tier effect on its own."),
    _t("SP-04", "SP-04 B6 B10", "intake-bleeding.timing",
       note="Pre-menstrual spotting lowers concern (SP-04, T1); persistent or later-life intermenstrual bleeding "
            "escalates (B6, B10)."),
    _t("SP-05", "B12 REC-IUD-CHECK", "intake-context.contraception intake-context.iud_months "
       "intake-bleeding.ectropion intake-bleeding.dryness"),
    _t("SP-06", "SP-21 SP-24 REC-REDS-SCREEN REC-FUEL"),
    _t("SP-07", "SP-26 SP-15", "intake-bleeding.cycle_changes"),
    _t("SP-08", "REC-CYCLE-TRACK"),
    _t("SP-09", "B8 REC-POSTPARTUM-CHECK", "intake-context.weeks_since_birth intake-bleeding.since_birth"),
    _t("SP-10", "REC-POSTPARTUM-CHECK REC-BREASTFEEDING", "intake-context.breastfeeding",
       note="Physiology [M]; lactation status is captured and excludes menstrual CAT2 indicators."),
    _t("SP-11", "B12 REC-IUD-CHECK", "intake-context.contraception intake-context.iud_months",
       note="The seed's claim that running cannot displace a coil is unsupported and not repeated; the coil check "
            "is recommended instead."),
    _t("SP-12", "G1 REC-LOAD", note="Anecdote; supports the 12-week gate and graded load."),
    _t("SP-13", "B12", "intake-bleeding.dryness intake-bleeding.ectropion intake-context.life_stress"),
    _t("SP-14", "SP-17 REC-LOAD", "intake-context.load_change"),
    _t("SP-15", "SP-15"),
    _t("SP-16", "SP-24 REC-REDS-SCREEN REC-FUEL"),
    _t("SP-17", "SP-17 B9 R3", "intake-context.load_change intake-context.skip_meals "
       "intake-context.push_through_fatigue intake-bleeding.periods_returning reds-cat2.missed_cycles"),
    _t("SP-18", "REC-SPOTTING-EDU", "intake-context.life_stress intake-context.sleep_hours"),
    _t("SP-19", "SP-19"),
    _t("SP-20", "B8 B3 B2", "intake-bleeding.lasts"),
    _t("SP-21", "SP-21"),
    _t("SP-22", "REC-CYCLE-TRACK REC-IUD-CHECK REC-POSTPARTUM-CHECK REC-LOAD REC-FUEL"),
    _t("SP-23", "SP-23", "intake-bleeding.new_pattern"),
    _t("SP-24", "SP-24"),
    _t("SP-25", "SP-25 B3 B1"),
    _t("SP-26", "SP-26 B2 REC-SAFETY-NET"),
    _t("SP-27", "SP-27 REC-SAFETY-NET", "intake-context.feels_off intake-context.concern"),
    _t("SP-28", "REC-LOAD"),
    _t("SP-29", "REC-FUEL"),
    _t("SP-30", "REC-LOAD REC-FUEL REC-CYCLE-TRACK REC-SAFETY-NET"),
    _t("SP-31", "REC-SAFETY-NET SP-19"),
    # ---- seed 001: pelvic pain after running
    _t("PP-01", "SYM-PAIN PP7", "intake-pelvic-pain.sites intake-pelvic-pain.duration"),
    _t("PP-02", "REC-PF-RELAX",
       note="The seed's 'weakness' explanation is not repeated: pain is often linked to overactive muscles, so the "
            "recommendation checks relaxation before strengthening [M]."),
    _t("PP-03", "PP4 PP8", "intake-context.diagnoses"),
    _t("PP-04", "PP-09 REC-RELATIVE-REST"),
    _t("PP-05", "REC-PREVENTION-RUN", note="Footwear and form evidence is weak [M]; mentioned, no tier effect."),
    _t("PP-06", "SYM-UI SYM-URGENCY SYM-BOWEL SYM-POP"),
    _t("PP-07", "PP8", "intake-pelvic-pain.cyclical"),
    _t("PP-08", "SYM-URGENCY SYM-UI SYM-BOWEL SYM-POP SYM-PAIN G2"),
    _t("PP-09", "PP-09"),
    _t("PP-10", "REC-RELATIVE-REST"),
    _t("PP-11", note="Drug advice is not encoded (and the seed wrongly calls paracetamol an NSAID); pain relief is "
                     "for the GP or pharmacist."),
    _t("PP-12", "PP8", note="Hormonal treatment is a medical decision: the toolkit refers (PP8, GP) and gives no "
                            "drug advice."),
    _t("PP-13", "SYM-PAIN REC-PF-RELAX"),
    _t("PP-14", note="Clinic-specific injection product and radiofrequency ablation are not recommendations; "
                     "persistent pain is referred to gynaecology / pain services through PP7."),
    _t("PP-15", "PP7 U12", note="Surgery is a specialist decision after referral; not a recommendation."),
    _t("PP-16", "REC-PREVENTION-RUN"),
    _t("PP-17", "REC-PAIN-MONITOR PP-09"),
    _t("PP-18", note="Describes a clinic's work-up (muscle assessment, imaging); no rule. Examination findings are "
                     "recorded in the clinician forms (oxford-perfect, pop-q)."),
    _t("PP-19", "PP-19 PP1"),
    # ---- seed 002: return to running after pregnancy
    _t("RR-01", "G1", "intake-context.weeks_since_birth",
       note="Minimum weeks from Config.postnatal_guideline (Goom 12 / Delphi 3); the seed's '4 months' is not a gate."),
    _t("RR-02", "G1", note="Rationale (tissue healing 4-6 months); no separate rule."),
    _t("RR-03", "REC-RTR-PREP"),
    _t("RR-04", "G2", "intake-pelvic-pain.has_pain"),
    _t("RR-05", "G2 SYM-UI", "intake-bladder-bowel.leak"),
    _t("RR-06", "G2 SYM-POP", "intake-prolapse.heaviness intake-prolapse.bulge"),
    _t("RR-07", "G2", "goom-rtr.abdominal"),
    _t("RR-08", "G2 REC-POSTNATAL-PHYSIO"),
    _t("RR-09", "REC-POSTNATAL-PHYSIO G2 RR-09", "intake-context.given_birth intake-context.weeks_since_birth",
       note="Clinical policy section 2: postnatal rules (G0-G5) apply within postnatal_window_months of the most "
            "recent birth; outside it the seed's strength advice is rule RR-09 (T1) for parous runners starting "
            "or returning."),
    _t("RR-10", "REC-RTR-PREP"),
    _t("RR-11", "RR-11"),
    _t("RR-12", "REC-RTR-PREP", note="'At least 3 times a week' is the seed's own number, cited as such."),
    _t("RR-13", "REC-REST-RECOVERY G5", "intake-context.sleep_hours intake-context.fatigue"),
    _t("RR-14", "G1", "intake-context.running_status"),
    _t("RR-15", "REC-POSTNATAL-PHYSIO"),
)

TRACE: dict[str, TraceEntry] = {e.statement: e for e in _ENTRIES}


def problems() -> list[str]:
    """Everything wrong with the trace; empty when every seed statement is accounted for."""
    from .model import load_all
    from .recommendations import CATALOGUE
    from .triage import RULES

    out = []
    if len(TRACE) != len(_ENTRIES):
        out.append("duplicate trace entries")
    for sid in SEED_IDS:
        if sid not in TRACE:
            out.append(f"{sid}: not traced")
    defs = load_all()
    for sid, entry in TRACE.items():
        if sid not in SEED_IDS:
            out.append(f"{sid}: not a seed statement id")
        if not entry.implemented_by and not entry.note:
            out.append(f"{sid}: neither implemented nor explained")
        for target in entry.implemented_by:
            if target not in RULES and target not in CATALOGUE:
                out.append(f"{sid}: unknown rule or recommendation {target!r}")
        for ref in entry.items:
            inst, _, item = ref.partition(".")
            if inst not in defs or item not in defs[inst].item_ids:
                out.append(f"{sid}: unknown intake item {ref!r}")
    return out
