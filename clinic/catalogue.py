"""Instrument definitions as the web layer sees them: text packs applied, grouped into the modules
of ``assessments/catalogue.json``."""

from __future__ import annotations

import os
import re

from flask import current_app

import assessments
from assessments.catalogue import Module, load_catalogue
from assessments.config import Config
from assessments.model import Instrument, load_text_pack

_CATALOGUE = load_catalogue()
CONTEXT = _CATALOGUE.context_instrument
MODULES: tuple[Module, ...] = _CATALOGUE.modules
# Pre-ticked instruments per complaint of the episode.
PRESETS: dict[str, tuple[str, ...]] = _CATALOGUE.presets

_KIND_ORDER = {"intake": 0, "questionnaire": 1, "exam": 2}
_cache: dict[tuple[str, str, float], Instrument] = {}


def _pack_folder() -> str:
    return current_app.config["TEXT_PACK_FOLDER"]


def get(instrument_id: str) -> Instrument:
    """The packaged definition with the clinic's licensed text pack applied when present."""
    base = assessments.get(instrument_id)
    folder = _pack_folder()
    path = os.path.join(folder, f"{instrument_id}.json")
    mtime = os.path.getmtime(path) if os.path.isfile(path) else 0.0
    key = (instrument_id, base.version, mtime)
    inst = _cache.get(key)
    if inst is None:
        inst = load_text_pack(folder, base) if mtime else base
        _cache[key] = inst
    return inst


def known(instrument_id: str) -> bool:
    return instrument_id in assessments.load_all()


def order(instrument_ids) -> list[str]:
    """Context first, then intakes, questionnaires and clinician exams, in module order."""
    module_pos = {iid: (m, k) for m, mod in enumerate(MODULES) for k, iid in enumerate(mod.instruments)}
    ids = [i for i in dict.fromkeys(instrument_ids) if known(i)]
    return sorted(ids, key=lambda i: (i != CONTEXT, _KIND_ORDER.get(assessments.get(i).kind, 3),
                                      module_pos.get(i, (99, 0))))


def preset_for(complaints) -> list[str]:
    chosen = [CONTEXT]
    for c in complaints or ():
        chosen.extend(PRESETS.get(c, ()))
    return order(chosen)


def patient_answerable(instrument_id: str) -> bool:
    inst = assessments.get(instrument_id)
    return inst.respondent == "patient" and any(it.respondent in (None, "patient") for it in inst.items)


def engine_config() -> Config:
    return Config.from_mapping(dict(current_app.config.get("ASSESSMENT_CONFIG") or {}))


ITEM_NUMBER = re.compile(r"[A-Za-z]{0,6}[_-]?\d+[a-z]?")
"""An instrument's own item numbering ("3", "Q5a", "uiq_1", "craiq_1"), as opposed to the named
items of the project's intakes ("weeks_since_birth"), whose ids mean nothing to a reader."""


def numbered(item_ids) -> bool:
    """True when most items carry the instrument's own numbers (POP-SS numbers 7 of its 8 items)."""
    ids = list(item_ids)
    return bool(ids) and 2 * sum(1 for i in ids if ITEM_NUMBER.fullmatch(i)) >= len(ids)
