"""CFG-03: the project's own static rules over the source (what a semgrep rule set would check).

Ruff's ``S`` (bandit) rules run in lint beside these.  Each rule names the sink it keeps out and the
reviewed exceptions, one line each with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("clinic", "pdf", "assessments")

# Reviewed uses of Markup( / |safe: (file, text on the line), each with the reason.
SAFE_ALLOWED = {
    # The trend chart SVG: pdf.charts builds it from numbers and escapes every label itself.
    ("pdf/charts.py", 'Markup("".join(parts))'),
}


def _files(*suffixes: str) -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*")
                  if p.suffix in suffixes and "migrations" not in p.parts and p.is_file())


def _lines(*suffixes: str):
    for path in _files(*suffixes):
        rel = str(path.relative_to(ROOT))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield rel, n, line


def _hits(pattern: str, *suffixes: str) -> list[str]:
    return [f"{rel}:{n}: {line.strip()}" for rel, n, line in _lines(*suffixes) if re.search(pattern, line)]


def test_the_rules_see_the_source():
    assert len(_files(".py")) > 50 and len(_files(".html")) > 20 and _files(".js")


def test_no_unreviewed_safe_or_markup():
    """OUT-01: autoescaping is never switched off except in the reviewed places."""
    found = [f"{rel}:{n}: {line.strip()}" for rel, n, line in _lines(".html", ".py")
             if re.search(r"\|\s*safe\b|Markup\(", line)
             and not any(rel.startswith(f) and key in line for f, key in SAFE_ALLOWED)]
    assert not found, "unreviewed |safe or Markup(:\n" + "\n".join(found)


def test_no_sql_built_from_f_strings():
    """IN-03: ``text()`` takes constant SQL; values travel as bound parameters."""
    assert not _hits(r"""text\(\s*f["']""", ".py")
    assert not _hits(r"""text\(\s*["'][^"']*["']\s*(%|\.format\()""", ".py")


def test_no_render_template_string():
    """Templates live in files that autoescape; no template is built from a string at run time."""
    assert not _hits(r"render_template_string", ".py")


def test_no_inner_html_in_static_scripts():
    """OUT-02: the app's scripts write user data with textContent, never as HTML."""
    assert not _hits(r"\.(innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML|document\.write", ".js")


def test_no_mass_assignment_helpers():
    """ACC-04: forms never write model attributes wholesale; views copy each field by name."""
    assert not _hits(r"populate_obj\(", ".py")


def test_every_weasyprint_document_and_stylesheet_uses_our_fetcher():
    """PDF-01/PDF-03: every ``HTML(...)`` and ``CSS(...)`` call passes ``url_fetcher=``."""
    calls, missing = [], []
    for path in _files(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if name in ("HTML", "CSS"):
                    calls.append(path)
                    if "url_fetcher" not in {k.arg for k in node.keywords}:
                        missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls, "no WeasyPrint call found: the rule no longer sees the renderer"
    assert not missing, "WeasyPrint call without url_fetcher=:\n" + "\n".join(missing)
