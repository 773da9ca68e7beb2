"""The rulebook: every rule and recommendation with its trigger, tier, wording, reference, evidence
level, internal provenance and the settings it reads, for the clinic's pelvic health lead to sign
off (``python -m assessments rules [--markdown]``).

Internal provenance (the clinical reference's evidence tags, seed ids, section numbers, where a
copy of a source was found) is printed here and nowhere else.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import fields

from .config import DEFAULT, Config, thresholds
from .recommendations import CATALOGUE
from .references import reader
from .triage import RULES
from .vocabulary import EVIDENCE_LEVELS, TIER_LABELS

_CONFIG_FIELDS = {f.name for f in fields(Config)} | {"postnatal_min_weeks"}


def _trigger(check) -> str:
    """The check's code without its decorator and signature: the exact trigger in force."""
    try:
        source = inspect.getsource(check)
    except (OSError, TypeError):
        return "(source not available)"
    lines = source.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("def ")), 0)
    return textwrap.dedent("\n".join(lines[start + 1:])).strip()


def _settings(check) -> list[str]:
    try:
        source = inspect.getsource(check)
    except (OSError, TypeError):
        return []
    return sorted({m for m in re.findall(r"config\.(\w+)", source) if m in _CONFIG_FIELDS})


def entries(config: Config = DEFAULT) -> list[dict]:
    """Every rule as a plain dict (the rulebook's content, for text, Markdown or tests)."""
    out = []
    for spec in RULES.values():
        out.append({
            "id": spec.id, "title": spec.title, "domain": spec.domain, "phase": spec.phase,
            "variants": [{"variant": name, "tier": v.tier, "tier_name": TIER_LABELS[v.tier],
                          "red_flag": spec.is_red_flag(v), "clinician": v.clinician, "patient": v.patient,
                          "action": v.action} for name, v in spec.variants.items()],
            "references": [str(r) for r in reader(spec.citation)],
            "evidence": sorted({r.level for r in reader(spec.citation)}),
            "provenance": f"{spec.citation} | {spec.reference}",
            "settings": _settings(spec.check),
            "trigger": _trigger(spec.check),
        })
    return out


def text(config: Config = DEFAULT, *, markdown: bool = False) -> str:
    h1, h2, h3 = ("# ", "## ", "### ") if markdown else ("", "", "")
    code = "```" if markdown else ""
    lines = [f"{h1}Rulebook of the Pelvic Health Assessment Toolkit", "",
             "Every rule needs sign-off by the clinic's pelvic health lead. Tiers, highest wins: "
             + "; ".join(f"{k} {v}" for k, v in TIER_LABELS.items()) + ".", "",
             f"{h2}Evidence levels", ""]
    lines += [f"- {v}" for v in EVIDENCE_LEVELS.values()]
    lines += ["", f"{h2}Settings in force", ""]
    lines += [f"- {t.label}: {t.text}" for t in thresholds(config)]
    lines += ["", f"{h2}Rules ({len(RULES)})", ""]
    for e in entries(config):
        phase = "answers only" if e["phase"] == 1 else "may read scores"
        lines += [f"{h3}{e['id']}: {e['title']}", "", f"- Domain: {e['domain']}; phase {e['phase']} ({phase})"]
        for v in e["variants"]:
            flag = ", red flag" if v["red_flag"] else ""
            lines += [f"- Variant '{v['variant']}': {v['tier']} {v['tier_name']}{flag}",
                      f"  - Clinician: {v['clinician']}", f"  - Patient: {v['patient']}",
                      f"  - Action: {v['action']}"]
        lines += [f"- Reference: {'; '.join(e['references']) or 'none'}",
                  f"- Internal provenance: {e['provenance']}",
                  f"- Settings read: {', '.join(e['settings']) or 'none'}",
                  "- Trigger:", "", code or "", textwrap.indent(e["trigger"], "    "), code or "", ""]
    lines += [f"{h2}Recommendations ({len(CATALOGUE)})", ""]
    for rec in CATALOGUE.values():
        lines += [f"{h3}{rec.id}: {rec.title}", "", f"- Category: {rec.category}",
                  f"- Clinician: {rec.clinician}", f"- Patient: {rec.patient}",
                  f"- Reference: {'; '.join(str(r) for r in reader(rec.citation)) or 'none'}",
                  f"- Internal provenance: {rec.citation}", ""]
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"
