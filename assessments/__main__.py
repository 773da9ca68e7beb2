"""``python -m assessments``: list, describe and score instruments; tier an intake.

    python -m assessments list [--json]
    python -m assessments describe ID
    python -m assessments score ID FILE.json [--config KEY=VALUE ...] [--context KEY=VALUE ...]
    python -m assessments triage FILE.json [--config KEY=VALUE ...]
    python -m assessments summary FILE.json [--config KEY=VALUE ...] [--complaint CODE ...] [--phone NUMBER]
    python -m assessments rules [--markdown] [--config KEY=VALUE ...]

``-`` as FILE reads standard input.  ``score`` prints :meth:`ScoreResult.to_dict` as JSON (keys
``instrument``, ``version``, ``complete``, ``total``, ``subscales``, ``band``, ``missing`` and
``details``); ``triage`` validates the intake with :func:`model.validate_intake`, calls
:func:`assessments.triage.triage` and prints its ``to_dict()``.  ``--config`` sets fields of
:class:`assessments.config.Config` (e.g. ``nprs_scheme=boonstra-2016``, ``klovning_bands=false``).

Exit codes: 0 success; 2 invalid input (unreadable file, bad JSON, unknown instrument, unknown
item, value not among the options, wrong type, bad configuration) with one line per problem on
standard error and nothing on standard output; 1 when triage is not installed.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from . import model
from .config import DEFAULT, NPRS_SCHEMES, Config
from .model import AnswerError, DefinitionError, Instrument, IntakeError


class InputError(Exception):
    """Invalid command-line input; ``problems`` are printed one per line on stderr."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# --------------------------------------------------------------------------- input helpers


def read_json(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
            where = "standard input"
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            where = path
    except OSError as exc:
        raise InputError([f"{path}: cannot read file ({exc.strerror or exc})"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{path}: not UTF-8 text"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        ) from None


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def parse_config(pairs: Sequence[str]) -> Config:
    """``KEY=VALUE`` pairs onto :class:`Config` (types follow each field's default)."""
    if not pairs:
        return DEFAULT
    defaults = {f.name: getattr(DEFAULT, f.name) for f in dataclasses.fields(Config)}
    values: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep:
            problems.append(f"--config {pair!r}: expected KEY=VALUE")
            continue
        if key not in defaults:
            problems.append(f"--config {key}: unknown setting (known: {', '.join(sorted(defaults))})")
            continue
        default = defaults[key]
        if isinstance(default, bool):
            parsed = _parse_bool(raw)
            if parsed is None:
                problems.append(f"--config {key}: expected true or false, got {raw!r}")
                continue
            values[key] = parsed
        elif isinstance(default, int):
            try:
                values[key] = int(raw)
            except ValueError:
                problems.append(f"--config {key}: expected a whole number, got {raw!r}")
                continue
        else:
            values[key] = raw
    if not problems:
        try:
            return dataclasses.replace(DEFAULT, **values)
        except ValueError as exc:
            problems.append(f"--config: {exc}")
    raise InputError(problems)


def parse_context(pairs: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` context flags for scoring (``true``/``false`` become booleans)."""
    out: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            problems.append(f"--context {pair!r}: expected KEY=VALUE")
            continue
        parsed = _parse_bool(raw)
        out[key.strip()] = raw if parsed is None else parsed
    if problems:
        raise InputError(problems)
    return out


def get_instrument(instrument_id: str) -> Instrument:
    try:
        return model.get(instrument_id)
    except KeyError:
        known = ", ".join(sorted(model.load_all()))
        raise InputError([f"unknown instrument {instrument_id!r} (known: {known})"]) from None


def answer_problems(exc: AnswerError) -> list[str]:
    return [
        f"{exc.instrument_id}: item {key}: {msg}" if key != "$" else f"{exc.instrument_id}: {msg}"
        for key, msg in exc.errors.items()
    ]


# --------------------------------------------------------------------------- commands


def cmd_list(args: argparse.Namespace) -> int:
    defs = model.load_all()
    rows = [
        model.DefinitionSummary(
            i.id,
            i.name,
            i.version,
            i.kind,
            i.domain,
            len(i.items),
            {
                "respondent": i.respondent,
                "wording": i.wording,
                "scored": bool(i.scoring) and i.kind != "intake",
            },
        )
        for i in sorted(defs.values(), key=lambda i: i.id)
    ]
    if args.json:
        print(json.dumps([{**dataclasses.asdict(r), "extra": dict(r.extra)} for r in rows], indent=2))
        return 0
    width = max([len(r.id) for r in rows] + [2])
    print(f"{'ID':<{width}}  {'KIND':<13} {'DOMAIN':<13} {'ITEMS':>5}  {'VERSION':<28} NAME")
    for r in rows:
        print(f"{r.id:<{width}}  {r.kind:<13} {r.domain:<13} {r.items:>5}  {r.version:<28} {r.name}")
    return 0


def _fmt_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _fmt_condition(item: model.Item) -> str:
    parts = [f"{c.item} {c.op} {_fmt_value(c.value)}" for c in item.enable_when]
    joiner = " and " if item.enable_behavior == "all" else " or "
    return joiner.join(parts)


def _band_lines(bands: Sequence[Any]) -> list[str]:
    lines = []
    for b in bands:
        lo, hi, label = (
            (b["min"], b["max"], b["label"]) if isinstance(b, Mapping) else (b.min, b.max, b.label)
        )
        lo, hi = (int(x) if float(x).is_integer() else x for x in (lo, hi))
        lines.append(f"    {lo}-{hi}: {label}" if lo != hi else f"    {lo}: {label}")
    return lines


def describe(inst: Instrument) -> str:
    """Plain-text documentation of a definition: items, options, conditions, scoring, bands."""
    from .scoring import METHODS

    lines = [
        f"{inst.id}: {inst.name} ({inst.short_name})",
        f"  version {inst.version}; kind {inst.kind}; respondent {inst.respondent}; domain {inst.domain}",
        f"  wording: {inst.wording}"
        + (
            " (the project's own wording of the item content; a clinic holding "
            "the licence can install the official wording as a text pack)"
            if inst.wording == "adapted"
            else ""
        ),
        f"  recall period: {inst.recall_period or 'not specified'}",
        f"  citation: {inst.citation}",
        f"  licence: {inst.licence}",
    ]
    if inst.intro:
        lines.append(f"  introduction: {inst.intro}")
    points = (inst.scoring or {}).get("points", {})
    lines += ["", f"Items ({len(inst.items)})"]
    for it in inst.items:
        flags = ["required" if it.required else "optional"]
        if it.sensitive:
            flags.append("sensitive: may be declined (counts as missing)")
        if it.respondent:
            flags.append(f"answered by {it.respondent}")
        lines.append(f"  [{it.id}] {it.type}, {', '.join(flags)}")
        if it.section:
            lines.append(f"      section: {it.section}")
        lines.append(f"      label: {it.label}")
        if it.help:
            lines.append(f"      help: {it.help}")
        if it.type in ("integer", "decimal"):
            lo = _fmt_number(it.min) if it.min is not None else "-inf"
            hi = _fmt_number(it.max) if it.max is not None else "inf"
            lines.append(f"      range: {lo}..{hi}{(' ' + it.unit) if it.unit else ''}")
        for opt in it.options:
            extra = ""
            if it.id in points and str(opt.value) in points[it.id]:
                unverified = "" if (inst.scoring or {}).get("key_verified", True) else " [M: key unverified]"
                extra = f"  -> {points[it.id][str(opt.value)]} points{unverified}"
            lines.append(f"      value {_fmt_value(opt.value)} ({opt.code}): {opt.label}{extra}")
        if it.enable_when:
            lines.append(f"      asked only when: {_fmt_condition(it)}")
    lines += ["", "Scoring"]
    if inst.kind == "intake" or not inst.scoring:
        lines.append("  none (answers feed triage and the report)")
    else:
        name = inst.scoring.get("method")
        fn = METHODS.get(name)
        lines.append(f"  method: {name}")
        doc = inspect.getdoc(fn) if fn else "(no such method is registered)"
        lines += ["    " + line if line else "" for line in (doc or "").splitlines()]
        shown = {
            k: v for k, v in inst.scoring.items() if k not in ("method", "points", "versions", "key_source")
        }
        if shown:
            lines.append("  parameters:")
            lines += ["    " + line for line in json.dumps(shown, indent=2, ensure_ascii=False).splitlines()]
        if "key_source" in inst.scoring:
            lines.append(f"  point key source: {inst.scoring['key_source']}")
        for vid, v in inst.scoring.get("versions", {}).items():
            default = (
                " (default)" if getattr(DEFAULT, inst.scoring.get("config_field", ""), None) == vid else ""
            )
            lines.append(
                f"  version {vid}{default}: {v.get('label', '')}; range {v['range'][0]}-{v['range'][1]}"
            )
            lines.append(f"    frequency points {v['frequency_points']}; amount points {v['amount_points']}")
            lines.append("    bands:")
            lines += _band_lines(v["bands"])
            lines.append(f"    band source: {v['bands_source']}")
        if name == "nprs_anchors":
            lines.append("  band schemes (configuration nprs_scheme):")
            for sid, (mild, moderate, severe, cite) in NPRS_SCHEMES.items():
                default = " (default)" if sid == DEFAULT.nprs_scheme else ""
                lines.append(
                    f"    {sid}{default}: mild {mild[0]}-{mild[1]}, moderate {moderate[0]}-{moderate[1]}, "
                    f"severe {severe[0]}-{severe[1]}; source: {cite}"
                )
    lines += ["", "Bands"]
    if inst.bands:
        lines += _band_lines(inst.bands)
        lines.append(f"  source: {inst.bands_source}")
    elif (inst.scoring or {}).get("versions") or (inst.scoring or {}).get("method") in (
        "nprs_anchors",
        "leaf_q_points",
    ):
        lines.append("  depend on the configuration (see Scoring)")
    else:
        lines.append("  none published")
    if inst.mid:
        lines += ["", f"Minimal important difference: {inst.mid.get('value')} ({inst.mid.get('source')})"]
    if inst.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in inst.notes]
    return "\n".join(lines)


def cmd_describe(args: argparse.Namespace) -> int:
    print(describe(get_instrument(args.instrument)))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .scoring import score_instrument

    config = parse_config(args.config)
    context = parse_context(args.context)
    inst = get_instrument(args.instrument)
    answers = read_json(args.file)
    if not isinstance(answers, dict):
        raise InputError([f"{inst.id}: the answers must be a JSON object keyed by item id"])
    try:
        result = score_instrument(inst, answers, config, context=context)
    except AnswerError as exc:
        raise InputError(answer_problems(exc)) from None
    print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return 0


def _intake(args: argparse.Namespace) -> tuple[Config, dict]:
    """The configuration and the validated intake named by ``args`` (bad input -> InputError)."""
    config = parse_config(args.config)
    document = read_json(args.file)
    try:
        return config, model.validate_intake(document)
    except IntakeError as exc:
        raise InputError([f"{path}: {msg}" for path, msg in exc.errors.items()]) from None


def cmd_triage(args: argparse.Namespace) -> int:
    from .triage import triage

    config, intake = _intake(args)
    try:
        result = triage(intake, config=config)
    except AnswerError as exc:
        raise InputError(answer_problems(exc)) from None
    except IntakeError as exc:
        raise InputError([f"{path}: {msg}" for path, msg in exc.errors.items()]) from None
    print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """The composition of an intake as JSON: exactly the words the pages and reports show."""
    config, intake = _intake(args)
    from .summary import compose
    from .triage import triage
    result = triage(intake, config=config)
    summary = compose(result, intake, complaints=args.complaint, clinic_phone=args.phone)
    print(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from . import rulebook
    sys.stdout.write(rulebook.text(parse_config(args.config), markdown=args.markdown))
    return 0


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assessments", description="Instrument definitions, scoring and triage."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list the packaged definitions")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("describe", help="document one definition")
    p.add_argument("instrument")
    p.set_defaults(func=cmd_describe)
    p = sub.add_parser("score", help="score an answers file ({item_id: value}); '-' reads stdin")
    p.add_argument("instrument")
    p.add_argument("file")
    p.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE", help="configuration override"
    )
    p.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="context flag for interpretation, e.g. hormonal_contraception=true (LEAF-Q)",
    )
    p.set_defaults(func=cmd_score)
    p = sub.add_parser("triage", help="tier an intake {context, answers}; '-' reads stdin")
    p.add_argument("file")
    p.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE", help="configuration override"
    )
    p.set_defaults(func=cmd_triage)
    p = sub.add_parser("summary", help="what the clinician and the patient are told, as JSON; '-' reads stdin")
    p.add_argument("file")
    p.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE", help="configuration override"
    )
    p.add_argument("--complaint", action="append", default=[], metavar="CODE",
                   help="presenting complaint (bleeding, pelvic_pain, incontinence, prolapse, "
                        "return_to_running, energy)")
    p.add_argument("--phone", default="", help="the clinic's phone number for 'contact us'")
    p.set_defaults(func=cmd_summary)
    p = sub.add_parser("rules", help="print the rulebook (every rule, its trigger, wording and sources)")
    p.add_argument("--markdown", action="store_true", help="Markdown instead of plain text")
    p.add_argument(
        "--config", action="append", default=[], metavar="KEY=VALUE", help="configuration override"
    )
    p.set_defaults(func=cmd_rules)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except DefinitionError as exc:
        print(f"error: definition problem: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
