"""The step logic shared by the clinician's and the patient's forms, and the review view-model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assessments.model import check_value
from assessments.references import definition_text, note_text, reader_text
from assessments.summary import Summary

from .. import audit, intake_forms, operations
from .. import catalogue as defs
from ..db import db
from ..models import Assessment
from ..operations import save_answers
from ..reports import score_lines
from ..summaries import stored_result, summary_for

ACTIONS = ("back", "save", "next", "later")


@dataclass
class StepContext:
    step: intake_forms.StepForm
    index: int
    titles: list[str]
    complete: list[bool]
    carried_from: dt.date | None = None  # "About you" prefilled from this earlier assessment

    @property
    def instrument(self):
        return self.step.instrument


DERIVED = operations.DERIVED  # items the forms never ask (the age comes from the date of birth)
# Context answers carried over from the patient's latest assessment in the episode, for the patient
# or clinician to confirm or change.  Answers about "now" (pregnancy, recent symptoms, tiredness,
# load changes, worries) are asked afresh; times since an event are moved on by the time elapsed.
CARRY = ("menopause", "given_birth", "last_birth", "weeks_since_birth", "delivery", "perineal_trauma",
         "breastfeeding", "contraception", "iud_months", "running_status", "run_km_week", "rest_days",
         "race_goal", "skip_meals", "push_through_fatigue", "sleep_hours", "diagnoses", "mental_health",
         "height_cm", "weight_kg")


def carried_context(assessment: Assessment) -> tuple[dict[str, Any], dt.date | None]:
    """The "About you" answers of the patient's latest other assessment in this episode."""
    earlier = db.session.scalars(
        select(Assessment).where(Assessment.episode_id == assessment.episode_id,
                                 Assessment.clinic_id == assessment.clinic_id,
                                 Assessment.id != assessment.id)
        .order_by(Assessment.performed_on.desc(), Assessment.created_at.desc())).all()
    for other in earlier:
        given = (other.answers or {}).get(defs.CONTEXT)
        if not given:
            continue
        carried = {k: given[k] for k in CARRY if k in given}
        days = (assessment.performed_on - other.performed_on).days if other.performed_on else 0
        if days > 0:
            if isinstance(carried.get("weeks_since_birth"), int | float):
                carried["weeks_since_birth"] = int(carried["weeks_since_birth"] + days // 7)
            if isinstance(carried.get("iud_months"), int | float):
                carried["iud_months"] = int(carried["iud_months"] + days // 30)
        inst = defs.get(defs.CONTEXT)
        carried = {k: v for k, v in carried.items() if check_value(inst.item(k), v) is None}
        audit.record("assessment.prefill", object_type="assessment", object_id=assessment.id,
                     patient_id=assessment.patient_id, detail={"from": other.id, "items": sorted(carried)})
        return carried, other.performed_on
    return {}, None


def build_step(assessment: Assessment, index: int, respondent: str | None, formdata=None) -> StepContext:
    iid = assessment.instruments[index]
    inst = defs.get(iid)
    stored = (assessment.answers or {}).get(iid, {})
    carried_from = None
    if iid == defs.CONTEXT and not stored and formdata is None:
        stored, carried_from = carried_context(assessment)
    step = intake_forms.build(inst, respondent, formdata=formdata, answers=stored,
                              hide=DERIVED.get(iid, frozenset()))
    if carried_from and stored:
        step.carried = frozenset(stored)
    titles = [_title(defs.get(i), respondent) for i in assessment.instruments]
    done = [i in (assessment.answers or {}) for i in assessment.instruments]
    return StepContext(step, index, titles, done, carried_from if stored else None)


def _title(inst, respondent: str | None) -> str:
    if respondent == "patient" and inst.kind != "intake":
        return inst.name
    return inst.short_name if inst.kind != "intake" else inst.name


def handle_step_post(assessment: Assessment, ctx: StepContext, form, *, actor: str | None) -> str | None:
    """Validate the posted step (``form``: the posted MultiDict) and save it.  Returns the action, or
    None when there are errors (the form in ``ctx`` then carries the messages and everything the
    user typed)."""
    action = form.get("action", "next")
    if action not in ACTIONS:
        action = "next"
    inst = ctx.instrument
    fresh = ctx.step  # built from the posted form by build_step
    stored = (assessment.answers or {}).get(inst.id, {})
    hide = DERIVED.get(inst.id, frozenset())
    keep = intake_forms.hidden_keep(inst, ctx.step.respondent, stored, hide)
    if "age" in hide:
        keep.pop("age", None)
        age = intake_forms.age_on(assessment.patient.date_of_birth, assessment.performed_on)
        if age is not None and check_value(inst.item("age"), age) is None:
            keep["age"] = age
    clean, errors = intake_forms.validate(fresh, form, require_complete=(action == "next"), keep=keep)
    if errors or clean is None:
        return None
    save_answers(assessment, inst.id, clean, step=ctx.index + (1 if action == "next" else 0), actor=actor)
    return action


# --------------------------------------------------------------------------- review view-model


@dataclass
class InstrumentView:
    id: str
    name: str
    short_name: str
    kind: str
    wording: str
    licence: str
    citation: str
    score: dict[str, Any] | None
    score_lines: list[tuple[str, str]]  # formatted, never raw keys: ("PERFECT", "3/7/6/9")
    band_source: str
    answers: list[tuple[str, str, str]]
    answered: bool
    numbered: bool  # items carry the instrument's own numbers (else the id column is left out)


@dataclass
class ReviewView:
    summary: Summary | None            # the one composition (None before anything was saved)
    instruments: list[InstrumentView]


def review_view(assessment: Assessment, *, answers: dict | None = None, result: dict | None = None,
                with_scores: bool = True, respondent: str | None = None) -> ReviewView:
    """What the review page shows: the stored result's composition and the answers in words, each
    question in the voice of ``respondent`` (the patient's own on her check page).

    Nothing is recomputed: a draft with no stored result yet shows no result."""
    answers = dict(answers if answers is not None else (assessment.answers or {}))
    patient = assessment.patient
    letter = {"name": patient.display_name, "born": f"{patient.date_of_birth:%d %B %Y}",
              "seen": f"{assessment.performed_on:%d %B %Y}"}
    summary = summary_for(assessment, answers=answers, result=result, letter=letter) if with_scores else None
    typed = stored_result(assessment, result) if with_scores else None
    scores = {k: v.to_dict() for k, v in typed.scores.items()} if typed else {}
    instruments = []
    for iid in assessment.instruments:
        if not defs.known(iid):
            continue
        inst = defs.get(iid)
        given = answers.get(iid) or {}
        rows = [(it.id, it.label_for(respondent), intake_forms.display_answer(it, given[it.id])) for it in inst.items
                if it.id in given]
        score = scores.get(iid)
        band = (score or {}).get("band")
        instruments.append(InstrumentView(
            iid, inst.name, inst.short_name, inst.kind, inst.wording, note_text(inst.licence),
            definition_text(inst.citation),
            score, score_lines(iid, score) if score else [], reader_text(band["source"]) if band else "",
            rows, iid in answers, defs.numbered(it.id for it in inst.items)))
    return ReviewView(summary, instruments)
