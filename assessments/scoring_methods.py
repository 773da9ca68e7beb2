"""Instrument-specific scoring methods (registered in :data:`assessments.scoring.METHODS`).

Each function implements one published rule; its parameters come from the definition's
``scoring`` block, so the JSON stays the single description of the instrument.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .config import NPRS_SCHEMES
from .model import AnswerError
from .scoring_base import BandResult, ScoreResult, Scoring, exact, find_band, method, out, static_band, sum_items

# --------------------------------------------------------------------------- ICIQ-UI SF


@method("iciq_ui_sf")
def iciq_ui_sf(s: Scoring) -> ScoreResult:
    """ICIQ-UI SF score = Q3 + Q4 + Q5 (0-21) (Avery et al. 2004; ICIQ scoring).

    Any of Q3-Q5 unanswered: no total (ICIQ publishes no missing-data rule) [R].  Bands are the
    Klovning 2009 third-party interpretation (slight 1-5, moderate 6-12, severe 13-18, very severe
    19-21; 0 = no leakage [R]), shown only when ``config.klovning_bands`` is on.

    Q6 (unscored) gives ``details.leakage_type``: ``stress`` (cough/sneeze or physical activity),
    ``urgency`` (before reaching the toilet), ``mixed`` (both), ``other`` (only other situations),
    ``none`` (never leaks) or ``None`` (Q6 unanswered); ``details.medical_review`` is true when
    leakage happens while asleep, for no obvious reason or all the time (overflow, fistula,
    neurological cause) [R/M].
    """
    p = s.params
    total, (lo, hi), notes = sum_items(s, p["items"])
    band, band_notes = static_band(s, total)
    details: dict[str, Any] = {"band_kind": "third-party interpretation (Klovning 2009), not ICIQ scoring"}
    situations = s.answers.get(p["situations_item"])
    if situations is None:
        details.update(
            leakage_type=None,
            situations=None,
            medical_review=False,
            medical_review_reasons=[],
            after_voiding=False,
        )
    else:
        chosen = set(situations)
        stress = bool(chosen & set(p["stress_situations"]))
        urgency = bool(chosen & set(p["urgency_situations"]))
        review = [x for x in p["medical_review_situations"] if x in chosen]
        leaking = chosen - {"never"}
        if stress and urgency:
            kind = "mixed"
        elif stress:
            kind = "stress"
        elif urgency:
            kind = "urgency"
        elif leaking:
            kind = "other"
        else:
            kind = "none"
        if "never" in chosen and leaking:
            notes.append("Q6: 'never' was ticked together with leakage situations; check with the patient.")
        if kind == "none" and total is not None and total > 0:
            notes.append("Q6 says urine never leaks but Q3-Q5 score above 0; check with the patient.")
        details.update(
            leakage_type=kind,
            situations=[x for x in situations],
            medical_review=bool(review),
            medical_review_reasons=review,
            after_voiding="after_voiding" in chosen,
        )
    return s.result(
        complete=total is not None,
        total=out(total),
        band=band,
        range=(out(lo), out(hi)),
        details=details,
        notes=notes + band_notes,
    )


# --------------------------------------------------------------------------- Sandvik ISI


@method("sandvik_isi")
def sandvik_isi(s: Scoring) -> ScoreResult:
    """Sandvik severity index = frequency x amount, in the version set by ``config.sandvik_version``.

    1993 (Sandvik 1993; Hanley 2001): frequency 0-4 x amount (drops/a little 1, more 2) = 0-8;
    0 dry, 1-2 slight, 3-4 moderate, 6-8 severe.  2000 (Sandvik 2000, four-level): frequency 1-4 x
    amount (drops 1, small splashes 2, more 3) = 1-12; slight 1-2, moderate 3-6, severe 8-9, very
    severe 12 (cut-offs [M]).  The form asks the three-level amount question; under 1993, drops and
    small splashes both count 1 [R].  Frequency 'never' gives 0 (dry) without the amount item.
    Missing applicable item: no index [R].  The version is recorded in ``details.index_version``.
    """
    p = s.params
    version = getattr(s.config, p["config_field"])
    v = p["versions"][version]
    details = {"index_version": version, "index_version_label": v["label"]}
    rng = (v["range"][0], v["range"][1])
    freq = s.answers.get(p["frequency_item"])
    notes: list[str] = []
    total: Fraction | None = None
    if freq is None:
        notes.append("No index: frequency unanswered.")
    else:
        f_points = Fraction(v["frequency_points"][str(freq)])
        if f_points == 0:
            total = Fraction(0)
        else:
            amount = s.answers.get(p["amount_item"])
            if amount is None:
                notes.append("No index: amount unanswered.")
            else:
                total = f_points * Fraction(v["amount_points"][str(amount)])
    band = None
    if total is not None:
        label = find_band(v["bands"], total)
        band = BandResult(label, v["bands_source"]) if label else None
        details["frequency_points"] = out(f_points)
        details["amount_points"] = out(total / f_points) if f_points else None
    return s.result(
        complete=total is not None, total=out(total), band=band, range=rng, details=details, notes=notes
    )


# --------------------------------------------------------------------------- NPRS


def nprs_band(value: int | None, scheme_id: str) -> BandResult | None:
    """Band of one 0-10 rating under an NPRS scheme from :data:`config.NPRS_SCHEMES`."""
    if value is None:
        return None
    mild, moderate, severe, citation = NPRS_SCHEMES[scheme_id]
    source = f"{citation} (NPRS scheme '{scheme_id}')"
    if value == 0:
        return BandResult("no pain", "Scale anchor: 0 = no pain")
    for (lo, hi), label in ((mild, "mild"), (moderate, "moderate"), (severe, "severe")):
        if lo <= value <= hi:
            return BandResult(label, source)
    return None


@method("nprs_anchors")
def nprs_anchors(s: Scoring) -> ScoreResult:
    """NPRS 0-10 ratings at several anchors; total = the primary anchor (worst pain, past week).

    The bands are those of the configured scheme (``config.nprs_scheme``; default Serlin 1995:
    mild 1-4, moderate 5-6, severe 7-10 - cut-points derived from worst pain), printed with the
    scheme's citation; 0 is the scale anchor "no pain".  Every anchor is reported as a subscale
    with its own band in ``details.anchor_bands``.  Primary anchor unanswered: no total.
    """
    p = s.params
    primary = p["primary"]
    scheme = s.config.nprs_scheme
    subscales = {a: s.answers.get(a) for a in p["anchors"]}
    total = s.answers.get(primary)
    notes = [] if total is not None else [f"No total: the '{primary}' rating is unanswered."]
    anchor_bands = {a: (b.to_dict() if (b := nprs_band(v, scheme)) else None) for a, v in subscales.items()}
    return s.result(
        complete=total is not None,
        total=total,
        subscales=subscales,
        band=nprs_band(total, scheme),
        range=(0, 10),
        details={"total_anchor": primary, "scheme": scheme, "anchor_bands": anchor_bands},
        notes=notes,
    )


# --------------------------------------------------------------------------- LEAF-Q

POPULATION_CAVEAT = (
    "Validated in female endurance athletes and dancers aged 18-39 training at least 5 times a "
    "week (Melin 2014); recreational and masters runners and postpartum women are outside the "
    "validation population, so interpret with care [R]."
)
KEY_CAVEAT = (
    "The item point key is from memory [M] and has not been checked against Melin 2014 and its "
    "supplementary file; verify it before using this total for clinical decisions."
)


def _matches(answers: Any, rule: dict[str, Any] | None) -> bool:
    return bool(rule) and answers.get(rule["item"]) in rule["values"]


def _context_flag(context: Any, *keys: str) -> bool:
    return any(bool(context.get(k)) for k in keys)


@method("leaf_q_points")
def leaf_q_points(s: Scoring) -> ScoreResult:
    """LEAF-Q total = sum of item points; total >= ``config.leafq_cutoff`` (Melin 2014: 8) = at risk.

    Melin et al. BJSM 2014: 25 scored items in injury, gastrointestinal and menstrual domains;
    a total of 8 or more identified current low energy availability and/or menstrual dysfunction
    and/or low bone health with sensitivity 78% and specificity 90% in endurance athletes and
    dancers.  Answers are response codes; the points come from ``scoring.points`` so that a
    corrected key re-scores stored answers.  Subscale cut-offs (injury >= 2, GI >= 2, menstrual
    >= 4) are [M].  Missing applicable scored item: no total [R].

    Every result carries ``details.caveats``: the unverified key (while ``key_verified`` is false),
    the validation population, and - detected from the contraception / pregnancy answers or from
    ``context`` (``hormonal_contraception``, ``pregnant``, ``lactating``/``breastfeeding``,
    ``postpartum``) - that the menstrual items cannot be interpreted with hormonal contraception,
    in pregnancy or during lactation (``details.interpretable`` is then false).
    """
    p = s.params
    points: dict[str, dict[str, int]] = p["points"]
    enabled = s.enabled_ids()
    item_points: dict[str, int] = {}
    subscales: dict[str, int | None] = {}
    absent: list[str] = []
    for name, items in p["subscales"].items():
        sub_total = 0
        sub_complete = True
        for iid in items:
            if iid not in enabled:
                continue
            if iid not in s.answers:
                absent.append(iid)
                sub_complete = False
                continue
            item_points[iid] = points[iid][s.answers[iid]]
            sub_total += item_points[iid]
        subscales[name] = sub_total if sub_complete else None
    total = None if absent else sum(item_points.values())
    hi = sum(max(opts.values()) for opts in points.values())
    cutoff = getattr(s.config, p["cutoff_config_field"])
    notes: list[str] = []
    if absent:
        notes.append(
            "No total: " + ", ".join(absent) + " unanswered, and every applicable scored item is needed."
        )

    answers, ctx = s.answers, s.context
    reasons: list[str] = []
    hormonal = any(_matches(answers, rule) for rule in p.get("hormonal_contraception", ())) or _context_flag(
        ctx, "hormonal_contraception"
    )
    if hormonal:
        reasons.append("hormonal contraception")
    if _matches(answers, p.get("pregnancy")) or _context_flag(ctx, "pregnant"):
        reasons.append("pregnancy")
    if _context_flag(ctx, "lactating", "breastfeeding"):
        reasons.append("breastfeeding / lactation")
    caveats = []
    if not p.get("key_verified", False):
        caveats.append(KEY_CAVEAT)
    if reasons:
        caveats.append(
            "Not interpretable with " + " and ".join(reasons) + ": the menstrual items reflect "
            "hormonal or reproductive state, not energy availability [M/R]. Use the REDs CAT2 clinical "
            "indicators and a dietitian review instead."
        )
    if _context_flag(ctx, "postpartum"):
        caveats.append("Postpartum: not validated after childbirth [R].")
    caveats.append(POPULATION_CAVEAT)
    no_menarche = _matches(answers, p.get("no_menarche"))
    if no_menarche:
        caveats.append(
            "No period ever reported: primary amenorrhoea needs a medical review whatever the score [R]."
        )

    band = None
    if total is not None:
        label = "at risk" if total >= cutoff else "below cut-off"
        source = (
            "Melin A et al. Br J Sports Med 2014;48:540-545: total >= 8 = at risk of persistent low energy "
            "availability / Female Athlete Triad (sensitivity 78%, specificity 90%) [S]"
        )
        if cutoff != 8:
            source += f"; this clinic's configured cut-off is {cutoff}"
        band = BandResult(label, source)
    sub_cut = p.get("subscale_cutoffs", {})
    details = {
        "item_points": item_points,
        "cutoff": cutoff,
        "at_or_above_cutoff": None if total is None else total >= cutoff,
        "subscale_flags": {
            n: (None if v is None else v >= sub_cut[n]) for n, v in subscales.items() if n in sub_cut
        },
        "subscale_cutoffs_source": p.get("subscale_cutoffs_source"),
        "point_key_verified": bool(p.get("key_verified", False)),
        "interpretable": not reasons,
        "not_interpretable_reasons": reasons,
        "no_menarche": no_menarche,
        "caveats": caveats,
    }
    return s.result(
        complete=total is not None,
        total=total,
        subscales=subscales,
        band=band,
        range=(0, hi),
        details=details,
        notes=notes + caveats,
    )


# --------------------------------------------------------------------------- PERFECT


@method("oxford_perfect")
def oxford_perfect(s: Scoring) -> ScoreResult:
    """Modified Oxford Scale and PERFECT record (Laycock & Jerwood 2001).

    Total = MOS power grade (0-5); subscales power, endurance (s held, up to 10), repetitions (up
    to 10) and fast contractions (up to 10).  ``details.perfect`` is the P/E/R/F record, e.g.
    "3/6/5/8", given only when all four are recorded (as is the total).  Voluntary relaxation
    and the optional ICS function descriptor are reported in details; non-normal relaxation or an
    overactive / non-functioning descriptor sets ``details.relaxation_concern`` [R].
    """
    p = s.params
    keys = ("power", "endurance", "repetitions", "fast")
    values = {k: s.answers.get(p[k]) for k in keys}
    complete = all(v is not None for v in values.values())
    relaxation = s.answers.get(p["relaxation"])
    tone = s.answers.get(p["tone"])
    power_item = s.instrument.item(p["power"])
    details = {
        "perfect": "/".join(str(values[k]) for k in keys) if complete else None,
        "power_descriptor": power_item.option_for(values["power"]).label
        if values["power"] is not None
        else None,
        "relaxation": relaxation,
        "tone": tone,
        "relaxation_concern": (relaxation not in (None, "normal"))
        or tone in ("overactive", "non_functioning"),
    }
    notes = (
        []
        if complete
        else ["No PERFECT record: " + ", ".join(k for k in keys if values[k] is None) + " not recorded."]
    )
    return s.result(
        complete=complete,
        total=values["power"] if complete else None,
        subscales=values,
        range=(0, 5),
        details=details,
        notes=notes,
    )


# --------------------------------------------------------------------------- POP-Q

ROMAN = ("0", "I", "II", "III", "IV")


def pop_q_stage_of(values: dict[str, Fraction], tvl: Fraction, fixed: list[str], apex: list[str]) -> int:
    """Bump 1996 stage from the site values (cm, negative = above the hymen) and tvl.

    Leading edge (most distal site): I < -1; II -1..+1; III > +1 and < tvl - 2; IV >= tvl - 2.
    Stage 0 (no prolapse): Aa, Ap, Ba and Bp all at -3 and C or D between -tvl and -(tvl - 2).
    The "C or D" wording allows for cervical elongation; it is applied only where the leading edge
    would give stage I, so a distal cervix with a high posterior fornix is never called stage 0 [R].
    """
    lead = max(values.values())
    if lead < -1:
        no_prolapse = all(values.get(k) == -3 for k in fixed) and any(
            k in values and -tvl <= values[k] <= -(tvl - 2) for k in apex
        )
        return 0 if no_prolapse else 1
    if lead <= 1:
        return 2
    if lead < tvl - 2:
        return 3
    return 4


@method("pop_q_stage")
def pop_q_stage(s: Scoring) -> ScoreResult:
    """POP-Q stage 0-IV (Bump et al. 1996) from Aa, Ba, C, D, Ap, Bp and tvl.

    The leading edge of the most distal point decides: I < -1 cm; II -1 to +1; III > +1 and
    < tvl-2; IV >= tvl-2; stage 0 (no prolapse: Aa, Ap, Ba, Bp at -3 cm and C or D between -tvl and
    -(tvl-2)) can only replace stage I [R] (criteria as tabulated in BMC Urol 2020).  D is optional
    (hysterectomy).  The
    answers are checked against each other (Ba, Bp <= tvl; -tvl <= C, D <= tvl) and an
    :class:`AnswerError` names every inconsistent point.  Total = stage number; the band is the
    stage name; ``details`` gives the leading point(s) and leading edge.
    """
    p = s.params
    inst = s.instrument
    tvl_id = p["tvl"]
    sites = p["sites"]
    tvl = exact(s.answers[tvl_id]) if tvl_id in s.answers else None
    values = {k: exact(s.answers[k]) for k in sites if k in s.answers}
    if tvl is not None:
        errors = {}
        for k, v in values.items():
            if k in p["apex_points"]:
                if not -tvl <= v <= tvl:
                    errors[k] = f"Must lie between -tvl and +tvl (tvl = {out(tvl)} cm)."
            elif v > tvl:
                errors[k] = f"Cannot be more than tvl ({out(tvl)} cm)."
        if errors:
            raise AnswerError(inst.id, errors)
    needed = [k for k in sites if inst.item(k).required] + [tvl_id]
    absent = [k for k in needed if k not in s.answers]
    details: dict[str, Any] = {
        "leading_points": None,
        "leading_edge": None,
        "stage": None,
        "gh": s.answers.get("gh"),
        "pb": s.answers.get("pb"),
        "tvl": s.answers.get(tvl_id),
        "hysterectomy_d_absent": "D" not in s.answers,
    }
    if absent:
        return s.result(
            complete=False,
            total=None,
            range=(0, 4),
            details=details,
            notes=["No stage: " + ", ".join(absent) + " not recorded."],
        )
    stage = pop_q_stage_of(values, tvl, p["fixed_points"], p["apex_points"])
    lead = max(values.values())
    details.update(
        leading_points=[k for k in sites if k in values and values[k] == lead],
        leading_edge=out(lead),
        stage=ROMAN[stage],
    )
    label = find_band(inst.bands, stage)
    band = BandResult(label, inst.bands_source or "") if label else None
    return s.result(
        complete=True,
        total=stage,
        subscales={"leading_edge_cm": out(lead)},
        band=band,
        range=(0, 4),
        details=details,
    )
