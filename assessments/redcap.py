"""A definition as a REDCap data dictionary (CSV) and as a REDCap instrument zip.

Pure: definitions in, text and bytes out.  The data dictionary has REDCap's 18 standard columns
(:data:`COLUMNS`, in REDCap's order and spelling); ``enable_when`` becomes branching logic.  The
instrument zip holds ``instrument.csv`` (the instrument's rows, no record id) and ``OriginID.txt``,
as REDCap's own "download instrument ZIP" does, for "Upload instrument ZIP" in the Online Designer.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

from .fhir import plain_notice
from .model import Condition, Instrument, Item

COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)
ORIGIN = "pelvic-health-toolkit"
MAX_NAME = 100  # REDCap's limit; names stay far shorter


def form_name(inst: Instrument) -> str:
    return _name(inst.id)


def field_name(inst: Instrument, item: Item) -> str:
    return _name(f"{inst.id}_{item.id}")[:MAX_NAME]


def choice_code(item: Item, value: Any, code: str) -> str:
    """REDCap raw value of an option: the scored value when it is a whole number >= 0 (so REDCap
    calculations add up the same way), else the option code as a variable-safe name."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return _name(code)


def _codes(item: Item) -> list[tuple[str, str]]:
    codes = [(choice_code(item, o.value, o.code), o.label) for o in item.options]
    if len({c for c, _ in codes}) != len(codes):  # two codes folded alike: fall back to positions
        codes = [(str(i + 1), o.label) for i, o in enumerate(item.options)]
    return codes


def _row(inst: Instrument, item: Item, section: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row["Variable / Field Name"] = field_name(inst, item)
    row["Form Name"] = form_name(inst)
    row["Section Header"] = section
    row["Field Label"] = _clean(item.label)
    row["Field Note"] = _clean(item.help or "") or (f"Unit: {item.unit}" if item.unit else "")
    if item.type in ("choice", "multi"):
        row["Field Type"] = "radio" if item.type == "choice" else "checkbox"
        row["Choices, Calculations, OR Slider Labels"] = " | ".join(f"{c}, {_clean(label)}"
                                                                    for c, label in _codes(item))
    elif item.type == "boolean":
        row["Field Type"] = "yesno"
    elif item.type in ("integer", "decimal"):
        row["Field Type"] = "text"
        row["Text Validation Type OR Show Slider Number"] = "integer" if item.type == "integer" else "number"
        row["Text Validation Min"] = _num(item.min)
        row["Text Validation Max"] = _num(item.max)
    elif item.type == "date":
        row["Field Type"] = "text"
        row["Text Validation Type OR Show Slider Number"] = "date_ymd"
    else:
        row["Field Type"] = "notes" if (item.max_length or 2000) > 255 else "text"
    row["Required Field?"] = "y" if item.required else ""
    row["Branching Logic (Show field only if...)"] = branching_logic(inst, item)
    row["Field Annotation"] = f"Item {item.id} of {inst.short_name} {inst.version}"
    return row


def branching_logic(inst: Instrument, item: Item) -> str:
    if not item.enable_when:
        return ""
    joiner = " or " if item.enable_behavior == "any" else " and "
    parts = [_logic(inst, c) for c in item.enable_when]
    if len(parts) == 1:
        return parts[0]
    return joiner.join(f"({p})" for p in parts)


def _logic(inst: Instrument, cond: Condition) -> str:
    source = inst.item(cond.item)
    name = field_name(inst, source)
    if cond.op == "answered":
        if source.type == "multi":
            checks = [f"[{name}({c})] = '1'" for c, _ in _codes(source)]
            any_checked = " or ".join(checks)
            return f"({any_checked})" if cond.value else f"not ({any_checked})"
        return f"[{name}] <> ''" if cond.value else f"[{name}] = ''"

    def code(v: Any) -> str:
        opt = source.option_for(v)
        if opt is None:
            return str(v)
        codes = dict(zip([o.code for o in source.options], [c for c, _ in _codes(source)], strict=True))
        return codes[opt.code]

    if source.type == "multi":
        if cond.op in ("contains", "="):
            return f"[{name}({code(cond.value)})] = '1'"
        if cond.op == "!=":
            return f"[{name}({code(cond.value)})] = '0'"
        if cond.op == "in":
            return " or ".join(f"[{name}({code(v)})] = '1'" for v in cond.value or ())
        if cond.op == "not_in":
            return " and ".join(f"[{name}({code(v)})] = '0'" for v in cond.value or ()) or "true"
    if cond.op == "not_in":  # unanswered (REDCap's empty value differs from each), or none of the values
        return " and ".join(f"[{name}] <> '{code(v) if source.type == 'choice' else v}'"
                            for v in cond.value or ()) or "true"
    if source.type == "choice":
        if cond.op in ("=", "!="):
            op = "=" if cond.op == "=" else "<>"
            return f"[{name}] {op} '{code(cond.value)}'"
        if cond.op == "in":
            return " or ".join(f"[{name}] = '{code(v)}'" for v in cond.value or ())
        # ordering compares the options' scored values
        allowed = [o for o in source.options if isinstance(o.value, int | float)
                   and _compare(cond.op, o.value, cond.value)]
        return " or ".join(f"[{name}] = '{code(o.value)}'" for o in allowed) or "false"
    if source.type == "boolean":
        return f"[{name}] = '{1 if cond.value else 0}'"
    if cond.op == "in":
        return " or ".join(f"[{name}] = '{v}'" for v in cond.value or ())
    op = {"=": "=", "!=": "<>"}.get(cond.op, cond.op)
    value = cond.value if isinstance(cond.value, int | float) else f"'{cond.value}'"
    return f"[{name}] {op} {value}"


def _compare(op: str, a: float, b: float) -> bool:
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}.get(op, False)


def rows(inst: Instrument) -> list[dict[str, str]]:
    out = []
    last_section = None
    for index, item in enumerate(inst.items):
        section = ""
        if item.section and item.section != last_section:
            section = _clean(item.section)
        if index == 0 and inst.intro:
            section = (section + " " if section else "") + _clean(inst.intro)
        last_section = item.section
        out.append(_row(inst, item, section))
    notice = dict.fromkeys(COLUMNS, "")
    notice.update({"Variable / Field Name": f"{form_name(inst)}_licence"[:MAX_NAME], "Form Name": form_name(inst),
                   "Field Type": "descriptive",
                   "Field Label": _clean(f"{inst.name} ({inst.version}). Source: {plain_notice(inst.citation)}. "
                                         f"{plain_notice(inst.licence)}")})
    out.append(notice)
    return out


def data_dictionary(inst: Instrument, *, record_id: bool = True) -> str:
    """The definition as a REDCap data dictionary CSV (a whole project: record id first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    if record_id:
        first = dict.fromkeys(COLUMNS, "")
        first.update({"Variable / Field Name": "record_id", "Form Name": form_name(inst), "Field Type": "text",
                      "Field Label": "Record ID"})
        writer.writerow(first)
    for row in rows(inst):
        writer.writerow(row)
    return out.getvalue()


def instrument_zip(inst: Instrument) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OriginID.txt", ORIGIN)
        zf.writestr("instrument.csv", data_dictionary(inst, record_id=False))
    return buffer.getvalue()


def _name(value: str) -> str:
    """A REDCap variable name: lower-case letters, digits and underscores, starting with a letter."""
    name = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_") or "x"
    return name if name[0].isalpha() else f"i{name}"


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _num(value: Any) -> str:
    if value is None:
        return ""
    f = float(value)
    return str(int(f)) if f.is_integer() else str(f)
