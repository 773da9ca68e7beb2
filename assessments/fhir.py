"""HL7 FHIR R4B (4.3.0) mapping of definitions and scored assessments, as plain JSON-ready dicts.

Pure: it takes definitions (:class:`assessments.model.Instrument`) and plain values (the
dataclasses below, filled in by the web layer from stored assessments) and returns dicts.  No
Flask, SQLAlchemy or WeasyPrint.  ``tests/unit/test_fhir.py`` validates every resource with the
``fhir.resources`` R4B models.

Coding choices (see also the README's "Data exports"):

* every definition is a ``Questionnaire`` with ``url`` = ``<base>/Questionnaire/<id>`` and the
  definition's ``version``; ``linkId`` is the item id; choice options are ``valueCoding`` in the
  project CodeSystem ``<base>/CodeSystem/<id>`` (code ``<item id>.<option code>``, since the same
  option code may mean different things in different items) with the ``itemWeight`` extension
  holding the scored value where the value is a number;
* ``enable_when`` maps to ``enableWhen`` where FHIR can say the same thing (``in`` becomes several
  conditions when it is the item's only condition or the item already combines with "any"), else
  to the SDC ``enableWhenExpression`` (FHIRPath);
* scores are ``Observation`` s coded in ``<base>/CodeSystem/scores``; the NPRS total alone also
  carries LOINC 72514-3 (pain severity 0-10 verbal numeric rating, reported), the only LOINC code
  among these instruments; no other LOINC code is used;
* bands are the ``interpretation`` in ``<base>/CodeSystem/bands``; tiers and rules are coded in
  ``<base>/CodeSystem/tiers`` and ``<base>/CodeSystem/rules``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import DECLINED, Condition, Instrument, Item
from .result import migrate
from .vocabulary import TIER_LABELS

FHIR_VERSION = "4.3.0"
DEFAULT_BASE = "https://pelvic-health-toolkit.invalid/fhir"
"""Canonical base of the project's resources and CodeSystems (a clinic may set its own)."""

LOINC = "http://loinc.org"
NPRS_LOINC = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ENABLE_WHEN_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"
NAMESPACE = uuid.UUID("8a0c33be-0f6e-4b7a-9a6c-2f3c1e6d5b01")
"""Resource ids are uuid5 of this namespace and stable keys, so a re-export names the same things."""

_PROVENANCE = re.compile(r"\s*\[(?:[A-Z]\d?|[A-Z]\d?:[^\]]*)\]")
_TYPES = {"choice": "choice", "multi": "choice", "integer": "integer", "decimal": "decimal",
          "boolean": "boolean", "text": "text", "date": "date"}
_GENDER = {"female": "female", "male": "male", "intersex": "other", "not_stated": "unknown"}
_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "contains": "="}


# --------------------------------------------------------------------------- plain inputs

@dataclass(frozen=True)
class PatientFacts:
    id: str
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    identifier: str | None = None
    identifier_system: str | None = None


@dataclass(frozen=True)
class DocumentFacts:
    """One archived signed PDF: what it is, its bytes and their SHA-256 (hex)."""

    kind: str  # clinician | patient
    version: int
    sha256: str
    created_at: dt.datetime
    data: bytes
    file_name: str


@dataclass(frozen=True)
class AssessmentFacts:
    id: str
    version: int
    status: str  # draft | submitted | signed
    amended: bool  # signed again after an amendment
    performed_on: dt.date
    authored_at: dt.datetime
    signed_at: dt.datetime | None
    instruments: tuple[str, ...]
    answers: Mapping[str, Mapping[str, Any]]
    definition_versions: Mapping[str, str]
    result: Mapping[str, Any] | None
    complaints: tuple[str, ...] = ()
    documents: tuple[DocumentFacts, ...] = ()
    performer_name: str | None = None


@dataclass
class Exporter:
    """Builds resources against one canonical base; ``embed_documents`` puts the PDF bytes inside
    the DocumentReference (a self-contained file), else it points at ``documents/<file name>``."""

    base: str = DEFAULT_BASE
    embed_documents: bool = True
    _questionnaires: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------------ definitions

    def system(self, name: str) -> str:
        return f"{self.base}/CodeSystem/{name}"

    def questionnaire_url(self, inst: Instrument) -> str:
        return f"{self.base}/Questionnaire/{inst.id}"

    def questionnaire(self, inst: Instrument) -> dict[str, Any]:
        if inst.id in self._questionnaires:
            return self._questionnaires[inst.id]
        q: dict[str, Any] = {
            "resourceType": "Questionnaire",
            "id": _safe_id(f"q-{inst.id}"),
            "url": self.questionnaire_url(inst),
            "version": inst.version,
            "name": _computable_name(inst.short_name),
            "title": inst.name,
            "status": "active",
            "subjectType": ["Patient"],
            "description": _plain(inst.intro) if inst.intro else inst.name,
            "copyright": plain_notice(inst.licence),
            "item": [self._item(inst, it) for it in inst.items],
        }
        if inst.citation:
            q["purpose"] = f"Source: {plain_notice(inst.citation)}"
        self._questionnaires[inst.id] = q
        return q

    def codesystem(self, inst: Instrument) -> dict[str, Any]:
        """The project CodeSystem of one definition's answer options."""
        concepts = []
        for it in inst.items:
            for opt in it.options:
                concept: dict[str, Any] = {"code": option_code(it, opt.code), "display": opt.label}
                if _is_number(opt.value):
                    concept["property"] = [{"code": "itemWeight", "valueDecimal": _decimal(opt.value)}]
                concepts.append(concept)
        return {
            "resourceType": "CodeSystem",
            "id": _safe_id(f"cs-{inst.id}"),
            "url": self.system(inst.id),
            "version": inst.version,
            "name": _computable_name(f"{inst.short_name} answers"),
            "title": f"{inst.name}: answer options",
            "status": "active",
            "content": "complete",
            "caseSensitive": True,
            "copyright": plain_notice(inst.licence),
            "property": [{"code": "itemWeight", "type": "decimal",
                          "description": "The value the option contributes to the score"}],
            "concept": concepts,
        }

    def _item(self, inst: Instrument, it: Item) -> dict[str, Any]:
        out: dict[str, Any] = {"linkId": it.id, "text": _plain(it.label), "type": _TYPES[it.type],
                               "required": bool(it.required)}
        if it.section:
            out["prefix"] = it.section
        if it.type == "multi":
            out["repeats"] = True
        if it.type == "text" and it.max_length:
            out["maxLength"] = int(it.max_length)
        if it.options:
            out["answerOption"] = [self._option(inst, it, opt) for opt in it.options]
        extensions = []
        if it.type in ("integer", "decimal"):
            key = "valueInteger" if it.type == "integer" else "valueDecimal"
            for url, bound in ((MIN_VALUE, it.min), (MAX_VALUE, it.max)):
                if bound is not None:
                    extensions.append({"url": url, key: int(bound) if it.type == "integer" else _decimal(bound)})
        if it.enable_when:
            mapped = self._enable_when(inst, it)
            if mapped is None:
                extensions.append({"url": ENABLE_WHEN_EXPRESSION, "valueExpression": {
                    "language": "text/fhirpath", "expression": enable_when_fhirpath(inst, it)}})
            else:
                conditions, behaviour = mapped
                out["enableWhen"] = conditions
                if len(conditions) > 1:
                    out["enableBehavior"] = behaviour
        if extensions:
            out["extension"] = extensions
        return out

    def _option(self, inst: Instrument, it: Item, opt) -> dict[str, Any]:
        coding: dict[str, Any] = {"system": self.system(inst.id), "code": option_code(it, opt.code),
                                  "display": _plain(opt.label)}
        option: dict[str, Any] = {"valueCoding": coding}
        if _is_number(opt.value):
            option["extension"] = [{"url": ITEM_WEIGHT, "valueDecimal": _decimal(opt.value)}]
        return option

    def _enable_when(self, inst: Instrument, it: Item) -> tuple[list[dict[str, Any]], str] | None:
        """FHIR enableWhen for the item, or None when it needs an expression instead."""
        behaviour = it.enable_behavior
        conditions: list[dict[str, Any]] = []
        for cond in map(lambda c: _ordered_choice_as_in(inst, c), it.enable_when):
            source = inst.item(cond.item)
            if cond.op == "in":
                values = list(cond.value or ())
                if len(it.enable_when) > 1 and behaviour != "any":
                    return None  # (a or b) and c: not expressible as one flat list
                conditions += [self._condition(inst, source, "=", v) for v in values]
                if len(values) > 1:
                    behaviour = "any"
                continue
            if cond.op == "answered":
                conditions.append({"question": source.id, "operator": "exists", "answerBoolean": bool(cond.value)})
                continue
            if cond.op == "not_in" or (cond.op == "!=" and source.type == "multi"):
                return None  # "unanswered, or none of these": an expression says it
            conditions.append(self._condition(inst, source, _OPS[cond.op], cond.value))
        if any(c is None for c in conditions):
            return None
        return conditions, behaviour

    def _condition(self, inst: Instrument, source: Item, op: str, value: Any) -> dict[str, Any] | None:
        out: dict[str, Any] = {"question": source.id, "operator": op}
        if source.type in ("choice", "multi"):
            opt = source.option_for(value)
            if opt is None or op not in ("=", "!="):
                return None
            out["answerCoding"] = {"system": self.system(inst.id), "code": option_code(source, opt.code)}
        elif source.type == "boolean":
            out["answerBoolean"] = bool(value)
        elif source.type == "integer":
            out["answerInteger"] = int(value)
        elif source.type == "decimal":
            out["answerDecimal"] = _decimal(value)
        elif source.type == "date":
            out["answerDate"] = str(value)
        else:
            out["answerString"] = str(value)
        return out

    # ------------------------------------------------------------------ assessments

    def patient(self, p: PatientFacts) -> dict[str, Any]:
        out: dict[str, Any] = {
            "resourceType": "Patient",
            "id": resource_id("patient", p.id),
            "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
            "gender": _GENDER.get(p.sex, "unknown"),
            "birthDate": p.birth_date.isoformat(),
        }
        if p.identifier:
            out["identifier"] = [{"system": p.identifier_system or f"{self.base}/patient-identifier",
                                  "value": p.identifier}]
        return out

    def assessment_resources(self, a: AssessmentFacts, patient_ref: str,
                             definitions: Mapping[str, Instrument]) -> list[dict[str, Any]]:
        """QuestionnaireResponses, Observations, the RiskAssessment and DocumentReferences of one
        assessment, in that order."""
        out: list[dict[str, Any]] = []
        stored = migrate(a.result) if a.result else {}  # any stored schema, read as schema 2
        scores = stored.get("scores") or {}
        responses: dict[str, str] = {}
        for iid in a.instruments:
            inst = definitions.get(iid)
            if inst is None or iid not in a.answers:
                continue
            qr = self.questionnaire_response(a, inst, patient_ref)
            responses[iid] = f"QuestionnaireResponse/{qr['id']}"
            out.append(qr)
        observations: list[str] = []
        for iid, score in scores.items():
            inst = definitions.get(iid)
            if inst is None or iid not in responses:
                continue
            for obs in self.observations(a, inst, score, patient_ref, responses[iid]):
                observations.append(f"Observation/{obs['id']}")
                out.append(obs)
        triage = {"tier": stored["tier"], "rules": stored.get("rules") or [],
                  "red_flags": [r for r in stored.get("rules") or [] if r.get("red_flag")]} if stored else None
        if triage:
            out.append(self.risk_assessment(a, triage, patient_ref,
                                            list(responses.values()) + observations))
        for doc in a.documents:
            out.append(self.document_reference(a, doc, patient_ref))
        return out

    def questionnaire_response(self, a: AssessmentFacts, inst: Instrument, patient_ref: str) -> dict[str, Any]:
        version = a.definition_versions.get(inst.id, inst.version)
        given = a.answers.get(inst.id) or {}
        items = []
        for it in inst.items:
            if it.id not in given or given[it.id] is None:
                continue
            answers = self._answers(inst, it, given[it.id])
            entry: dict[str, Any] = {"linkId": it.id, "text": _plain(it.label)}
            if answers:
                entry["answer"] = answers
            items.append(entry)
        return {
            "resourceType": "QuestionnaireResponse",
            "id": resource_id("qr", a.id, str(a.version), inst.id),
            "questionnaire": f"{self.questionnaire_url(inst)}|{version}",
            "status": response_status(a),
            "subject": {"reference": patient_ref},
            "authored": _instant(a.signed_at or a.authored_at),
            "item": items,
        }

    def _answers(self, inst: Instrument, it: Item, value: Any) -> list[dict[str, Any]]:
        if value == DECLINED and it.sensitive:
            return [{"valueString": "Declined: prefers to discuss in person"}]
        if it.type in ("choice", "multi"):
            values = value if isinstance(value, list) else [value]
            out = []
            for v in values:
                opt = it.option_for(v)
                if opt is not None:
                    out.append({"valueCoding": {"system": self.system(inst.id), "code": option_code(it, opt.code),
                                                "display": _plain(opt.label)}})
            return out
        if it.type == "boolean":
            return [{"valueBoolean": bool(value)}]
        if it.type == "integer":
            return [{"valueInteger": int(value)}]
        if it.type == "decimal":
            return [{"valueDecimal": _decimal(value)}]
        if it.type == "date":
            return [{"valueDate": str(value)}]
        return [{"valueString": str(value)}]

    def observations(self, a: AssessmentFacts, inst: Instrument, score: Mapping[str, Any], patient_ref: str,
                     response_ref: str) -> list[dict[str, Any]]:
        out = []
        if score.get("total") is not None:
            out.append(self._observation(a, inst, None, score["total"], score.get("band"), patient_ref,
                                         response_ref, complete=bool(score.get("complete", True))))
        for name, value in (score.get("subscales") or {}).items():
            if value is None or not _is_number(value):
                continue
            out.append(self._observation(a, inst, name, value, None, patient_ref, response_ref,
                                         complete=bool(score.get("complete", True))))
        return out

    def _observation(self, a: AssessmentFacts, inst: Instrument, subscale: str | None, value: Any,
                     band: Mapping[str, Any] | None, patient_ref: str, response_ref: str, *,
                     complete: bool) -> dict[str, Any]:
        code = inst.id if subscale is None else f"{inst.id}.{subscale}"
        display = inst.short_name if subscale is None else f"{inst.short_name}: {subscale.replace('_', ' ')}"
        codings = [{"system": self.system("scores"), "code": code, "display": f"{display} score"}]
        if inst.id == "nprs" and subscale is None:
            codings.insert(0, {"system": LOINC, "code": NPRS_LOINC[0], "display": NPRS_LOINC[1]})
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("obs", a.id, str(a.version), code),
            "status": "amended" if a.amended else ("final" if a.status == "signed" else "preliminary"),
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
            "code": {"coding": codings, "text": f"{display} score"},
            "subject": {"reference": patient_ref},
            "effectiveDateTime": a.performed_on.isoformat(),
            "valueQuantity": {"value": _decimal(value), "unit": "{score}", "system": UCUM, "code": "{score}"},
            "derivedFrom": [{"reference": response_ref}],
        }
        if band and band.get("label"):
            label = str(band["label"])
            obs["interpretation"] = [{"coding": [{"system": self.system("bands"), "code": _slug(label),
                                                  "display": label}], "text": label}]
        if not complete:
            obs["note"] = [{"text": "Calculated from an incomplete set of answers."}]
        return obs

    def risk_assessment(self, a: AssessmentFacts, triage: Mapping[str, Any], patient_ref: str,
                        basis: Iterable[str]) -> dict[str, Any]:
        tier = str(triage.get("tier") or "T0")
        red = list(triage.get("red_flags") or [])
        red_ids = {r.get("id") for r in red}
        predictions = []
        for r in red:
            predictions.append({"outcome": {"coding": [{"system": self.system("rules"), "code": str(r["id"]),
                                                        "display": str(r.get("title") or r["id"])}],
                                            "text": f"Red flag: {r.get('title') or r['id']}"},
                                "qualitativeRisk": _tier_concept(self, str(r.get("tier") or tier)),
                                "rationale": plain_notice(str(r.get("clinician") or ""))})
        for r in triage.get("rules") or []:
            if r.get("id") in red_ids:
                continue
            predictions.append({"outcome": {"coding": [{"system": self.system("rules"), "code": str(r["id"]),
                                                        "display": str(r.get("title") or r["id"])}]},
                                "qualitativeRisk": _tier_concept(self, str(r.get("tier") or "T0")),
                                "rationale": plain_notice(str(r.get("clinician") or ""))})
        rules_basis = [{"reference": ref} for ref in basis]
        out: dict[str, Any] = {
            "resourceType": "RiskAssessment",
            "id": resource_id("risk", a.id, str(a.version)),
            "status": "amended" if a.amended else ("final" if a.status == "signed" else "preliminary"),
            "method": {"text": "Pelvic Health Assessment Toolkit triage rules (red flags evaluated before scores)"},
            "code": {"coding": [{"system": self.system("tiers"), "code": tier, "display": TIER_LABELS.get(tier, tier)}],
                     "text": f"Overall tier {tier}: {TIER_LABELS.get(tier, tier)}"},
            "subject": {"reference": patient_ref},
            "occurrenceDateTime": a.performed_on.isoformat(),
            "basis": rules_basis,
            "note": [{"text": f"Red flags: {len(red)}" + (
                " (" + ", ".join(str(r['id']) for r in red) + ")" if red else "")}],
        }
        if predictions:
            out["prediction"] = predictions
        if not rules_basis:
            del out["basis"]
        return out

    def document_reference(self, a: AssessmentFacts, doc: DocumentFacts, patient_ref: str) -> dict[str, Any]:
        attachment: dict[str, Any] = {
            "contentType": "application/pdf",
            "title": f"{'Clinician report' if doc.kind == 'clinician' else 'Patient summary'}, version {doc.version}",
            "creation": _instant(doc.created_at),
            "size": len(doc.data),
            # FHIR's Attachment.hash is the base64 SHA-1 of the data; the SHA-256 is the identifier.
            "hash": base64.b64encode(hashlib.sha1(doc.data).digest()).decode("ascii"),  # noqa: S324 (FHIR defines it)
        }
        if self.embed_documents:
            attachment["data"] = base64.b64encode(doc.data).decode("ascii")
        else:
            attachment["url"] = f"documents/{doc.file_name}"
        return {
            "resourceType": "DocumentReference",
            "id": resource_id("doc", a.id, str(doc.version), doc.kind),
            "status": "current",
            "docStatus": "amended" if a.amended else "final",
            "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:sha256:{doc.sha256}"}],
            "type": {"coding": [{"system": self.system("documents"), "code": f"{doc.kind}-report",
                                 "display": "Clinician report" if doc.kind == "clinician" else "Patient summary"}]},
            "subject": {"reference": patient_ref},
            "date": _instant(doc.created_at),
            "description": f"Signed report, assessment of {a.performed_on.isoformat()}",
            "content": [{"attachment": attachment}],
        }

    # ------------------------------------------------------------------ bundle

    def bundle(self, patient: PatientFacts, assessments: Sequence[AssessmentFacts],
               definitions: Mapping[str, Instrument], *, timestamp: dt.datetime,
               include_definitions: bool = True) -> dict[str, Any]:
        """A ``collection`` Bundle: the Patient, then each assessment's resources, then the
        Questionnaires and answer CodeSystems they refer to."""
        pat = self.patient(patient)
        patient_ref = f"Patient/{pat['id']}"
        resources = [pat]
        used: dict[str, Instrument] = {}
        for a in assessments:
            resources += self.assessment_resources(a, patient_ref, definitions)
            for iid in a.instruments:
                if iid in definitions and iid in a.answers:
                    used[iid] = definitions[iid]
        if include_definitions:
            for inst in used.values():
                resources.append(self.questionnaire(inst))
                if any(it.options for it in inst.items):
                    resources.append(self.codesystem(inst))
        return {
            "resourceType": "Bundle",
            "id": resource_id("bundle", patient.id, *(f"{a.id}:{a.version}" for a in assessments)),
            "meta": {"lastUpdated": _instant(timestamp)},
            "type": "collection",
            "timestamp": _instant(timestamp),
            "entry": [{"fullUrl": f"{self.base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
        }


def _tier_concept(exporter: Exporter, tier: str) -> dict[str, Any]:
    return {"coding": [{"system": exporter.system("tiers"), "code": tier, "display": TIER_LABELS.get(tier, tier)}]}


# --------------------------------------------------------------------------- helpers

def response_status(a: AssessmentFacts) -> str:
    """``amended`` after an amendment, ``completed`` when signed, else ``in-progress``."""
    if a.status == "signed":
        return "amended" if a.amended else "completed"
    return "in-progress"


def option_code(item: Item, code: str) -> str:
    return f"{item.id}.{code}"


def plain_notice(text: str) -> str:
    """A licence or citation without the project's internal provenance tags ([M], [S2], [R] ...)."""
    return _PROVENANCE.sub("", text or "").strip()


def resource_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def enable_when_fhirpath(inst: Instrument, it: Item) -> str:
    """The item's enable condition as FHIRPath over the QuestionnaireResponse."""
    joiner = " or " if it.enable_behavior == "any" else " and "
    return joiner.join(f"({_fhirpath(inst, c)})" for c in it.enable_when)


def _ordered_choice_as_in(inst: Instrument, cond: Condition) -> Condition:
    """"More than" on a coded answer compares the options' scored values: list the options it allows."""
    source = inst.item(cond.item)
    if source.type not in ("choice", "multi") or cond.op not in (">", ">=", "<", "<="):
        return cond
    compare = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
               "<=": lambda a, b: a <= b}[cond.op]
    allowed = [o.value for o in source.options if _is_number(o.value) and compare(o.value, cond.value)]
    return Condition(cond.item, "in", allowed)


def _fhirpath(inst: Instrument, cond: Condition) -> str:
    cond = _ordered_choice_as_in(inst, cond)
    source = inst.item(cond.item)
    answer = f"%resource.repeat(item).where(linkId = '{_quote(source.id)}').answer.value"
    if cond.op == "answered":
        return f"{answer}.exists()" if cond.value else f"{answer}.empty()"

    def literal(v: Any) -> str:
        if source.type in ("choice", "multi"):
            opt = source.option_for(v)
            return f"'{_quote(option_code(source, opt.code if opt else str(v)))}'"
        if isinstance(v, bool):
            return "true" if v else "false"
        if _is_number(v):
            return str(v)
        return f"'{_quote(str(v))}'"

    target = f"{answer}.code" if source.type in ("choice", "multi") else answer
    if cond.op == "in":
        return " or ".join(f"{target} contains {literal(v)}" for v in cond.value or ()) or "false"
    if cond.op == "not_in":  # unanswered (an empty collection contains nothing), or none of the values
        listed = " or ".join(f"{target} contains {literal(v)}" for v in cond.value or ()) or "false"
        return f"({listed}).not()"
    if cond.op == "contains":
        return f"{target} contains {literal(cond.value)}"
    if cond.op == "!=":
        return f"({target} contains {literal(cond.value)}).not()"
    if cond.op == "=":
        return f"{target} contains {literal(cond.value)}"
    return f"{target}.where($this {cond.op} {literal(cond.value)}).exists()"


def _quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace("'", "\\'")


def _plain(text: str | None) -> str:
    return " ".join((text or "").split())


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _decimal(v: Any) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() else f


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "band"


def _safe_id(s: str) -> str:
    out = re.sub(r"[^A-Za-z0-9\-.]", "-", s)[:64]
    return out


def _computable_name(s: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", s)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Instrument"
    return name if name[0].isalpha() else f"I{name}"


def _instant(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
