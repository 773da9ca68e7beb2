"""Every packaged definition loads, follows the format and the project's conventions.

Conventions checked here (see assessments/model.py and the instrument brief):
item ids are the instrument's own item numbers or published item names; every definition states
citation, licence, recall period and version; every band has a source; licensed instruments never
ship their official wording; every scoring method named in a definition exists.
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from assessments import model
from assessments.scoring import METHODS, score

MINE = {
    "iciq-ui-sf": ["3", "4", "5", "6"],
    "sandvik-isi": ["frequency", "amount"],
    "pfdi-20": [str(n) for n in range(1, 21)],
    "pfiq-7": [f"{scale}_{n}" for scale in ("uiq", "craiq", "popiq") for n in range(1, 8)],
    "pop-ss": [str(n) for n in range(1, 8)] + ["bother_most"],
    "wexner": ["solid", "liquid", "gas", "pad", "lifestyle"],
    "st-marks": ["solid", "liquid", "gas", "lifestyle", "pad", "medicines", "urgency"],
    "nprs": ["worst", "average", "during_run"],
    "csi": [str(n) for n in range(1, 26)],
    "leaf-q": [
        "injury_absence", "injury_days", "gi_bloating", "gi_cramps", "gi_bowel_frequency", "gi_stool",
        "oral_contraceptive", "oral_contraceptive_reason", "other_hormonal_contraceptive", "menarche_age",
        "normal_periods", "last_period", "regular_periods", "bleeding_days", "heavy_bleeding",
        "amenorrhoea_3_months", "exercise_change",
    ],
    "oxford-perfect": ["power", "endurance", "repetitions", "fast", "relaxation", "tone"],
    "pop-q": ["Aa", "Ba", "C", "D", "Ap", "Bp", "gh", "pb", "tvl"],
}
LICENSED = {"iciq-ui-sf"}  # ICIQ modules (and BPI, not packaged) may never ship official wording


def raw_definition(instrument_id: str) -> dict:
    text = (resources.files("assessments") / "definitions" / f"{instrument_id}.json").read_text("utf-8")
    return json.loads(text)


def test_every_definition_loads_and_file_names_match_ids():
    defs = model.load_all()
    assert set(MINE) <= set(defs)
    for name in (resources.files("assessments") / "definitions").iterdir():
        if name.name.endswith(".json"):
            assert name.name[:-5] in defs


@pytest.mark.parametrize("instrument_id", sorted(MINE))
def test_item_ids_follow_the_instrument(instrument_id):
    assert list(model.get(instrument_id).item_ids) == MINE[instrument_id]


@pytest.mark.parametrize("instrument_id", sorted(MINE))
def test_required_metadata_is_present(instrument_id):
    inst = model.get(instrument_id)
    raw = raw_definition(instrument_id)
    assert inst.citation.strip() and inst.licence.strip() and inst.version.strip()
    assert "recall_period" in raw, "state the recall period, or null when the instrument has none"
    assert "mid" in raw and "bands" in raw
    if inst.mid:
        assert inst.mid.get("value") is not None and inst.mid.get("source")
    assert inst.notes, "every instrument documents its scoring and missing-data rule in notes"
    for it in inst.items:
        assert it.label.strip() and it.label.strip() != it.id


def all_band_sets():
    """(instrument, bands, source) for bands in the definition and in scoring versions."""
    for inst in model.load_all().values():
        if inst.bands:
            yield inst.id, [(b.min, b.max, b.label) for b in inst.bands], inst.bands_source
        for vid, version in ((inst.scoring or {}).get("versions") or {}).items():
            yield f"{inst.id}@{vid}", [(b["min"], b["max"], b["label"]) for b in version["bands"]], \
                version.get("bands_source")


def test_every_band_has_a_source_and_bands_do_not_overlap():
    seen = 0
    for where, bands, source in all_band_sets():
        seen += 1
        assert source and source.strip(), f"{where}: bands without a source"
        ordered = sorted(bands)
        for lo, hi, label in ordered:
            assert lo <= hi and label.strip(), where
        for (_, hi, _), (lo, _, _) in zip(ordered, ordered[1:], strict=False):
            assert lo > hi, f"{where}: overlapping bands"
    assert seen >= 4  # ICIQ, CSI, POP-Q and both Sandvik versions at least


def test_bands_flagged_as_memory_or_third_party_say_so():
    assert "third-party" in model.get("iciq-ui-sf").bands_source.lower()
    sandvik = model.get("sandvik-isi").scoring["versions"]
    assert "[M]" in sandvik["2000"]["bands_source"]
    assert "[M]" not in sandvik["1993"]["bands_source"]


@pytest.mark.parametrize("instrument_id", ["pfdi-20", "pfiq-7", "pop-ss", "wexner", "st-marks"])
def test_no_bands_where_none_are_published(instrument_id):
    inst = model.get(instrument_id)
    assert not inst.bands
    assert any("no " in n.lower() and "band" in n.lower() for n in inst.notes)


def test_no_licensed_instrument_ships_official_wording():
    for inst in model.load_all().values():
        assert inst.text_pack is None
        if inst.id in LICENSED:
            assert inst.wording == "adapted"
    for instrument_id in MINE:
        assert model.get(instrument_id).wording in ("adapted", "own")
    assert "text pack" in model.get("iciq-ui-sf").licence


def test_every_scoring_method_is_registered_and_runs_on_empty_answers():
    for inst in model.load_all().values():
        if inst.kind == "intake" or not inst.scoring:
            continue
        assert inst.scoring["method"] in METHODS, inst.id
        result = score(inst.id, {})
        assert result.total is None and result.complete is False, inst.id


def test_scored_choice_items_use_numeric_published_codes():
    for instrument_id in MINE:
        inst = model.get(instrument_id)
        scored = (inst.scoring or {}).get("items", [])
        for iid in scored:
            item = inst.item(iid)
            assert all(isinstance(o.value, int) for o in item.options), (instrument_id, iid)


def test_leaf_q_point_key_is_marked_as_memory_until_verified():
    inst = model.get("leaf-q")
    assert inst.scoring["key_verified"] is False
    assert "[M]" in inst.scoring["key_source"]
    assert any("[M]" in n and "point key" in n for n in inst.notes)
    # every scored item has a point for every option, and nothing else has points
    scored = [i for items in inst.scoring["subscales"].values() for i in items]
    assert sorted(inst.scoring["points"]) == sorted(scored)
    for iid in scored:
        assert sorted(inst.scoring["points"][iid]) == sorted(o.value for o in inst.item(iid).options)


def test_exams_are_clinician_only():
    for instrument_id in ("oxford-perfect", "pop-q"):
        inst = model.get(instrument_id)
        assert inst.kind == "exam" and inst.respondent == "clinician"
