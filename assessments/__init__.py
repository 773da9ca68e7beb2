"""The clinical core of the Pelvic Health Assessment Toolkit.

Pure Python: instrument definitions as data (``assessments/definitions``), published scoring
(:func:`score`), red flags and T0-T5 tiers (:func:`triage`).  No Flask, SQLAlchemy or WeasyPrint.
"""

from __future__ import annotations

from typing import Any

from .config import DEFAULT, Config
from .model import (
    DECLINED,
    AnswerError,
    DefinitionError,
    Instrument,
    IntakeError,
    Item,
    clean_answers,
    enabled_items,
    get,
    load_all,
    validate_intake,
)

__all__ = [
    "DECLINED", "DEFAULT", "AnswerError", "Config", "DefinitionError", "Instrument", "IntakeError",
    "Item", "clean_answers", "enabled_items", "get", "load_all", "score", "triage", "validate_intake",
]


def score(instrument_id: str, answers: dict[str, Any], config: Config | None = None):
    """Score one instrument (see :mod:`assessments.scoring`)."""
    from .scoring import score as _score
    return _score(instrument_id, answers, config=config or DEFAULT)


# The submodule ``assessments.triage`` would otherwise replace this name with the module the first
# time it is imported; importing it here, then binding the function, keeps ``assessments.triage``
# callable however the package is entered.
from .triage import triage as _triage_impl  # noqa: E402


def triage(intake: dict[str, Any], config: Config | None = None):
    """Tier an intake (see :mod:`assessments.triage`)."""
    return _triage_impl(intake, config=config or DEFAULT)
