"""``assessments`` stays pure: no Flask, SQLAlchemy, WeasyPrint or clinic, even after real use.

Checked in a fresh interpreter so that modules imported by other tests cannot hide a leak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

FORBIDDEN = ("flask", "sqlalchemy", "weasyprint", "clinic", "wtforms", "flask_wtf", "flask_login", "alembic")

PROBE = textwrap.dedent("""
    import importlib.util, json, sys
    import assessments, assessments.scoring, assessments.__main__
    if importlib.util.find_spec("assessments.triage") is not None:
        import assessments.triage
    from assessments import model
    import assessments.fhir, assessments.redcap
    from assessments.scoring import score
    # exercise every definition and the CLI's describe so lazily imported code runs too
    for inst in model.load_all().values():
        score(inst.id, {})
        assessments.__main__.describe(inst)
        assessments.fhir.Exporter().questionnaire(inst)
        assessments.redcap.data_dictionary(inst)
    forbidden = %r
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
    print(json.dumps(leaked))
""")


def test_assessments_imports_no_web_database_or_pdf_code():
    proc = subprocess.run([sys.executable, "-c", PROBE % (FORBIDDEN,)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_the_probe_can_fail():
    """Guard against a probe that can never see anything: importing json must be visible."""
    probe = PROBE.replace("forbidden = %r", "forbidden = ('json',)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "json" in json.loads(proc.stdout.strip().splitlines()[-1])
