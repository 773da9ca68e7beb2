"""Instrument definitions as data: the types, the loader and answer validation.

Every questionnaire, clinician exam form and structured intake is one JSON file in
``assessments/definitions/<id>.json``.  This module turns those files into frozen
dataclasses and checks answers against them.  It is pure Python: no Flask, no
SQLAlchemy, no WeasyPrint (``tests/unit/test_purity.py`` proves it).

JSON format of one definition (keys not listed are rejected by :func:`parse_definition`)::

    {
      "id": "iciq-ui-sf",                     # stable instrument id
      "name": "ICIQ Urinary Incontinence Short Form",
      "short_name": "ICIQ-UI SF",
      "version": "2004",                      # definition version, stored with every answer set
      "kind": "questionnaire" | "exam" | "intake",
      "respondent": "patient" | "clinician",  # exams are clinician-only
      "domain": "urinary" | "bowel" | "prolapse" | "pain" | "bleeding" | "energy" |
                "return_to_run" | "context" | "pelvic_floor",
      "citation": "Avery K et al. Neurourol Urodyn 2004;23:322-330",
      "licence": "Copyright ICIQ group ... (notice printed on reports)",
      "wording": "adapted" | "own" | "published",  # adapted = project's own wording of a licensed instrument
      "recall_period": "the past 4 weeks" | null,
      "intro": "plain-language introduction shown above the first item" | null,
      "items": [ITEM, ...],
      "scoring": {"method": "<name in assessments.scoring>", ...method parameters...} | null,
      "bands": [{"min": 1, "max": 5, "label": "slight"}, ...] | null,
      "bands_source": "Klovning A et al. 2009 ..." | null,
      "mid": {"value": 2.5, "source": "..."} | null,   # minimal important difference, for trends
      "notes": ["free text shown to clinicians", ...],
      "patient_label": "plain name on the patient summary" | null,
      "subscale_range": [0, 100] | null,     # range of every subscale, when it is not the total's
      "report_items": {"role": "item id"} | null   # items a report lays out (POP-Q grid, Oxford)
    }

    ITEM = {
      "id": "3",                 # the instrument's own item number, or its published item name
      "type": "choice" | "multi" | "integer" | "decimal" | "boolean" | "text" | "date",
      "label": "own wording",
      "help": "optional help text" | null,
      "required": true,          # required when enabled
      "options": [{"code": "never", "value": 0, "label": "Never"}, ...],  # choice / multi only
      "min": 0, "max": 10,       # integer / decimal bounds (inclusive)
      "unit": "weeks" | null,
      "max_length": 500,         # text only (default 2000)
      "enable_when": [{"item": "source", "op": "=", "value": "vaginal"}] | null,
      "enable_behavior": "all" | "any",
      "sensitive": false,        # true: the patient may answer "I'd rather discuss this in person"
      "respondent": "patient" | "clinician" | null,  # overrides the instrument's respondent
      "section": "optional heading that groups items in forms and reports" | null,
      "clinician_label": "the question in the clinician's voice, shown in clinic" | null
    }

Answer values (``{item_id: value}``):

* ``choice``: the option's ``value`` (a published numeric code, or a string code for own intakes);
* ``multi``: a list of option values, without duplicates;
* ``integer`` / ``decimal``: a number within ``min``..``max``;
* ``boolean``: ``true`` / ``false``;
* ``text``: a string up to ``max_length``;
* ``date``: an ISO date string ``YYYY-MM-DD``;
* any ``sensitive`` item may hold :data:`DECLINED` instead; scoring treats it as missing.

``enable_when`` operators: ``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=``, ``in`` (value is a list),
``not_in`` (unanswered, or not one of the list: lets answers stored before a new question keep
their follow-ups), ``contains`` (multi answer contains value), ``answered`` (value true/false).  An item whose
condition is false is *disabled*: it is not asked, not required, and any answer to it is dropped
by :func:`clean_answers`.
"""

from __future__ import annotations

# The definitions and the answers are two concerns with a module each; this facade keeps the names
# every caller has used (``from assessments.model import ...``).
from .answers import (  # noqa: F401
    CONTEXT_INSTRUMENT,
    AnswerError,
    DefinitionSummary,
    IntakeError,
    check_value,
    clean_answers,
    enabled_items,
    validate_intake,
)
from .instruments import (  # noqa: F401
    DECLINED,
    DEFAULT_TEXT_MAX,
    ITEM_TYPES,
    KINDS,
    OPS,
    RESPONDENTS,
    WORDING,
    Band,
    Condition,
    DefinitionError,
    Instrument,
    Item,
    Option,
    apply_text_pack,
    get,
    load_all,
    load_text_pack,
    parse_definition,
)
