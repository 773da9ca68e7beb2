"""The scoring framework: dispatch by definition, result type, validation, text packs."""

from __future__ import annotations

import dataclasses
import json

import pytest

import assessments
from assessments import model
from assessments.model import AnswerError, DefinitionError
from assessments.scoring import METHODS, BandResult, ScoreResult, score, score_instrument

CLI_KEYS = {"instrument", "version", "complete", "total", "subscales", "band", "missing"}


def tiny(scoring, kind="questionnaire", bands=None, bands_source=None, items=None):
    """A minimal definition parsed by the real loader."""
    return model.parse_definition({
        "id": "tiny", "name": "Tiny", "version": "t1", "kind": kind, "respondent": "patient",
        "domain": "context", "citation": "test", "licence": "test", "wording": "own",
        "items": items or [
            {"id": "a", "type": "choice", "label": "A",
             "options": [{"code": "lo", "value": 0, "label": "lo"}, {"code": "hi", "value": 3, "label": "hi"}]},
            {"id": "b", "type": "integer", "label": "B", "min": 0, "max": 5},
        ],
        "scoring": scoring, "bands": bands, "bands_source": bands_source,
    })


def test_the_definition_chooses_the_scoring_rule():
    summed = score_instrument(tiny({"method": "sum", "items": ["a", "b"]}), {"a": 3, "b": 4})
    assert summed.total == 7 and summed.range == (0, 8)
    only_b = score_instrument(tiny({"method": "sum", "items": ["b"]}), {"a": 3, "b": 4})
    assert only_b.total == 4
    with pytest.raises(DefinitionError, match="unknown scoring method"):
        score_instrument(tiny({"method": "no_such_rule"}), {})
    assert {"sum", "mean_subscales", "iciq_ui_sf", "sandvik_isi", "nprs_anchors", "leaf_q_points",
            "oxford_perfect", "pop_q_stage"} <= set(METHODS)


def test_definition_bands_come_with_their_source():
    inst = tiny({"method": "sum", "items": ["a", "b"]},
                bands=[{"min": 0, "max": 3, "label": "low"}, {"min": 4, "max": 8, "label": "high"}],
                bands_source="Test source 2024")
    assert score_instrument(inst, {"a": 0, "b": 3}).band == BandResult("low", "Test source 2024")
    assert score_instrument(inst, {"a": 0, "b": 4}).band == BandResult("high", "Test source 2024")


def test_intakes_and_unscored_definitions_have_no_total():
    intake = tiny(None, kind="intake")
    empty = score_instrument(intake, {})
    assert (empty.total, empty.complete, empty.band, empty.range) == (None, False, None, None)
    assert empty.missing == ("a", "b")
    full = score_instrument(intake, {"a": 0, "b": 1})
    assert (full.total, full.complete, full.missing) == (None, True, ())
    unscored = score_instrument(tiny(None), {"a": 0, "b": 1})
    assert unscored.total is None and unscored.complete is True
    for inst in model.load_all().values():  # packaged intakes (written elsewhere) score the same way
        if inst.kind == "intake":
            assert score(inst.id, {}).total is None


def test_result_is_frozen_and_to_dict_has_exactly_the_cli_keys_plus_details():
    result = score("iciq-ui-sf", {"3": 1, "4": 2, "5": 2, "6": ["active"]})  # 1 + 2 + 2 = 5, slight
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 99
    with pytest.raises(TypeError):
        result.subscales["x"] = 1
    with pytest.raises(TypeError):
        result.details["x"] = 1
    data = result.to_dict()
    assert set(data) == CLI_KEYS | {"details"}
    assert data["details"]["range"] == [0, 21] and isinstance(data["details"]["notes"], list)
    assert data["band"] == {"label": "slight", "source": model.get("iciq-ui-sf").bands_source}
    assert json.loads(json.dumps(data)) == data  # plain JSON values only
    assert data["instrument"] == "iciq-ui-sf" and data["version"] == model.get("iciq-ui-sf").version


def test_result_fields():
    names = [f.name for f in dataclasses.fields(ScoreResult)]
    assert names == ["instrument", "version", "complete", "total", "subscales", "band", "missing", "range",
                     "details", "notes"]


def test_invalid_answers_raise_naming_every_bad_item():
    with pytest.raises(AnswerError) as exc:
        score("wexner", {"solid": 7, "liquid": "often", "gas": True, "pad": [1], "nonsense": 1})
    assert set(exc.value.errors) == {"solid", "liquid", "gas", "pad", "nonsense"}
    with pytest.raises(AnswerError) as exc:
        score("wexner", [1, 2, 3])
    assert "$" in exc.value.errors
    with pytest.raises(KeyError):
        score("no-such-instrument", {})


def test_package_level_score_uses_the_same_rules():
    assert assessments.score("pop-ss", {str(n): 1 for n in range(1, 8)}).total == 7


def test_empty_strings_and_nulls_count_as_unanswered():
    result = score("pop-ss", {"1": None, "2": "", **{str(n): 1 for n in range(3, 8)}})
    assert result.total is None and result.missing == ("1", "2")


# --------------------------------------------------------------------------- text packs

PACK = {"items": {
    "3": {"label": "Licensed wording for question 3", "options": {"never": "Licensed never"}},
    "5": {"label": "Licensed wording for question 5", "help": "Licensed help"},
}}


def test_text_pack_replaces_labels_but_not_scores():
    inst = model.get("iciq-ui-sf")
    packed = model.apply_text_pack(inst, PACK, name="clinic-iciq")
    assert packed.item("3").label == "Licensed wording for question 3"
    assert packed.item("3").option_by_code("never").label == "Licensed never"
    assert packed.item("5").help == "Licensed help"
    assert packed.item("4").label == inst.item("4").label
    assert packed.wording == "published" and packed.text_pack == "clinic-iciq"
    assert [o.value for o in packed.item("3").options] == [o.value for o in inst.item("3").options]
    answers = {"3": 4, "4": 6, "5": 8, "6": ["cough_sneeze"]}
    assert score_instrument(packed, answers).to_dict() == score("iciq-ui-sf", answers).to_dict()
    assert model.get("iciq-ui-sf").wording == "adapted"  # the packaged definition is untouched


def test_text_pack_rejects_unknown_items_and_options():
    inst = model.get("iciq-ui-sf")
    with pytest.raises(DefinitionError, match="unknown item"):
        model.apply_text_pack(inst, {"items": {"7": {"label": "x"}}})
    with pytest.raises(DefinitionError, match="unknown option"):
        model.apply_text_pack(inst, {"items": {"3": {"options": {"sometimes": "x"}}}})


def test_text_pack_loaded_from_a_clinic_folder(tmp_path):
    inst = model.get("iciq-ui-sf")
    assert model.load_text_pack(tmp_path, inst) is inst
    (tmp_path / "iciq-ui-sf.json").write_text(json.dumps(PACK), encoding="utf-8")
    packed = model.load_text_pack(tmp_path, inst)
    assert packed.item("3").label == "Licensed wording for question 3"
    assert score_instrument(packed, {"3": 1, "4": 2, "5": 3}).total == 6
