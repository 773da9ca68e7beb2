"""The intake catalogue (assessments/catalogue.json) is checked as strictly as the definitions."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from assessments.catalogue import load_catalogue, parse_catalogue
from assessments.model import DefinitionError, load_all


def _raw():
    return json.loads((resources.files("assessments") / "catalogue.json").read_text("utf-8"))


def test_packaged_catalogue_loads_and_names_only_known_instruments():
    cat = load_catalogue()
    known = load_all()
    assert cat.context_instrument == "intake-context"
    assert {m.id for m in cat.modules} >= {"pelvic_pain", "incontinence", "prolapse", "bleeding"}
    for module in cat.modules:
        assert set(module.instruments) <= set(known)
    for complaint, ids in cat.presets.items():
        assert complaint in {m.id for m in cat.modules}
        assert set(ids) <= set(known)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(extra=1), "unknown keys"),
    (lambda d: d["modules"][1]["instruments"].append("no-such-instrument"), "not a packaged definition"),
    (lambda d: d["modules"].append(copy.deepcopy(d["modules"][0])), "repeated"),
    (lambda d: d["presets"].update(knees=["nprs"]), "names no module"),
    (lambda d: d["presets"]["bleeding"].append("nope"), "not a packaged definition"),
    (lambda d: d["modules"][0].pop("title"), "exactly id, title"),
    (lambda d: d.update(context_instrument="nope"), "context_instrument"),
])
def test_catalogue_mistakes_are_refused(mutate, message):
    data = _raw()
    mutate(data)
    with pytest.raises(DefinitionError, match=message):
        parse_catalogue(data)
