"""``pdf`` imports neither Flask nor SQLAlchemy nor the web layer, even after a real render.

Checked in a fresh interpreter, so that modules other tests imported cannot hide a leak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

FORBIDDEN = ("flask", "sqlalchemy", "clinic", "wtforms", "flask_wtf", "flask_login", "alembic", "werkzeug")

PROBE = textwrap.dedent("""
    import json, logging, sys
    import pdf
    warnings = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    logging.getLogger("weasyprint").addHandler(handler)
    lazy = "weasyprint" not in sys.modules          # importing pdf alone must not load WeasyPrint
    import pdf.render, pdf.sample, pdf.charts, pdf.fetcher, pdf.trends, pdf.context, pdf.assets
    ctx = pdf.sample.sample_context(signed=False)
    pdf.render_html(ctx, "clinician")
    data = pdf.render(ctx, "patient")
    assert data.startswith(b"%%PDF")
    forbidden = %r
    leaked = sorted({m.split(".")[0] for m in sys.modules} & set(forbidden))
    print(json.dumps({"leaked": leaked, "lazy": lazy, "warnings": warnings}))
""")


def _run(probe: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=180,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_pdf_imports_no_web_or_database_code_and_loads_weasyprint_lazily():
    result = _run(PROBE % (FORBIDDEN,))
    assert result == {"leaked": [], "lazy": True, "warnings": []}


def test_the_probe_can_fail():
    """Guard against a probe that can never see anything: jinja2 is imported and must show."""
    result = _run(PROBE % (("jinja2",),))
    assert result["leaked"] == ["jinja2"]
