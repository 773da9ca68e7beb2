"""A realistic demo assessment, for tests, benchmarks and the in-app preview.

A 34-year-old runner, 7 months after a vaginal birth and breastfeeding, with light spotting
after most runs and urine leakage when running.  Second visit (so trends show), one red flag
(B8, postnatal bleeding beyond 8 weeks: GP review), return-to-running gates G0-G5, a provisional
CAT2 light, and a GP referral paragraph.  All values are invented; the citations are real.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
import zlib
from dataclasses import replace
from functools import lru_cache

from .context import (
    Assessment,
    Cat2,
    Clinic,
    DomainTier,
    ExamFindings,
    Gate,
    GateTest,
    InstrumentResult,
    ItemAnswer,
    Logo,
    Patient,
    PopQ,
    Reason,
    Recommendation,
    RedFlag,
    ReportContext,
    ReturnToRun,
    SignOff,
    Statement,
    Subscale,
    Trend,
    TrendPoint,
)

VISIT_1 = dt.date(2026, 2, 3)
VISIT_2 = dt.date(2026, 3, 17)
UTC = dt.UTC

GOOM = "Goom T, Donnelly G, Brockwell E. Returning to running postnatal (guidelines). 2019"
NG123 = "NICE NG123. Urinary incontinence and pelvic organ prolapse in women: management. 2019"
KLOVNING = ("Klovning A et al. Neurourol Urodyn 2009;28:411-415 (published third-party interpretation, "
            "not ICIQ scoring)")
REDS = "Mountjoy M et al. 2023 IOC consensus statement on REDs. Br J Sports Med 2023;57:1073-1097"
CAT2 = "Stellingwerff T et al. IOC REDs Clinical Assessment Tool 2 (CAT2). Br J Sports Med 2023;57:1109-1121"
SEED = "SportCoaching, 'Spotting after running' (project seed document)"


def _png(width: int, height: int, pixel) -> bytes:
    """A minimal RGBA PNG from ``pixel(x, y) -> (r, g, b, a)``."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


@lru_cache(maxsize=1)
def sample_logo() -> Logo:
    """A teal roundel with a white wave: the demo clinic's logo (drawn, not shipped)."""
    size = 96
    centre = (size - 1) / 2

    def pixel(x: int, y: int):
        dx, dy = x - centre, y - centre
        r = (dx * dx + dy * dy) ** 0.5
        if r > 46:
            return (0, 0, 0, 0)
        # A white wave band through the middle.
        wave = 10 * math.sin(x / 11.0)
        if abs((y - centre) - wave) < 6 and r < 40:
            return (255, 255, 255, 255)
        alpha = 255 if r <= 45 else int(255 * (46 - r))
        return (11, 95, 122, alpha)

    return Logo(_png(size, size, pixel), "image/png")


def _iciq() -> InstrumentResult:
    return InstrumentResult(
        id="iciq-ui-sf", name="ICIQ Urinary Incontinence Short Form", short_name="ICIQ-UI SF",
        version="2004-adapted.1", domain="urinary", score=9, score_range=(0, 21),
        band_label="moderate", band_source=KLOVNING,
        answers=(
            ItemAnswer("3", "During the past 4 weeks, how frequently has urine leaked?",
                       "Two or three times a week (2)"),
            ItemAnswer("4", "When urine leaks, how much do you think usually comes out?", "A small amount (2)"),
            ItemAnswer("5", "Overall, how much does leaking urine get in the way of your day-to-day life?",
                       "5 on a scale of 0 (not at all) to 10 (a great deal)"),
            ItemAnswer("6", "In which situations does urine leak?",
                       "When I cough or sneeze; when I am physically active or exercising"),
        ),
        details=(("Leakage type", "Stress (on exertion, cough and sneeze); no urgency component"),),
        citation="Avery K et al. Neurourol Urodyn 2004;23:322-330 (score = items 3 + 4 + 5)",
        licence=("ICIQ-UI SF is copyright of the ICIQ Group (Bristol Urological Institute) and is used "
                 "under registration for clinical use. The questions above are the project's own adapted "
                 "wording, not the official ICIQ text; scoring is unchanged."),
        adapted_wording=True, patient_label="Bladder leakage questionnaire (ICIQ-UI SF)",
    )


def _nprs() -> InstrumentResult:
    return InstrumentResult(
        id="nprs", name="Numeric Pain Rating Scale", short_name="NPRS", version="1.0", domain="pain",
        numbered_items=False,
        score=3, score_range=(0, 10), band_label="mild",
        band_source="Serlin RC et al. Pain 1995;61:277-284 (mild 1-4, moderate 5-6, severe 7-10)",
        answers=(
            ItemAnswer("worst", "Your worst pelvic pain in the past week", "3"),
            ItemAnswer("average", "Your average pelvic pain over the past week", "2"),
            ItemAnswer("during_run", "Your pelvic pain during your most recent run", "3"),
        ),
        details=(("Pattern", "Dull ache low in the pelvis after runs over 10 km; settles within a day"),),
        citation="Score = worst pain in the past week (project convention)",
        licence="Public domain.", patient_label="Pain score",
    )


def _leafq() -> InstrumentResult:
    return InstrumentResult(
        id="leaf-q", name="Low Energy Availability in Females Questionnaire", short_name="LEAF-Q",
        numbered_items=False,
        version="2014-adapted.1", domain="energy", score=None, score_range=(0, 25),
        complete=False,
        missing_items=("last_period", "regular_periods", "bleeding_days", "exercise_change"),
        subscales=(
            Subscale("Injuries", 1, (0, 8)),
            Subscale("Stomach and bowel", 2, (0, 9)),
            Subscale("Periods", None, (0, 8), note="not scored: breastfeeding, periods not yet returned"),
        ),
        answers=(
            ItemAnswer("injury_absence", "In the past year, have injuries made you miss training?",
                       "Yes, once or twice", "Injuries"),
            ItemAnswer("gi_bloating", "Do you feel bloated or gassy when you do not have your period?",
                       "Yes, once or twice a week", "Stomach and bowel"),
            ItemAnswer("gi_cramps", "Do you get cramps or stomach ache not linked to your period?",
                       "Rarely or never", "Stomach and bowel"),
        ),
        citation="Melin A et al. Br J Sports Med 2014;48:540-545 (at risk at total >= 8)",
        licence="Published with the article in BJSM; the project's own wording of the item content.",
        adapted_wording=True, patient_label="Energy and fuelling questionnaire (LEAF-Q)",
    )


def _return_to_run() -> ReturnToRun:
    impact = (
        GateTest("Walking", "30 minutes", "30 min", None, None, True),
        GateTest("Single-leg balance", "10 s each side", "10 s", "10 s", None, True),
        GateTest("Single-leg squat", "10 each side", "10", "10", None, True),
        GateTest("Jog on the spot", "1 minute", "1 min", None, "Slight leakage at 50 s", False),
        GateTest("Forward bounds", "10", "10", None, None, True),
        GateTest("Single-leg hop", "10 each leg", "6", "10", "Leakage on the left at the 6th hop", False),
        GateTest("Single-leg running man", "10 each side", "10", "10", "Heaviness afterwards", False),
    )
    strength = (
        GateTest("Single-leg calf raise", "20 each side", "20", "20", None, True),
        GateTest("Single-leg bridge", "20 each side", "20", "16", None, False),
        GateTest("Single-leg sit-to-stand", "20 each side", "14", "12", None, False),
        GateTest("Side-lying abduction", "20 each side", "20", "20", None, True),
    )
    return ReturnToRun(
        gates=(
            Gate("G0", "Medical screen", "fail", "Postnatal bleeding needs GP review first (B8)"),
            Gate("G1", "Time since birth", "pass", "30 weeks postnatal (minimum 12 weeks)"),
            Gate("G2", "Pelvic floor symptoms", "fail", "Stress urinary leakage when running"),
            Gate("G3", "Load and impact tests", "fail", "3 of 7 tests with symptoms", impact),
            Gate("G4", "Strength tests", "fail", "Bridge and sit-to-stand below 20 on the right", strength),
            Gate("G5", "Modifiers", "pass", "Breastfeeding and broken sleep: progress more slowly"),
        ),
        outcome=("Not ready to return to running yet: GP review of the bleeding first (G0), then supervised "
                 "pelvic floor and strength rehabilitation; re-test gates G2 to G4 in 6 weeks."),
        guideline=f"Gates and targets: {GOOM}. Minimum 12 weeks postnatal (configured guideline goom-2019).",
    )


def sample_context(*, signed: bool = True, report_id: str = "RPT-2026-0317-4127",
                   patient_name: str = "Sarah O'Neill") -> ReportContext:
    """The demo assessment, signed (default) or as a draft."""
    sign_off = SignOff("Dr Aileen MacRae", "Pelvic health physiotherapist", "HCPC PH104872",
                       dt.datetime(2026, 3, 17, 16, 42, tzinfo=UTC) if signed else None)
    reasons = (
        Reason("B8", "T3", "bleeding",
               "Vaginal bleeding beyond 8 weeks postnatal, not linked to a cycle: spotting after most runs.",
               "You have spotting after runs, 7 months after giving birth. Your GP should check this.",
               f"{GOOM} (referral list); NHSGGC obstetrics handbook (postnatal bleeding > 6 weeks)"),
        Reason("U-SUI", "T2a", "urinary",
               "Stress urinary incontinence: ICIQ-UI SF 9/21, leakage on exertion and cough. "
               "Supervised PFMT for at least 3 months is first line.",
               "You leak urine when you run or cough. This is common after having a baby and usually "
               "gets better with the right pelvic floor exercises.",
               f"{NG123}, 1.3.1"),
        Reason("G3", "T2a", "return_to_run",
               "Impact tests failed with symptoms (jog, hop left, running man); strength below target.",
               "Some of the hopping and jogging tests caused leakage or heaviness, so your body needs "
               "more strength before running.",
               GOOM),
        Reason("SP-15", "T1", "pain",
               "Pelvic ache NPRS 3 after runs over 10 km; weekly distance rose from 20 to 28 km in 2 weeks.",
               "The ache after long runs is linked to how quickly your running distance went up.",
               SEED),
        Reason("SP-06", "T1", "energy",
               "Skips breakfast before morning runs while breastfeeding; CAT2 provisional green.",
               "Breastfeeding and running both use a lot of energy; eating around runs helps recovery.",
               f"{REDS}; {SEED}"),
    )
    red_flag = RedFlag(
        "B8", "Vaginal bleeding more than 8 weeks after birth, not linked to periods", "T3",
        "GP review within 2 weeks: pregnancy test, exclude retained products, infection and a cervical "
        "cause. Same day if bleeding becomes heavy or comes with fever, pain or offensive discharge.",
        "Light spotting after most runs since 5 months postnatal; breastfeeding, periods not yet returned. "
        "No heavy bleeding, fever or pain; home pregnancy test negative.",
        "Please see your GP in the next two weeks about the spotting after runs. Go the same day if the "
        "bleeding gets heavy, or you have a fever, pain or a bad-smelling discharge.",
        f"{GOOM} (referral list); NHSGGC obstetrics handbook",
    )
    recommendations = (
        Recommendation("REC-GP", "GP review of postnatal bleeding",
                       "Referral paragraph below; ask for pregnancy test, speculum examination and "
                       "ultrasound if indicated.",
                       "See your GP in the next two weeks about the spotting, and take this summary with you.",
                       f"{GOOM}; NHSGGC obstetrics handbook"),
        Recommendation("REC-PFMT", "Supervised pelvic floor muscle training",
                       "At least 3 months: 8-12 maximal 6 s holds three times a day, 8 fast contractions, "
                       "and the 'knack' before coughing; review every 4-6 weeks.",
                       "Three times a day, squeeze and lift your pelvic floor for up to 6 seconds, 8 to 12 "
                       "times, then do 8 quick squeezes. Squeeze before you cough or sneeze.",
                       f"{NG123}, 1.3.1", self_management=True),
        Recommendation("REC-STR", "Strength and impact rehabilitation",
                       "Progressive single-leg bridge and sit-to-stand to 20 each side; graded impact "
                       "(bounds, then hops) once leakage-free.",
                       "Do the hip and leg strength exercises we practised, three times a week.",
                       GOOM, self_management=True),
        Recommendation("SP-28", "Pause running, then walk-run",
                       "No running until G0 is cleared; then walk-run from 2 x 20 min and raise weekly "
                       "distance by about 10 % at most.",
                       "Pause running until your GP has checked the spotting. Keep walking; we will give you "
                       "a walk-run plan after that.",
                       "Deering RE et al. Br J Sports Med 2024 (postpartum return-to-running programme "
                       f"Delphi); {SEED}", self_management=True),
        Recommendation("SP-29", "Fuel before and after runs",
                       "Carbohydrate and protein around sessions; breastfeeding raises energy needs. "
                       "Dietitian if LEAF-Q subscales rise or periods do not return after weaning.",
                       "Eat something with carbohydrate and protein before and after exercise, such as toast "
                       "with peanut butter or yoghurt with fruit.",
                       f"{REDS}; {SEED}", self_management=True),
    )
    return ReportContext(
        report_id=report_id,
        generated_at=dt.datetime(2026, 3, 17, 16, 45, tzinfo=UTC),
        clinic=Clinic("Harbour Pelvic Health & Running Clinic", "12 Harbour Street, Leith, Edinburgh EH6 6QN",
                      "0131 555 0142", sample_logo()),
        patient=Patient(patient_name, dt.date(1991, 6, 14), "Female", "HPH-004127"),
        assessment=Assessment(
            VISIT_2, "Spotting and urine leakage when running, 7 months after birth",
            ("Light vaginal spotting after most runs over 5 km", "Urine leakage when running and coughing",
             "Ache low in the pelvis after long runs"),
            "signed" if signed else "draft", 3 if signed else 2,
            ("7 months postnatal (vaginal birth, second-degree tear)", "Breastfeeding",
             "Runs 3 times a week, about 28 km", "No hormonal contraception"),
        ),
        sign_off=sign_off,
        overall_tier="T3",
        domain_tiers=(
            DomainTier("bleeding", "Bleeding", "T3"),
            DomainTier("urinary", "Bladder", "T2a"),
            DomainTier("return_to_run", "Return to running", "T2a"),
            DomainTier("pain", "Pelvic pain", "T1"),
            DomainTier("energy", "Energy availability", "T1"),
        ),
        reasons=reasons,
        red_flags=(red_flag,),
        instruments=(_iciq(), _nprs(), _leafq()),
        exam=ExamFindings(
            modified_oxford=3, perfect="3/6/5/8", relaxation="Normal",
            popq=PopQ(aa=-2, ba=-2, c=-7, gh=3.5, pb=3, tvl=9, ap=-2.5, bp=-2.5, d=-8.5, stage="I",
                      leading_edge="anterior wall (Aa, Ba)"),
            other=(("Cough test", "Small leak on standing cough, comfortably full bladder"),
                   ("Perineum", "Well-healed second-degree tear, not tender"),
                   ("Abdominal wall", "2 cm separation at the umbilicus, good tension, no doming")),
        ),
        return_to_run=_return_to_run(),
        cat2=Cat2("green", 0, 0,
                  "Provisional, from history only: laboratory indicators (T3, lipids, IGF-1) and bone "
                  "density need a physician, and menstrual indicators cannot be judged while breastfeeding.",
                  citation=CAT2),
        recommendations=recommendations,
        referral_letter=(
            f"Dear colleague, I would be grateful if you could review {patient_name} (born 14 Jun 1991), who "
            "is 7 months postnatal and breastfeeding. Since 5 months postnatal she has had light vaginal "
            "spotting after most runs, not linked to a menstrual cycle (her periods have not returned). "
            "There is no heavy bleeding, fever or pain, and a home pregnancy test was negative. Please "
            "exclude retained products of conception, infection and a cervical cause. She has stress urinary "
            "incontinence (ICIQ-UI SF 9/21, improving) and is under our care for supervised pelvic floor "
            "muscle training; her return to running is on hold until the bleeding has been reviewed."),
        trends=(
            Trend("iciq-ui-sf", "ICIQ-UI SF", (TrendPoint(VISIT_1, 12), TrendPoint(VISIT_2, 9)), (0, 21),
                  2.5, "Nystrom E et al. 2015"),
            Trend("nprs", "NPRS (worst pelvic pain)", (TrendPoint(VISIT_1, 4), TrendPoint(VISIT_2, 3)), (0, 10),
                  2, "Farrar JT et al. Pain 2001"),
        ),
        clinician_notes=(
            "Keen to run the Edinburgh half-marathon at the end of May; discussed that this is unlikely to be "
            "safe before the gates are passed. Prefers morning appointments (childcare).",
        ),
        next_step=("Follow-up appointment in 6 weeks (28 Apr 2026) to re-test the return-to-running gates, "
                   "after your GP review."),
        config_statements=(
            Statement("Postnatal guideline", "Minimum 12 weeks after birth before running (goom-2019), "
                      "Goom, Donnelly & Brockwell 2019"),
            Statement("NPRS bands", "mild 1-4, moderate 5-6, severe 7-10 (Serlin RC et al. Pain 1995)"),
            Statement("ICIQ-UI SF bands", "Klovning 2009 shown as a third-party interpretation"),
        ),
    )


def sample_contexts(count: int, *, signed: bool = True) -> list[ReportContext]:
    """``count`` copies of the demo with distinct report ids (for bulk-export tests and benches)."""
    base = sample_context(signed=signed)
    return [replace(base, report_id=f"RPT-DEMO-{i:05d}") for i in range(count)]


__all__ = ["sample_context", "sample_contexts", "sample_logo"]
