"""REDCap data dictionaries: REDCap's 18 columns, valid variable names, choices that keep the scored
values, and branching logic that says what enable_when says."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

import assessments
from assessments import redcap
from assessments.model import parse_definition

DEFS = assessments.load_all()
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("iid", sorted(DEFS))
def test_every_definition_exports_a_well_formed_dictionary(iid):
    inst = DEFS[iid]
    text = redcap.data_dictionary(inst)
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == redcap.COLUMNS and len(header) == 18
    rows = _rows(text)
    assert rows[0]["Variable / Field Name"] == "record_id"
    names = [r["Variable / Field Name"] for r in rows]
    assert len(names) == len(set(names)) and all(NAME.match(n) and len(n) <= 100 for n in names)
    assert {r["Form Name"] for r in rows} == {redcap.form_name(inst)}
    fields = {r["Variable / Field Name"]: r for r in rows}
    for item in inst.items:
        row = fields[redcap.field_name(inst, item)]
        assert row["Field Type"] in ("radio", "checkbox", "yesno", "text", "notes")
        if item.options:
            codes = [c.split(",", 1)[0].strip() for c in row["Choices, Calculations, OR Slider Labels"].split(" | ")]
            assert len(codes) == len(item.options) == len(set(codes))
            assert all(re.match(r"^[a-z0-9_]+$", c) for c in codes)
        if item.enable_when:
            logic = row["Branching Logic (Show field only if...)"]
            assert logic and all(f"[{redcap.field_name(inst, inst.item(c.item))}" in logic for c in item.enable_when)
        for ref in re.findall(r"\[([a-z0-9_]+)(?:\(|\])", row["Branching Logic (Show field only if...)"]):
            assert ref in fields  # branching refers only to fields of the same instrument
    licence = rows[-1]
    assert licence["Field Type"] == "descriptive" and "[M]" not in licence["Field Label"]


def test_scored_choices_keep_their_values_and_the_zip_holds_the_instrument():
    wexner = DEFS["wexner"]
    rows = {r["Variable / Field Name"]: r for r in _rows(redcap.data_dictionary(wexner))}
    item = wexner.items[0]
    choices = rows[redcap.field_name(wexner, item)]["Choices, Calculations, OR Slider Labels"]
    assert [c.split(",")[0].strip() for c in choices.split(" | ")] == [str(o.value) for o in item.options]
    zf = zipfile.ZipFile(io.BytesIO(redcap.instrument_zip(wexner)))
    assert sorted(zf.namelist()) == ["OriginID.txt", "instrument.csv"]
    inner = _rows(zf.read("instrument.csv").decode())
    assert inner[0]["Variable / Field Name"] != "record_id"  # added to an existing project


def test_branching_logic_operators():
    inst = parse_definition({
        "id": "x-y", "name": "X", "version": "1", "kind": "intake", "respondent": "patient", "domain": "context",
        "citation": "c", "licence": "l", "wording": "own", "items": [
            {"id": "kind", "type": "choice", "label": "Kind", "options": [
                {"code": "vaginal", "value": "vaginal", "label": "V"}, {"code": "c-section", "value": "c_section",
                                                                         "label": "C"}]},
            {"id": "where", "type": "multi", "label": "Where", "options": [
                {"code": "running", "value": "running", "label": "R"}, {"code": "none", "value": "none",
                                                                         "label": "N"}]},
            {"id": "weeks", "type": "integer", "label": "Weeks", "min": 0, "max": 520},
            {"id": "yes", "type": "boolean", "label": "Yes?"},
            {"id": "a", "type": "text", "label": "A", "enable_when": [{"item": "kind", "op": "=", "value": "vaginal"}]},
            {"id": "b", "type": "text", "label": "B", "enable_when": [{"item": "where", "op": "contains",
                                                                       "value": "running"}]},
            {"id": "c", "type": "text", "label": "C", "enable_behavior": "any", "enable_when": [
                {"item": "weeks", "op": ">=", "value": 12}, {"item": "yes", "op": "=", "value": True}]},
            {"id": "d", "type": "text", "label": "D", "enable_when": [
                {"item": "kind", "op": "in", "value": ["vaginal", "c_section"]}]},
            {"id": "e", "type": "text", "label": "E", "enable_when": [{"item": "weeks", "op": "answered",
                                                                       "value": True}]},
            {"id": "f", "type": "text", "label": "F", "enable_when": [{"item": "kind", "op": "not_in",
                                                                       "value": ["c_section"]}]},
            {"id": "g", "type": "text", "label": "G", "enable_when": [{"item": "where", "op": "not_in",
                                                                       "value": ["running", "none"]}]},
        ]})
    logic = {it.id: redcap.branching_logic(inst, it) for it in inst.items}
    assert logic["a"] == "[x_y_kind] = 'vaginal'"
    assert logic["b"] == "[x_y_where(running)] = '1'"
    assert logic["c"] == "([x_y_weeks] >= 12) or ([x_y_yes] = '1')"
    assert logic["d"] == "[x_y_kind] = 'vaginal' or [x_y_kind] = 'c_section'"
    assert logic["e"] == "[x_y_weeks] <> ''"
    assert logic["f"] == "[x_y_kind] <> 'c_section'"  # true when unanswered, as in the toolkit
    assert logic["g"] == "[x_y_where(running)] = '0' and [x_y_where(none)] = '0'"
    rows = {r["Variable / Field Name"]: r for r in _rows(redcap.data_dictionary(inst))}
    assert rows["x_y_weeks"]["Text Validation Type OR Show Slider Number"] == "integer"
    assert (rows["x_y_weeks"]["Text Validation Min"], rows["x_y_weeks"]["Text Validation Max"]) == ("0", "520")
    assert rows["x_y_yes"]["Field Type"] == "yesno"
