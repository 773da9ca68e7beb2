"""Map a stored assessment (answers, definition versions, computed result) to a pdf.ReportContext.

Nothing is re-scored here: every number, tier, sentence and citation comes from the result stored
with the assessment, so a report prints exactly what the clinician reviewed and signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

import pdf
from assessments.references import definition_text, legend, note_text, reader_text
from assessments.result import load
from assessments.summary import BENIGN_NOTE, Summary
from assessments.vocabulary import CAT2_LIGHTS

from . import catalogue as defs
from .db import db, utcnow
from .intake_forms import display_answer
from .models import COMPLAINTS, SEXES, Assessment, Clinic, User
from .summaries import clinic_phone, stored_result, summary_for


def report_id(assessment: Assessment) -> str:
    """Opaque, stable per assessment version; identifies nobody."""
    digest = hashlib.sha256(f"{assessment.id}:{assessment.version}".encode()).hexdigest()[:10].upper()
    return f"PHT-{digest}-V{assessment.version}"


def clinic_logo(clinic: Clinic | None = None) -> pdf.Logo | None:
    """The clinic's logo from its settings (uploaded by an administrator), else CLINIC_LOGO."""
    if clinic is not None and clinic.logo and clinic.logo_mime:
        try:
            return pdf.Logo(clinic.logo, clinic.logo_mime)
        except ValueError:
            current_app.logger.warning("clinic %s logo could not be used", clinic.id)
    path = current_app.config.get("CLINIC_LOGO")
    if not path:
        return None
    full = path if os.path.isabs(path) else os.path.join(current_app.instance_path, path)
    mime = "image/jpeg" if full.lower().endswith((".jpg", ".jpeg")) else "image/png"
    try:
        with open(full, "rb") as fh:
            return pdf.Logo(fh.read(), mime)
    except (OSError, ValueError):
        current_app.logger.warning("clinic logo %s could not be used", path)
        return None


def _context_facts(context: dict[str, Any]) -> list[str]:
    facts = []
    if context.get("age") is not None:
        facts.append(f"Age {context['age']}")
    if context.get("menopause") == "post":
        facts.append("postmenopausal")
    if context.get("given_birth") and context.get("weeks_since_birth") is not None:
        # "Postnatal" only within the configured window (clinical policy section 2).
        weeks = context["weeks_since_birth"]
        if weeks <= defs.engine_config().postnatal_window_weeks:
            facts.append(f"{weeks} weeks postnatal")
        else:
            facts.append(f"last birth {weeks} weeks ago" if weeks < 104 else f"{weeks // 52} years since last birth")
    elif context.get("given_birth") and context.get("last_birth") == "over_2y":
        facts.append("last birth more than 2 years ago")
    if context.get("breastfeeding") is True:
        facts.append("breastfeeding")
    if context.get("pregnancy") in ("possible", "pregnant"):
        facts.append("pregnancy possible" if context["pregnancy"] == "possible" else "pregnant")
    if context.get("run_km_week") is not None:
        facts.append(f"runs about {context['run_km_week']} km a week")
    return facts


def _subscale_range(iid: str, total_range) -> tuple[float, float]:
    """A subscale's range: the definition's ``subscale_range``, else the total's."""
    own = defs.get(iid).subscale_range
    if own is not None:
        return own
    return tuple(total_range) if total_range else (0.0, 0.0)


def score_lines(iid: str, score: dict[str, Any]) -> list[tuple[str, str]]:
    """A score's parts as a reader sees them (review page): never raw keys such as "leading_edge_cm"."""
    d = score.get("details") or {}
    if iid == "oxford-perfect":
        lines = [("Modified Oxford", str(d.get("power_descriptor") or score.get("total")))]
        if d.get("perfect"):
            lines.append(("PERFECT (P/E/R/F)", str(d["perfect"])))
        if d.get("relaxation"):
            lines.append(("Voluntary relaxation", str(d["relaxation"])))
        return lines
    if iid == "pop-q":
        leading = d.get("leading_points") or []
        edge = d.get("leading_edge")
        lines = [("Stage", str(d.get("stage") or "not staged"))]
        if edge is not None:
            lines.append(("Leading edge", f"{edge:g} cm" + (f" ({', '.join(leading)})" if leading else "")))
        return lines
    rng = _subscale_range(iid, (d.get("range") or (0, 0)))
    lines = [(_subscale_name(name), "not scored" if value is None else f"{value:g} of {rng[0]:g}-{rng[1]:g}")
             for name, value in (score.get("subscales") or {}).items()]
    lines += _details(score)
    return lines


def _subscale_name(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() if name.islower() else name


def _details(score: dict[str, Any]) -> list[tuple[str, str]]:
    d = score.get("details") or {}
    out = []
    if d.get("leakage_type"):
        out.append(("Leakage type", str(d["leakage_type"]).replace("_", " ")))
    for caveat in d.get("caveats") or []:
        out.append(("Caveat", note_text(str(caveat))))
    if d.get("index_version"):
        out.append(("Index version", str(d["index_version"])))
    return out


def _instrument_results(assessment: Assessment, answers: dict, scores: dict) -> list[pdf.InstrumentResult]:
    out = []
    for iid in assessment.instruments:
        if not defs.known(iid) or iid not in answers:
            continue
        inst = defs.get(iid)
        if inst.kind == "exam":
            continue  # printed as examination findings
        given = answers[iid]
        items = [pdf.ItemAnswer(it.id, it.label, display_answer(it, given[it.id]), it.section)
                 for it in inst.items if it.id in given]
        s = scores.get(iid)
        total_range = tuple((s or {}).get("details", {}).get("range") or (0, 0))
        subscales = []
        if s:
            for name, value in (s.get("subscales") or {}).items():
                subscales.append(pdf.Subscale(name, value, _subscale_range(iid, total_range)))
        band = (s or {}).get("band")
        out.append(pdf.InstrumentResult(
            id=iid, name=inst.name, short_name=inst.short_name,
            version=(assessment.definition_versions or {}).get(iid, inst.version), domain=inst.domain,
            score=(s or {}).get("total"), score_range=total_range,
            band_label=band["label"] if band else None, band_source=reader_text(band["source"]) if band else None,
            complete=bool(s["complete"]) if s else True, missing_items=tuple((s or {}).get("missing") or ()),
            subscales=tuple(subscales), answers=tuple(items), details=tuple(_details(s or {})),
            citation=definition_text(inst.citation), licence=note_text(inst.licence),
            adapted_wording=inst.wording == "adapted",
            patient_label=inst.patient_label or inst.name,
            numbered_items=defs.numbered(it.id for it in inst.items)))
    return out


ROMAN = {0: "0", 1: "I", 2: "II", 3: "III", 4: "IV"}


def _exam(answers: dict, scores: dict) -> pdf.ExamFindings | None:
    oxford = answers.get("oxford-perfect")
    popq = answers.get("pop-q")
    if not oxford and not popq:
        return None
    modified_oxford = perfect = relaxation = None
    other = []
    if oxford:
        inst = defs.get("oxford-perfect")
        power, relax, tone = (inst.report_item(r) for r in ("power", "relaxation", "tone"))
        modified_oxford = oxford.get(power)
        perfect = ((scores.get("oxford-perfect") or {}).get("details") or {}).get("perfect")
        if oxford.get(relax) is not None:
            relaxation = display_answer(inst.item(relax), oxford[relax])
        if oxford.get(tone) is not None:
            other.append(("Muscle tone (ICS)", display_answer(inst.item(tone), oxford[tone])))
    popq_view = None
    points = {role: defs.get("pop-q").report_item(role)
              for role in ("aa", "ba", "c", "gh", "pb", "tvl", "ap", "bp", "d")}
    if popq and all(popq.get(points[k]) is not None for k in ("aa", "ba", "c", "ap", "bp", "gh", "pb", "tvl")):
        s = scores.get("pop-q") or {}
        d = s.get("details") or {}
        stage = d.get("stage") or (ROMAN.get(s["total"]) if s.get("total") is not None else None)
        leading = d.get("leading_points") or ""
        popq_view = pdf.PopQ(**{role: popq.get(item) for role, item in points.items()},
                             stage=stage or "not staged",
                             leading_edge=", ".join(leading) if isinstance(leading, list) else str(leading))
    return pdf.ExamFindings(modified_oxford=modified_oxford, perfect=perfect, relaxation=relaxation, popq=popq_view,
                            other=tuple(other))


def _return_to_run(rtr: Any, summary: Summary) -> pdf.ReturnToRun | None:
    if not rtr.applicable or not summary.gates:
        return None
    tests_by_kind: dict[str, list[pdf.GateTest]] = {"load": [], "strength": []}
    for t in rtr.tests:
        target = f"{t.target:g} {t.unit}{' each side' if t.per_side else ''}"
        left, right = (t.left, t.right) if t.per_side else (t.value, None)
        passed = {"pass": True, "fail": False}.get(t.status)
        symptoms = [x for x in t.symptoms if x and x != "none"]
        tests_by_kind.setdefault(t.kind, []).append(pdf.GateTest(
            name=t.name, target=target, left=None if left is None else f"{left:g}",
            right=None if right is None else f"{right:g}", symptom=", ".join(symptoms) or None, passed=passed))
    gates = []
    for g in summary.gates:
        tests = tests_by_kind.get("load" if g.id == "G3" else "strength" if g.id == "G4" else "", [])
        gates.append(pdf.Gate(id=g.id, title=g.title, status=g.status, summary=g.why, tests=tuple(tests)))
    guideline = f"{_reader(rtr.guideline_citation)} (minimum {rtr.min_weeks} weeks after birth)"
    return pdf.ReturnToRun(gates=tuple(gates), outcome=summary.rtr_outcome or "", guideline=guideline)


def _reader(citation: str) -> str:
    return reader_text(citation)


def _cat2(c: Any) -> pdf.Cat2 | None:
    if not c.assessed or c.light not in CAT2_LIGHTS:
        return None
    return pdf.Cat2(light=c.light, primary=c.primary_count, secondary=c.secondary_count, caveat=c.caveat,
                    serious_indicator=c.override, citation=_reader(c.citation))


def _scores_of(result: dict | None) -> dict[str, Any]:
    typed = load(result) if result else None
    return {k: v.to_dict() for k, v in typed.scores.items()} if typed else {}


def trends_for(assessment: Assessment) -> list[pdf.Trend]:
    """Each instrument scored at this and earlier visits of the episode, for the review page."""
    return _trends(assessment, _scores_of(assessment.result))


def _trends(assessment: Assessment, scores: dict) -> list[pdf.Trend]:
    # Only results a clinician has reviewed or signed count (an intake still waiting for review
    # does not); several results on one day are combined into one point, the latest, labelled.
    earlier = db.session.scalars(
        select(Assessment).where(Assessment.episode_id == assessment.episode_id, Assessment.id != assessment.id,
                                 or_(Assessment.status == "signed",
                                     and_(Assessment.status == "submitted", Assessment.reviewed_at.is_not(None))),
                                 Assessment.performed_on <= assessment.performed_on)
        .order_by(Assessment.performed_on, Assessment.created_at)).all()
    trends = []
    for iid, s in scores.items():
        if s.get("total") is None:
            continue
        inst = defs.get(iid)
        if inst.kind == "exam":
            continue
        by_day: dict[dt.date, list[float]] = {}
        for other in earlier:
            prev = _scores_of(other.result).get(iid)
            if prev and prev.get("total") is not None:
                by_day.setdefault(other.performed_on, []).append(float(prev["total"]))
        if not by_day:
            continue
        by_day.setdefault(assessment.performed_on, []).append(float(s["total"]))  # this visit: the latest
        if len(by_day) < 2:
            continue
        points = [pdf.TrendPoint(day, values[-1], same_day=len(values)) for day, values in sorted(by_day.items())]
        mid = inst.mid or {}
        rng = tuple((s.get("details") or {}).get("range") or (0, max(p.score for p in points)))
        trends.append(pdf.Trend(instrument_id=iid, instrument_name=inst.name, points=tuple(points),
                                score_range=rng, mid=mid.get("value"),
                                mid_source=reader_text(mid["source"]) if mid.get("source") else None))
    return trends


def supersedes(assessment: Assessment) -> str:
    """For an amended assessment: the signed version this one replaces (issue 12)."""
    if (assessment.version or 1) <= 1:
        return ""
    from .models import AssessmentRevision

    previous = db.session.scalar(select(AssessmentRevision).where(
        AssessmentRevision.assessment_id == assessment.id, AssessmentRevision.version == assessment.version - 1))
    if previous is None or previous.signed_at is None:
        return f"version {assessment.version - 1}"
    who = f" by {previous.signed_by.name}" if previous.signed_by else ""
    return f"version {previous.version}, signed {previous.signed_at:%d %B %Y}{who}"


def _cite(refs) -> str:
    return "; ".join(str(r) for r in refs)


def build_context(assessment: Assessment) -> pdf.ReportContext:
    """The report's plain values, all from the stored result and its one composition."""
    patient = assessment.patient
    episode = assessment.episode
    clinic = db.session.get(Clinic, assessment.clinic_id)
    answers = dict(assessment.answers or {})
    typed = stored_result(assessment)
    if typed is None:
        raise ValueError("this assessment has no stored result yet")
    summary = summary_for(assessment, clinic=clinic, letter={
        "name": patient.display_name, "born": f"{patient.date_of_birth:%d %B %Y}",
        "seen": f"{assessment.performed_on:%d %B %Y}"})
    scores = {k: v.to_dict() for k, v in typed.scores.items()}
    signer: User | None = assessment.signed_by or assessment.clinician
    sexes = dict(SEXES)
    complaint_names = dict(COMPLAINTS)
    reasons = tuple(pdf.Reason(f.code, f.tier, f.domain,
                               (f.clinician if f.code else f"{f.title}: {f.clinician}")
                               + (BENIGN_NOTE if f.rule_id in summary.withheld else ""),
                               f.patient, _cite(f.references)) for d in summary.domains for f in d.findings)
    return pdf.ReportContext(
        report_id=report_id(assessment),
        generated_at=utcnow(),
        clinic=pdf.Clinic(name=clinic.name, address=clinic.address or "", phone=clinic_phone(clinic),
                          logo=clinic_logo(clinic)),
        patient=pdf.Patient(name=patient.display_name, date_of_birth=patient.date_of_birth,
                            sex=sexes.get(patient.sex, ""), identifier=patient.identifier or ""),
        assessment=pdf.Assessment(date=assessment.performed_on,
                                  episode_title=episode.title or ", ".join(episode.complaint_labels),
                                  complaints=tuple(complaint_names.get(c, c) for c in episode.complaints or ()),
                                  status=assessment.status, version=assessment.version,
                                  context=tuple(_context_facts(answers.get(defs.CONTEXT) or {})),
                                  supersedes=supersedes(assessment)),
        sign_off=pdf.SignOff(clinician_name=signer.name if signer else "Not recorded",
                             role=(signer.job_title or "Clinician") if signer else "",
                             signed_at=assessment.signed_at if assessment.status == "signed" else None),
        overall_tier=summary.tier,
        domain_tiers=tuple(pdf.DomainTier(d.domain, d.label, d.tier, flags=tuple(f.title for f in d.red_flags))
                           for d in summary.domains),
        reasons=reasons,
        red_flags=tuple(pdf.RedFlag(f.code, f.title, f.tier, f.action, f.clinician, f.patient,
                                    _cite(f.references)) for f in summary.red_flags),
        instruments=tuple(_instrument_results(assessment, answers, scores)),
        exam=_exam(answers, scores),
        return_to_run=_return_to_run(typed.return_to_run, summary),
        cat2=_cat2(typed.cat2),
        recommendations=tuple(pdf.Recommendation(a.id, a.title, a.clinician, a.patient, _cite(a.references),
                                                 self_management=a.self_management,
                                                 note=BENIGN_LABEL if a.id in summary.withheld else "")
                              for a in summary.plan),
        referral_letter=summary.gp_letter,
        trends=tuple(_trends(assessment, scores)),
        clinician_notes=(assessment.clinician_notes,) if assessment.clinician_notes else (),
        next_step=summary.next_step,
        config_statements=tuple(pdf.Statement(t.label, t.text) for t in summary.thresholds),
        patient_sections=tuple(pdf.Section(s.title, s.items, s.kind) for s in summary.patient_sections()),
        evidence_legend=legend(),
    )


BENIGN_LABEL = BENIGN_NOTE.strip(" ()")


def download_name(assessment: Assessment, kind: str) -> str:
    """Opaque, non-identifying file name for a downloaded report."""
    return f"{report_id(assessment).lower()}-{kind}.pdf"


def signed_between(clinic_id: int | None, start: dt.date, end: dt.date) -> list[Assessment]:
    from .privacy import not_restricted

    stmt = select(Assessment).where(Assessment.status == "signed", Assessment.performed_on >= start,
                                    Assessment.performed_on <= end, not_restricted(Assessment.patient_id)
                                    ).order_by(Assessment.performed_on)
    if clinic_id is not None:
        stmt = stmt.where(Assessment.clinic_id == clinic_id)
    return list(db.session.scalars(stmt))
