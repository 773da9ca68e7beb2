"""FHIR R4B mapping: every resource validates with the fhir.resources R4B models, and the mapping
says what the definitions and stored results say (linkIds, weights, enableWhen, LOINC only for NPRS)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.questionnaire import Questionnaire

import assessments
from assessments import fhir

DEFS = assessments.load_all()
WHEN = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


def _answers() -> dict:
    context = {"age": 34, "menopause": "periods", "pregnancy": "no", "given_birth": False, "contraception": ["none"],
               "running_status": "regular", "run_km_week": 30, "load_change": "none", "rest_days": 2,
               "race_goal": "half", "skip_meals": False, "push_through_fatigue": False, "sleep_hours": 7.5,
               "fatigue": "usual", "life_stress": "moderate", "diagnoses": ["none"], "mental_health": ["none"],
               "feels_off": False}
    raw = {
        "intake-context": context,
        "nprs": {"worst": 7, "average": 4},
        "iciq-ui-sf": {"3": 3, "4": 2, "5": 5, "6": ["cough_sneeze", "active"]},
        "pop-ss": {"1": 1, "2": 2, "3": 1, "4": 1, "5": 0, "6": 1, "7": 0},
        "oxford-perfect": {"power": 2, "endurance": 4, "repetitions": 4, "fast": 6, "relaxation": "normal"},
    }
    return {iid: assessments.clean_answers(DEFS[iid], given) for iid, given in raw.items()}


def _result(answers: dict) -> dict:
    intake = {"context": answers["intake-context"],
              "answers": {k: v for k, v in answers.items() if k != "intake-context"}}
    return assessments.triage(intake).to_dict()  # exactly what the app stores


def _assessment(*, status="signed", amended=False, version=1, documents=()) -> fhir.AssessmentFacts:
    answers = _answers()
    return fhir.AssessmentFacts(
        id="a" * 32, version=version, status=status, amended=amended, performed_on=WHEN.date(),
        authored_at=WHEN, signed_at=WHEN if status == "signed" else None, instruments=tuple(answers),
        answers=answers, definition_versions={k: DEFS[k].version for k in answers}, result=_result(answers),
        documents=tuple(documents))


PATIENT = fhir.PatientFacts(id="p" * 32, given_name="Zzyzx", family_name="Qwerty", birth_date=dt.date(1990, 2, 3),
                            sex="female", identifier="943 476 5919")


def _doc(kind="clinician", version=1) -> fhir.DocumentFacts:
    data = b"%PDF-1.7 test " + kind.encode()
    return fhir.DocumentFacts(kind=kind, version=version, sha256=hashlib.sha256(data).hexdigest(), created_at=WHEN,
                              data=data, file_name=f"report-{kind}.pdf")


@pytest.mark.parametrize("iid", sorted(DEFS))
def test_every_definition_is_a_valid_r4b_questionnaire(iid):
    inst = DEFS[iid]
    exporter = fhir.Exporter()
    q = exporter.questionnaire(inst)
    Questionnaire.model_validate(q)
    assert q["url"] == f"{fhir.DEFAULT_BASE}/Questionnaire/{iid}" and q["version"] == inst.version
    assert [i["linkId"] for i in q["item"]] == [it.id for it in inst.items]
    assert q["copyright"] and "[" not in q["copyright"]  # the licence notice, without provenance tags
    for item, it in zip(q["item"], inst.items, strict=True):
        for option, opt in zip(item.get("answerOption", []), it.options, strict=True):
            coding = option["valueCoding"]
            assert coding["system"] == f"{fhir.DEFAULT_BASE}/CodeSystem/{iid}"
            assert coding["code"] == f"{it.id}.{opt.code}"
            weights = [e["valueDecimal"] for e in option.get("extension", []) if e["url"] == fhir.ITEM_WEIGHT]
            if isinstance(opt.value, int | float) and not isinstance(opt.value, bool):
                assert weights == [opt.value]
            else:
                assert weights == []
        if it.enable_when:
            expression = [e for e in item.get("extension", []) if e["url"] == fhir.ENABLE_WHEN_EXPRESSION]
            assert bool(item.get("enableWhen")) != bool(expression), it.id
        else:
            assert "enableWhen" not in item
    if any(it.options for it in inst.items):
        cs = exporter.codesystem(inst)
        CodeSystem.model_validate(cs)
        codes = [c["code"] for c in cs["concept"]]
        assert len(codes) == len(set(codes))


def test_enable_when_maps_operators_and_falls_back_to_an_expression():
    exporter = fhir.Exporter()
    seen_ops, expressions = set(), 0
    for inst in DEFS.values():
        for item in exporter.questionnaire(inst)["item"]:
            for cond in item.get("enableWhen", []):
                seen_ops.add(cond["operator"])
                assert cond["question"] in inst.item_ids
            expressions += any(e["url"] == fhir.ENABLE_WHEN_EXPRESSION for e in item.get("extension", []))
    assert {"=", "exists"} <= seen_ops
    # "More than never" on a coded answer becomes "any of the options scored above it".
    sandvik = exporter.questionnaire(DEFS["sandvik-isi"])
    amount = sandvik["item"][1]
    frequency = DEFS["sandvik-isi"].items[0]
    assert amount["enableBehavior"] == "any"
    assert [c["answerCoding"]["code"] for c in amount["enableWhen"]] == \
        [f"frequency.{o.code}" for o in frequency.options if o.value > 0]
    # An "in" condition on an item that also needs another condition cannot be a flat FHIR list.
    inst = assessments.model.parse_definition({
        "id": "x", "name": "X", "version": "1", "kind": "intake", "respondent": "patient", "domain": "context",
        "citation": "c", "licence": "l", "wording": "own", "items": [
            {"id": "a", "type": "choice", "label": "A", "options": [{"code": "p", "value": "p", "label": "P"},
                                                                   {"code": "q", "value": "q", "label": "Q"}]},
            {"id": "b", "type": "boolean", "label": "B"},
            {"id": "c", "type": "text", "label": "C", "enable_when": [
                {"item": "a", "op": "in", "value": ["p", "q"]}, {"item": "b", "op": "=", "value": True}]},
        ]})
    item = fhir.Exporter().questionnaire(inst)["item"][2]
    assert "enableWhen" not in item
    expression = item["extension"][0]["valueExpression"]["expression"]
    assert "'a.p'" in expression and "'a.q'" in expression and " and " in expression
    Questionnaire.model_validate(fhir.Exporter().questionnaire(inst))


def test_bundle_of_a_signed_assessment_validates_and_codes_only_nprs_in_loinc():
    a = _assessment(documents=[_doc("clinician"), _doc("patient")])
    data = fhir.Exporter().bundle(PATIENT, [a], DEFS, timestamp=WHEN)
    Bundle.model_validate(data)
    json.dumps(data)  # plain JSON
    by_type: dict[str, list[dict]] = {}
    for entry in data["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    assert len(by_type["Patient"]) == 1 and by_type["Patient"][0]["gender"] == "female"
    responses = by_type["QuestionnaireResponse"]
    assert {r["questionnaire"].split("|")[0].rsplit("/", 1)[1] for r in responses} == set(a.answers)
    assert {r["status"] for r in responses} == {"completed"}
    iciq = next(r for r in responses if "/iciq-ui-sf|" in r["questionnaire"])
    answers = {i["linkId"]: i["answer"] for i in iciq["item"]}
    assert answers["3"][0]["valueCoding"]["code"].startswith("3.")
    assert len(answers["6"]) == 2  # multi-select: one answer per chosen option

    observations = by_type["Observation"]
    loinc = [o for o in observations if any(c["system"] == fhir.LOINC for c in o["code"]["coding"])]
    assert len(loinc) == 1 and loinc[0]["code"]["coding"][0]["code"] == "72514-3"
    assert loinc[0]["valueQuantity"]["value"] == 7  # the worst-pain total
    assert json.dumps(data).count("loinc.org") == 1
    for o in observations:
        assert o["category"][0]["coding"][0]["code"] == "survey"
        assert o["derivedFrom"][0]["reference"].startswith("QuestionnaireResponse/")
        assert o["status"] == "final"
    iciq_total = next(o for o in observations if o["code"]["coding"][0]["code"] == "iciq-ui-sf")
    assert iciq_total["valueQuantity"]["value"] == 10
    assert iciq_total["interpretation"][0]["text"] == "moderate"
    assert any(o["code"]["coding"][0]["code"] == "oxford-perfect.endurance" for o in observations)  # subscale

    risk = by_type["RiskAssessment"][0]
    assert risk["code"]["coding"][0]["code"] == a.result["tier"]
    assert {b["reference"].split("/")[0] for b in risk["basis"]} == {"QuestionnaireResponse", "Observation"}
    fired = {p["outcome"]["coding"][0]["code"] for p in risk.get("prediction", [])}
    assert fired == {r["id"] for r in a.result["rules"]}

    docs = by_type["DocumentReference"]
    assert {d["type"]["coding"][0]["code"] for d in docs} == {"clinician-report", "patient-report"}
    for d in docs:
        att = d["content"][0]["attachment"]
        raw = base64.b64decode(att["data"])
        assert d["identifier"][0]["value"] == f"urn:sha256:{hashlib.sha256(raw).hexdigest()}"
        assert base64.b64decode(att["hash"]) == hashlib.sha1(raw).digest()  # noqa: S324
    # Every Questionnaire the responses point at travels with them.
    assert {q["url"] for q in by_type["Questionnaire"]} == {r["questionnaire"].split("|")[0] for r in responses}


def test_red_flags_are_predictions_with_their_tier():
    a = _assessment()
    triage = {"tier": a.result["tier"], "rules": list(a.result["rules"])}
    triage["red_flags"] = [{"id": "B1", "title": "Heavy bleeding", "tier": "T5", "clinician": "Soaking pads [S2]."}]
    triage["tier"] = "T5"
    risk = fhir.Exporter().risk_assessment(a, triage, "Patient/x", ["Observation/y"])
    from fhir.resources.R4B.riskassessment import RiskAssessment

    RiskAssessment.model_validate(risk)
    first = risk["prediction"][0]
    assert first["outcome"]["coding"][0]["code"] == "B1"
    assert first["qualitativeRisk"]["coding"][0]["code"] == "T5"
    assert first["rationale"] == "Soaking pads."  # provenance tag dropped
    assert "B1" in risk["note"][0]["text"]


def test_statuses_follow_signing_and_amendment():
    amended = _assessment(amended=True, version=2)
    data = fhir.Exporter().bundle(PATIENT, [amended], DEFS, timestamp=WHEN)
    Bundle.model_validate(data)
    kinds = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
    assert kinds["QuestionnaireResponse"]["status"] == "amended"
    assert kinds["Observation"]["status"] == "amended"
    draft = _assessment(status="submitted")
    assert fhir.response_status(draft) == "in-progress"


def test_documents_can_point_into_an_export_folder_and_ids_are_stable():
    a = _assessment(documents=[_doc()])
    one = fhir.Exporter(embed_documents=False).bundle(PATIENT, [a], DEFS, timestamp=WHEN)
    Bundle.model_validate(one)
    doc = next(e["resource"] for e in one["entry"] if e["resource"]["resourceType"] == "DocumentReference")
    assert doc["content"][0]["attachment"]["url"] == "documents/report-clinician.pdf"
    assert "data" not in doc["content"][0]["attachment"]
    two = fhir.Exporter(embed_documents=False).bundle(PATIENT, [a], DEFS, timestamp=WHEN)
    assert one == two


def test_plain_notice_drops_provenance_tags_only():
    assert fhir.plain_notice("Public domain [M].") == "Public domain."
    assert fhir.plain_notice("NICE NG123 [S2]; clinical reference [R] and [M: verify]") == \
        "NICE NG123; clinical reference and"
    assert fhir.plain_notice("Copyright (c) ICIQ [2004]") == "Copyright (c) ICIQ [2004]"


def test_unanswered_or_none_of_these_becomes_an_expression():
    """``not_in`` (weeks since birth are asked unless the birth was over two years ago, and when the
    newer question is unanswered) has no flat enableWhen form: it is an expression that is true for
    an empty answer and false for a listed one."""
    item = next(i for i in fhir.Exporter().questionnaire(DEFS["intake-context"])["item"]
                if i["linkId"] == "weeks_since_birth")
    assert "enableWhen" not in item
    expression = next(e["valueExpression"]["expression"] for e in item["extension"]
                      if e["url"] == fhir.ENABLE_WHEN_EXPRESSION)
    assert "'last_birth.over_2y'" in expression and ".not()" in expression
    assert "'given_birth'" in expression
