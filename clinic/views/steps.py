"""The step logic shared by the clinician's and the patient's forms, and the result view-model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import catalogue as defs
from .. import intake_forms
from ..models import Assessment
from ..operations import compute_result, save_answers

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
    keep = intake_forms.hidden_keep(inst, ctx.step.respondent, stored)
    clean, errors = intake_forms.validate(fresh, form, require_complete=(action == "next"), keep=keep)
    if errors:
        return None
    save_answers(assessment, inst.id, clean, step=ctx.index + (1 if action == "next" else 0), actor=actor)
    return action


# --------------------------------------------------------------------------- result view-model

TIER_NAMES = {
    "T0": "No action", "T1": "Self-management and education", "T2a": "Supervised pelvic health physiotherapy",
    "T2b": "Specialist referral", "T3": "GP / medical review", "T4": "Urgent medical review",
    "T5": "Emergency / same day",
}
TIER_ORDER = ["T0", "T1", "T2a", "T2b", "T3", "T4", "T5"]


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
    answers: list[tuple[str, str, str]]
    answered: bool
    numbered: bool  # items carry the instrument's own numbers (else the id column is left out)


def result_view(assessment: Assessment, *, answers: dict | None = None, result: dict | None = None) -> dict:
    """Everything the review page shows, from stored answers and the stored (or fresh) result."""
    answers = dict(answers if answers is not None else (assessment.answers or {}))
    if result is None:
        # save_answers refreshes the stored result; a brand-new assessment has none yet.
        result = assessment.result or compute_result(list(assessment.instruments), answers, assessment.clinic_id)
    triage = result.get("triage", {}) if result else {}
    scores = result.get("scores", {}) if result else {}
    instruments = []
    for iid in assessment.instruments:
        if not defs.known(iid):
            continue
        inst = defs.get(iid)
        given = answers.get(iid) or {}
        rows = []
        for it in inst.items:
            if it.id in given:
                rows.append((it.id, it.label, intake_forms.display_answer(it, given[it.id])))
        instruments.append(InstrumentView(iid, inst.name, inst.short_name, inst.kind, inst.wording, inst.licence,
                                          inst.citation, scores.get(iid), rows, iid in answers,
                                          defs.numbered(it.id for it in inst.items)))
    rules = list(triage.get("rules") or [])
    red = list(triage.get("red_flags") or [])
    red_ids = {r.get("id") for r in red}
    reasons = sorted((r for r in rules if r.get("id") not in red_ids),
                     key=lambda r: -TIER_ORDER.index(r["tier"]) if r.get("tier") in TIER_ORDER else 0)
    return {
        "tier": triage.get("tier"),
        "tier_name": TIER_NAMES.get(triage.get("tier"), ""),
        "domains": triage.get("domains") or {},
        "red_flags": sorted(red, key=lambda r: -TIER_ORDER.index(r["tier"]) if r.get("tier") in TIER_ORDER else 0),
        "reasons": reasons,
        "recommendations": triage.get("recommendations") or [],
        "return_to_run": triage.get("return_to_run"),
        "cat2": triage.get("cat2"),
        "instruments": instruments,
        "config": (result or {}).get("config") or {},
        "tier_names": TIER_NAMES,
    }
