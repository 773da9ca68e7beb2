"""The one composition of a stored assessment, for the review page and both reports.

Reads the stored result (any schema; an old one is migrated, never recomputed) and composes what
the clinician and the patient are told with :func:`assessments.summary.compose`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from assessments.result import TriageResult, load
from assessments.summary import Summary, compose

from .models import Assessment
from .operations import intake_of


def clinic_phone(clinic: Any = None) -> str:
    """The number printed in "contact us": the clinic's own when it has one, else ``CLINIC_PHONE``.

    The one place that reads it, so a clinic-settings page only has to change this function.
    """
    own = getattr(clinic, "phone", None)
    return own or current_app.config.get("CLINIC_PHONE") or ""


def stored_result(assessment: Assessment, result: dict | None = None) -> TriageResult | None:
    """The stored result as a typed value (None before anything was saved)."""
    return load(result if result is not None else assessment.result)


def summary_for(assessment: Assessment, *, answers: dict | None = None, result: dict | None = None,
                letter: dict[str, str] | None = None, clinic: Any = None) -> Summary | None:
    typed = stored_result(assessment, result)
    if typed is None:
        return None
    given = dict(answers if answers is not None else (assessment.answers or {}))
    episode = assessment.episode
    return compose(typed, intake_of(list(assessment.instruments), given),
                   complaints=tuple(getattr(episode, "complaints", None) or ()),
                   clinic_phone=clinic_phone(clinic if clinic is not None else getattr(assessment, "clinic", None)),
                   letter=letter)
