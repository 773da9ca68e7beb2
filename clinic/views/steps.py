"""The step logic shared by the clinician's and the patient's forms, and the review view-model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request

from assessments.references import definition_text, note_text, reader_text
from assessments.summary import Summary

from .. import catalogue as defs
from .. import intake_forms
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

    @property
    def instrument(self):
        return self.step.instrument


def build_step(assessment: Assessment, index: int, respondent: str | None, formdata=None) -> StepContext:
    iid = assessment.instruments[index]
    inst = defs.get(iid)
    stored = (assessment.answers or {}).get(iid, {})
    step = intake_forms.build(inst, respondent, formdata=formdata, answers=stored)
    titles = [_title(defs.get(i), respondent) for i in assessment.instruments]
    done = [i in (assessment.answers or {}) for i in assessment.instruments]
    return StepContext(step, index, titles, done)


def _title(inst, respondent: str | None) -> str:
    if respondent == "patient" and inst.kind != "intake":
        return inst.name
    return inst.short_name if inst.kind != "intake" else inst.name


def handle_step_post(assessment: Assessment, ctx: StepContext, *, actor: str | None) -> str | None:
    """Validate the posted step and save it.  Returns the action, or None when there are errors
    (the form in ``ctx`` then carries the messages and everything the user typed)."""
    action = request.form.get("action", "next")
    if action not in ACTIONS:
        action = "next"
    inst = ctx.instrument
    fresh = ctx.step  # built from the posted form by build_step
    stored = (assessment.answers or {}).get(inst.id, {})
    keep = intake_forms.hidden_keep(inst, ctx.step.respondent, stored)
    clean, errors = intake_forms.validate(fresh, request.form, require_complete=(action == "next"), keep=keep)
    if errors:
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
                with_scores: bool = True) -> ReviewView:
    """What the review page shows: the stored result's composition and the answers in words.

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
        rows = [(it.id, it.label, intake_forms.display_answer(it, given[it.id])) for it in inst.items
                if it.id in given]
        score = scores.get(iid)
        band = (score or {}).get("band")
        instruments.append(InstrumentView(
            iid, inst.name, inst.short_name, inst.kind, inst.wording, note_text(inst.licence),
            definition_text(inst.citation),
            score, score_lines(iid, score) if score else [], reader_text(band["source"]) if band else "",
            rows, iid in answers, defs.numbered(it.id for it in inst.items)))
    return ReviewView(summary, instruments)
