"""WTForms built from instrument definitions (field names = item ids), never written per instrument.

A definition becomes a :class:`wtforms.form.BaseForm` (no attribute names, so item ids like "3" or
"data" cannot collide with form methods). Posted strings are turned into typed answers by
:func:`read_answers`, then checked by ``assessments.clean_answers``; the errors of both land next
to their fields. CSRF is enforced for every POST by the app-wide CSRFProtect.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.form import BaseForm

from assessments.model import DECLINED, AnswerError, Instrument, Item, clean_answers, enabled_items

from .forms import MultiCheckboxField

DECLINE_CODE = "declined"
DECLINE_LABEL = "I'd rather discuss this in person"
YES, NO = "yes", "no"
SHORT_TEXT = 200


def age_on(date_of_birth: dt.date, on: dt.date) -> int | None:
    """Completed years on ``on`` (None when ``on`` is before the date of birth): the intake's age is
    derived from the date of birth and the assessment date, never asked (clinical policy section 2)."""
    if on < date_of_birth:
        return None
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def decline_field(item_id: str) -> str:
    return f"{item_id}__declined"


@dataclass
class StepForm:
    """A definition's form plus what the template needs to draw it."""

    instrument: Instrument
    form: BaseForm
    items: list[Item]
    respondent: str | None
    errors: dict[str, str] = field(default_factory=dict)
    carried: frozenset[str] = frozenset()  # answers prefilled from an earlier assessment, to confirm

    def __iter__(self):
        return iter(self.items)

    def field(self, item: Item):
        return self.form[item.id]

    def decline(self, item: Item):
        name = decline_field(item.id)
        return self.form[name] if name in self.form else None

    def sections(self) -> list[tuple[str | None, list[Item]]]:
        out: list[tuple[str | None, list[Item]]] = []
        for it in self.items:
            if out and out[-1][0] == it.section:
                out[-1][1].append(it)
            else:
                out.append((it.section, [it]))
        return out

    def condition_json(self, item: Item) -> str | None:
        if not item.enable_when:
            return None
        return json.dumps({"behavior": item.enable_behavior,
                           "conditions": [{"item": c.item, "op": c.op, "value": c.value} for c in item.enable_when]})

    def condition_text(self, item: Item) -> str | None:
        """Plain words for when a conditional question applies (shown when scripts are off)."""
        if not item.enable_when:
            return None
        parts = []
        for c in item.enable_when:
            other = self.instrument.item(c.item)
            text = other.label_for(self.respondent)
            label = text if len(text) <= 70 else text[:67].rstrip() + "…"
            if c.op in ("=", "contains") and other.type in ("choice", "multi"):
                opt = other.option_for(c.value)
                parts.append(f"you chose “{opt.label if opt else c.value}” for “{label}”")
            elif c.op == "in" and other.type == "choice":
                names = [o.label for o in other.options if any(_eq(o.value, v) for v in c.value)]
                parts.append(f"you chose {' or '.join('“' + n + '”' for n in names)} for “{label}”")
            elif other.type == "boolean" and c.op == "=":
                parts.append(f"you answered {'Yes' if c.value else 'No'} to “{label}”")
            elif c.op == "not_in" and other.type == "choice":
                names = [o.label for o in other.options if any(_eq(o.value, v) for v in c.value)]
                parts.append(f"you did not choose {' or '.join('“' + n + '”' for n in names)} for “{label}”")
            elif c.op == "answered":
                parts.append(f"you answered “{label}”")
            else:
                parts.append(f"your answer to “{label}” is {c.op} {c.value}")
        joiner = " and " if item.enable_behavior == "all" else " or "
        return "Answer this only if " + joiner.join(parts) + "."

    def answer_attr(self, item: Item, code: str) -> str:
        """JSON of the typed answer an input stands for (used by the show/hide script)."""
        if item.type == "boolean":
            return json.dumps(code == YES)
        opt = item.option_by_code(code)
        return json.dumps(opt.value if opt else None)


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _choices(item: Item) -> list[SelectChoice]:
    if item.type == "boolean":
        opts = [SelectChoice(YES, "Yes"), SelectChoice(NO, "No")]
    else:
        opts = [SelectChoice(o.code, o.label) for o in item.options]
    if item.sensitive and item.type in ("choice", "boolean"):
        opts.append(SelectChoice(DECLINE_CODE, DECLINE_LABEL))
    return opts


def _unbound(item: Item):
    kw = {"label": item.label, "description": item.help or "", "id": f"i-{item.id}"}
    t = item.type
    if t in ("choice", "boolean"):
        return RadioField(choices=_choices(item), validate_choice=False, **kw)
    if t == "multi":
        return MultiCheckboxField(choices=_choices(item), validate_choice=False, **kw)
    if t == "text":
        limit = item.max_length or 2000
        cls = StringField if limit <= SHORT_TEXT else TextAreaField
        return cls(render_kw={"maxlength": limit}, **kw)
    if t == "date":
        return StringField(render_kw={"type": "date"}, **kw)
    # integer / decimal: a text input with a numeric keyboard, parsed by read_answers.
    render = {"inputmode": "numeric" if t == "integer" else "decimal", "autocomplete": "off"}
    return StringField(render_kw=render, **kw)


def visible_items(inst: Instrument, respondent: str | None) -> list[Item]:
    """Items shown to this respondent (patients never see clinician-only items)."""
    if respondent is None:
        return list(inst.items)
    return [it for it in inst.items if inst.item_respondent(it) == respondent]


def build(inst: Instrument, respondent: str | None = None, *, formdata: MultiDict | None = None,
          answers: dict[str, Any] | None = None, hide: frozenset[str] = frozenset()) -> StepForm:
    """A form for ``inst``: filled from posted ``formdata`` (kept as typed) or stored ``answers``.

    Each respondent reads its own voice (the clinician label in clinic, the patient label on the
    link); ``hide`` lists items the form never asks because the app knows them (age).
    """
    items = [replace(it, label=it.label_for(respondent)) for it in visible_items(inst, respondent)
             if it.id not in hide]
    fields = []
    for it in items:
        fields.append((it.id, _unbound(it)))
        if it.sensitive and it.type not in ("choice", "boolean"):
            fields.append((decline_field(it.id), BooleanField(DECLINE_LABEL, id=f"i-{it.id}-declined")))
    form = BaseForm(fields)
    if formdata is not None:
        form.process(formdata=formdata)
    else:
        form.process(data=stored_to_form(items, answers or {}))
    return StepForm(inst, form, items, respondent)


def stored_to_form(items: list[Item], answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for it in items:
        if it.id not in answers:
            continue
        value = answers[it.id]
        if value == DECLINED and it.sensitive:
            if it.type in ("choice", "boolean"):
                data[it.id] = DECLINE_CODE
            else:
                data[decline_field(it.id)] = True
            continue
        if it.type == "choice":
            opt = it.option_for(value)
            data[it.id] = opt.code if opt else None
        elif it.type == "boolean":
            data[it.id] = YES if value is True else NO if value is False else None
        elif it.type == "multi":
            values = value if isinstance(value, list | tuple) else [value]  # stored before it became multiple
            data[it.id] = [o.code for v in values for o in [it.option_for(v)] if o]
        elif it.type in ("integer", "decimal"):
            data[it.id] = _fmt_number(value)
        else:
            data[it.id] = value
    return data


def _fmt_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_number(raw: str, item: Item) -> tuple[Any, str | None]:
    text = raw.strip().replace(" ", "")
    if item.type == "decimal":
        text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None, "Enter a number, for example 12 or 12.5."
        if value != value or value in (float("inf"), float("-inf")):
            return None, "Enter a number, for example 12 or 12.5."
        return (int(value) if value.is_integer() else value), None
    try:
        return int(text), None
    except ValueError:
        return None, "Enter a whole number, for example 12."


def _parse_date(raw: str) -> tuple[str | None, str | None]:
    text = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat(), None
        except ValueError:
            continue
    return None, "Enter a real date, for example 2026-03-14."


def read_answers(step: StepForm, formdata: MultiDict) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn posted strings into typed answers; return (answers, errors by item id)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for it in step.items:
        if it.sensitive and formdata.get(decline_field(it.id)) in ("y", "on", "true", "1"):
            answers[it.id] = DECLINED
            continue
        t = it.type
        if t == "multi":
            codes = [c for c in formdata.getlist(it.id) if c]
            if not codes:
                continue
            values = []
            for code in codes:
                opt = it.option_by_code(code)
                if opt is None:
                    errors[it.id] = "Choose from the listed options."
                    break
                values.append(opt.value)
            else:
                answers[it.id] = list(dict.fromkeys(values))
            continue
        raw = (formdata.get(it.id) or "").strip()
        if not raw:
            continue
        if raw == DECLINE_CODE and it.sensitive and t in ("choice", "boolean"):
            answers[it.id] = DECLINED
        elif t == "choice":
            opt = it.option_by_code(raw)
            if opt is None:
                errors[it.id] = "Choose one of the listed options."
            else:
                answers[it.id] = opt.value
        elif t == "boolean":
            if raw not in (YES, NO):
                errors[it.id] = "Answer yes or no."
            else:
                answers[it.id] = raw == YES
        elif t in ("integer", "decimal"):
            value, msg = _parse_number(raw, it)
            if msg:
                errors[it.id] = msg
            else:
                answers[it.id] = value
        elif t == "date":
            value, msg = _parse_date(raw)
            if msg:
                errors[it.id] = msg
            else:
                answers[it.id] = value
        else:
            answers[it.id] = raw
    return answers, errors


def validate(step: StepForm, formdata: MultiDict, *, require_complete: bool,
             keep: dict[str, Any] | None = None) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Read and check a posted step.  Returns (clean answers, {}) or (None, errors).

    ``keep`` holds stored answers to items this respondent does not see (e.g. clinician-only
    items of a patient intake) so they survive the save.
    """
    answers, errors = read_answers(step, formdata)
    merged = {**(keep or {}), **answers}
    # Questions that do not apply (enable-when false) are dropped with any error they carry.
    live = enabled_ids(step.instrument, {k: v for k, v in merged.items() if k not in errors})
    errors = {k: v for k, v in errors.items() if k in live}
    merged = {k: v for k, v in merged.items() if k in live}
    try:
        clean = clean_answers(step.instrument, {k: v for k, v in merged.items() if k not in errors},
                              require_complete=require_complete, respondent=step.respondent)
    except AnswerError as exc:
        for key, msg in exc.errors.items():
            errors.setdefault(key, msg)
        clean = None
    visible = {it.id for it in step.items}
    errors = {k: v for k, v in errors.items() if k in visible}
    step.errors = errors
    for key, msg in errors.items():
        step.form[key].errors = [msg]
    if errors:
        return None, errors
    return clean, {}


def hidden_keep(inst: Instrument, respondent: str | None, stored: dict[str, Any],
                hide: frozenset[str] = frozenset()) -> dict[str, Any]:
    visible = {it.id for it in visible_items(inst, respondent)} - hide
    return {k: v for k, v in stored.items() if k not in visible}


def enabled_ids(inst: Instrument, answers: dict[str, Any]) -> set[str]:
    return {it.id for it in enabled_items(inst, answers)}


def display_answer(item: Item, value: Any) -> str:
    """A stored answer in words (review pages and reports)."""
    if value is None:
        return "Not answered"
    if value == DECLINED:
        return "Prefers to discuss in person"
    if item.type == "choice":
        opt = item.option_for(value)
        return opt.label if opt else str(value)
    if item.type == "multi":
        values = value if isinstance(value, list | tuple) else [value]
        labels = [o.label for v in values for o in [item.option_for(v)] if o]
        return "; ".join(labels) if labels else "None"
    if item.type == "boolean":
        return "Yes" if value else "No"
    if item.type in ("integer", "decimal"):
        return f"{_fmt_number(value)}{(' ' + item.unit) if item.unit else ''}"
    return str(value)
