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
from pdf.context import CAT2_LIGHTS, tier_rank

from . import catalogue as defs
from .db import db, utcnow
from .intake_forms import display_answer
from .models import COMPLAINTS, SEXES, Assessment, Clinic, User

DOMAIN_LABELS = {
    "bleeding": "Bleeding and spotting", "pain": "Pelvic pain", "urinary": "Bladder (urinary)",
    "bowel": "Bowel", "prolapse": "Prolapse", "energy": "Energy availability",
    "return_to_run": "Return to running", "general": "General health", "pelvic_floor": "Pelvic floor",
}
NEXT_STEP = {
    "T0": "No follow-up is needed now. Get in touch if anything changes.",
    "T1": "Follow your self-management plan below and check in with us again in 6 to 12 weeks.",
    "T2a": "Start supervised pelvic health physiotherapy: we will agree your next appointments with you.",
    "T2b": "We will write to a specialist about you and keep your GP informed.",
    "T3": "Book a GP appointment and take this summary with you.",
    "T4": "See a doctor urgently, within the next few days, and take this summary with you.",
    "T5": "Get medical help today: call 999 or go to your nearest emergency department.",
}
SELF_MANAGED = {"self_management", "education", "exercise"}
PATIENT_LABELS = {
    "iciq-ui-sf": "Bladder leakage questionnaire", "sandvik-isi": "Leakage severity index",
    "pfdi-20": "Pelvic floor symptoms questionnaire", "pfiq-7": "Pelvic floor impact questionnaire",
    "pop-ss": "Prolapse symptom questionnaire", "wexner": "Bowel control score", "st-marks": "Bowel control score",
    "nprs": "Pain rating", "csi": "Body sensitivity questionnaire", "leaf-q": "Energy and training questionnaire",
}


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
    inst = defs.get(iid)
    method = (inst.scoring or {}).get("method")
    if method == "mean_subscales":
        return (0.0, 100.0)
    if iid == "nprs":
        return (0.0, 10.0)
    return tuple(total_range) if total_range else (0.0, 0.0)


def _details(score: dict[str, Any]) -> list[tuple[str, str]]:
    d = score.get("details") or {}
    out = []
    if d.get("leakage_type"):
        out.append(("Leakage type", str(d["leakage_type"]).replace("_", " ")))
    for caveat in d.get("caveats") or []:
        out.append(("Caveat", str(caveat)))
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
            band_label=band["label"] if band else None, band_source=band["source"] if band else None,
            complete=bool(s["complete"]) if s else True, missing_items=tuple((s or {}).get("missing") or ()),
            subscales=tuple(subscales), answers=tuple(items), details=tuple(_details(s or {})),
            citation=inst.citation, licence=inst.licence, adapted_wording=inst.wording == "adapted",
            patient_label=PATIENT_LABELS.get(iid, inst.name),
            numbered_items=defs.numbered(it.id for it in inst.items)))
    return out


CONFIG_LABELS = {
    "postnatal": "Return to running after birth",
    "nprs": "Pain score bands (NPRS)",
    "klovning": "ICIQ-UI SF severity bands",
    "leafq": "LEAF-Q cut-off",
}
"""Reader-facing names of the thresholds in force (``assessments.config.describe`` keys)."""


ROMAN = {0: "0", 1: "I", 2: "II", 3: "III", 4: "IV"}


def _exam(answers: dict, scores: dict) -> pdf.ExamFindings | None:
    oxford = answers.get("oxford-perfect")
    popq = answers.get("pop-q")
    if not oxford and not popq:
        return None
    modified_oxford = perfect = relaxation = None
    other = []
    if oxford:
        modified_oxford = oxford.get("power")
        perfect = ((scores.get("oxford-perfect") or {}).get("details") or {}).get("perfect")
        inst = defs.get("oxford-perfect")
        if oxford.get("relaxation") is not None:
            relaxation = display_answer(inst.item("relaxation"), oxford["relaxation"])
        if oxford.get("tone") is not None:
            other.append(("Muscle tone (ICS)", display_answer(inst.item("tone"), oxford["tone"])))
    popq_view = None
    if popq and all(popq.get(k) is not None for k in ("Aa", "Ba", "C", "Ap", "Bp", "gh", "pb", "tvl")):
        s = scores.get("pop-q") or {}
        d = s.get("details") or {}
        stage = d.get("stage") or (ROMAN.get(s["total"]) if s.get("total") is not None else None)
        leading = d.get("leading_points") or ""
        popq_view = pdf.PopQ(aa=popq["Aa"], ba=popq["Ba"], c=popq["C"], gh=popq["gh"], pb=popq["pb"], tvl=popq["tvl"],
                             ap=popq["Ap"], bp=popq["Bp"], d=popq.get("D"),
                             stage=stage or "not staged",
                             leading_edge=", ".join(leading) if isinstance(leading, list) else str(leading))
    return pdf.ExamFindings(modified_oxford=modified_oxford, perfect=perfect, relaxation=relaxation, popq=popq_view,
                            other=tuple(other))


def _gate_status(status: str) -> str:
    return {"pass": "pass", "fail": "fail", "modify": "pass"}.get(status, "not_assessed")


def _return_to_run(rtr: dict | None) -> pdf.ReturnToRun | None:
    if not rtr or not rtr.get("applicable"):
        return None
    tests_by_kind: dict[str, list[pdf.GateTest]] = {"load": [], "strength": []}
    for t in rtr.get("tests") or []:
        target = f"{t['target']} {t['unit']}{' each side' if t.get('per_side') else ''}"
        if t.get("per_side"):
            left, right = t.get("left"), t.get("right")
        else:
            left, right = t.get("value"), None
        passed = {"pass": True, "fail": False}.get(t.get("status"))
        symptoms = [s for s in (t.get("symptoms") or []) if s and s != "none"]
        tests_by_kind.setdefault(t.get("kind", "load"), []).append(pdf.GateTest(
            name=t["name"], target=target, left=None if left is None else str(left),
            right=None if right is None else str(right), symptom=", ".join(symptoms) or None, passed=passed))
    gates = []
    for g in rtr.get("gates") or []:
        tests = tests_by_kind.get("load" if g["id"] == "G3" else "strength" if g["id"] == "G4" else "", [])
        summary = "; ".join(g.get("reasons") or [])
        if g.get("status") == "modify":
            summary = "Modify the plan: " + summary
        gates.append(pdf.Gate(id=g["id"], title=g["name"], status=_gate_status(g.get("status", "")),
                              summary=summary, tests=tuple(tests)))
    guideline = f"{rtr.get('guideline_citation', '')} (minimum {rtr.get('min_weeks')} weeks after birth)"
    return pdf.ReturnToRun(gates=tuple(gates), outcome=rtr.get("outcome", ""), guideline=guideline)


def _cat2(c: dict | None) -> pdf.Cat2 | None:
    if not c or not c.get("assessed") or c.get("light") not in CAT2_LIGHTS:
        return None
    return pdf.Cat2(light=c["light"], primary=c.get("primary_count", 0), secondary=c.get("secondary_count", 0),
                    caveat=c.get("caveat", ""), serious_indicator=bool(c.get("override")),
                    citation=c.get("citation", ""))


def _referral_letter(patient, assessment, triage: dict) -> str | None:
    high = [r for r in triage.get("rules") or [] if tier_rank(r["tier"]) >= tier_rank("T2b")]
    if not high:
        return None
    findings = "; ".join(f"{r.get('title') or r['id']} ({r['id']}, {r['tier']})" for r in high)
    actions = "; ".join(dict.fromkeys(r.get("action") or "" for r in high if r.get("action")))
    return (f"Dear colleague, I assessed {patient.display_name} (born {patient.date_of_birth:%d %B %Y}) on "
            f"{assessment.performed_on:%d %B %Y}. The structured assessment found: {findings}. "
            f"I would be grateful for your review: {actions or 'as you judge appropriate'}. "
            f"The full report, with the source of every rule, is attached.")


def trends_for(assessment: Assessment) -> list[pdf.Trend]:
    """Each instrument scored at this and earlier visits of the episode, for the review page."""
    return _trends(assessment, ((assessment.result or {}).get("scores") or {}))


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
            prev = ((other.result or {}).get("scores") or {}).get(iid)
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
                                score_range=rng, mid=mid.get("value"), mid_source=mid.get("source")))
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


def build_context(assessment: Assessment) -> pdf.ReportContext:
    patient = assessment.patient
    episode = assessment.episode
    clinic = db.session.get(Clinic, assessment.clinic_id)
    answers = dict(assessment.answers or {})
    result = assessment.result
    if result is None:
        from .operations import compute_result
        result = compute_result(list(assessment.instruments), answers, assessment.clinic_id)
    triage = result.get("triage") or {}
    scores = result.get("scores") or {}
    red = triage.get("red_flags") or []
    red_ids = {r["id"] for r in red}
    signer: User | None = assessment.signed_by or assessment.clinician
    sexes = dict(SEXES)
    complaint_names = dict(COMPLAINTS)
    tier = triage.get("tier") or "T0"
    return pdf.ReportContext(
        report_id=report_id(assessment),
        generated_at=utcnow(),
        clinic=pdf.Clinic(name=clinic.name, address=clinic.address or "", phone=clinic.phone or "",
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
        overall_tier=tier,
        domain_tiers=tuple(pdf.DomainTier(d, DOMAIN_LABELS.get(d, d.replace("_", " ").title()), t)
                           for d, t in (triage.get("domains") or {}).items() if t and t != "T0"),
        reasons=tuple(pdf.Reason(r["id"], r["tier"], r.get("domain", "general"), r["clinician"], r["patient"],
                                 r["citation"]) for r in triage.get("rules") or [] if r["id"] not in red_ids),
        red_flags=tuple(pdf.RedFlag(r["id"], r.get("title") or r["id"], r["tier"], r.get("action") or "",
                                    r["clinician"], r["patient"], r["citation"]) for r in red),
        instruments=tuple(_instrument_results(assessment, answers, scores)),
        exam=_exam(answers, scores),
        return_to_run=_return_to_run(triage.get("return_to_run")),
        cat2=_cat2(triage.get("cat2")),
        recommendations=tuple(pdf.Recommendation(r["id"], r["title"], r["clinician"], r["patient"], r["citation"],
                                                 self_management=r.get("category") in SELF_MANAGED)
                              for r in triage.get("recommendations") or []),
        referral_letter=_referral_letter(patient, assessment, triage),
        trends=tuple(_trends(assessment, scores)),
        clinician_notes=(assessment.clinician_notes,) if assessment.clinician_notes else (),
        next_step=NEXT_STEP.get(tier, ""),
        config_statements=tuple(pdf.Statement(CONFIG_LABELS.get(k, k.replace("_", " ").capitalize()), v)
                                for k, v in (result.get("config") or {}).items()),
    )


def download_name(assessment: Assessment, kind: str) -> str:
    """Opaque, non-identifying file name for a downloaded report."""
    return f"{report_id(assessment).lower()}-{kind}.pdf"


def signed_between(clinic_id: int | None, start: dt.date, end: dt.date) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.status == "signed", Assessment.performed_on >= start,
                                    Assessment.performed_on <= end).order_by(Assessment.performed_on)
    if clinic_id is not None:
        stmt = stmt.where(Assessment.clinic_id == clinic_id)
    return list(db.session.scalars(stmt))
