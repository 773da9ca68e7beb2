"""The intake catalogue: instruments grouped into modules, and the preset for each complaint.

Data lives in ``assessments/catalogue.json`` beside the definitions; this module loads it once and
checks it as strictly as the definitions themselves (unknown keys, unknown instruments, duplicate
ids and presets for complaints that have no module are all refused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import DefinitionError, load_all

CATALOGUE_FILE = "catalogue.json"


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    description: str
    instruments: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    version: str
    context_instrument: str
    modules: tuple[Module, ...]
    presets: dict[str, tuple[str, ...]]


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise DefinitionError(f"{CATALOGUE_FILE}: {message}")


def parse_catalogue(data: Any) -> Catalogue:
    """Validate the catalogue's JSON against the packaged definitions."""
    _require(isinstance(data, dict), "must be an object")
    unknown = set(data) - {"_comment", "version", "context_instrument", "modules", "presets"}
    _require(not unknown, f"unknown keys {sorted(unknown)}")
    known = load_all()
    context = data.get("context_instrument")
    _require(context in known, f"context_instrument {context!r} is not a packaged definition")
    modules: list[Module] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("modules") or ()):
        where = f"modules[{i}]"
        _require(isinstance(raw, dict) and set(raw) == {"id", "title", "description", "instruments"},
                 f"{where} needs exactly id, title, description and instruments")
        _require(isinstance(raw["id"], str) and raw["id"] not in seen, f"{where}: id missing or repeated")
        seen.add(raw["id"])
        _require(all(isinstance(raw[k], str) and raw[k].strip() for k in ("title", "description")),
                 f"{where}: title and description must be text")
        ids = raw["instruments"]
        _require(isinstance(ids, list) and ids, f"{where}: instruments must be a non-empty list")
        for iid in ids:
            _require(iid in known, f"{where}: {iid!r} is not a packaged definition")
        modules.append(Module(raw["id"], raw["title"], raw["description"], tuple(ids)))
    _require(bool(modules), "has no modules")
    presets: dict[str, tuple[str, ...]] = {}
    for complaint, ids in (data.get("presets") or {}).items():
        _require(complaint in seen, f"preset {complaint!r} names no module")
        _require(isinstance(ids, list), f"preset {complaint!r} must be a list")
        for iid in ids:
            _require(iid in known, f"preset {complaint!r}: {iid!r} is not a packaged definition")
        presets[complaint] = tuple(ids)
    return Catalogue(str(data.get("version") or ""), context, tuple(modules), presets)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The packaged catalogue (parsed and checked once per process)."""
    text = (resources.files("assessments") / CATALOGUE_FILE).read_text(encoding="utf-8")
    return parse_catalogue(json.loads(text))


__all__ = ["Catalogue", "Module", "load_catalogue", "parse_catalogue"]
