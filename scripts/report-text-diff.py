#!/usr/bin/env python3
"""Compare the text of every demo report between an earlier revision and the working tree.

    .venv/bin/python scripts/report-text-diff.py REV

Loads the demo data into a throw-away SQLite database with the code of REV (a temporary git
worktree) and with the working tree, renders the clinician report and the patient summary of
every demo assessment as HTML, and prints the words that differ. Report ids, generation and
signing times are masked (they differ on every load). Exit 0 when the texts are the same, 1 when
they differ: a refactoring that should not change behaviour must exit 0.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DUMP = r'''
import re, sys, tempfile
from bs4 import BeautifulSoup
from sqlalchemy import select
from clinic import create_app
from clinic.db import db, upgrade
tmp = tempfile.mkdtemp()
app = create_app({"PHAT_ENV": "testing", "SECRET_KEY": "k" * 48, "DATABASE_URL": f"sqlite:///{tmp}/x.sqlite3"},
                 instance_path=tmp)
upgrade(app.config["DATABASE_URL"])
with app.app_context():
    import pdf
    from clinic import demo
    from clinic.models import Assessment, Patient
    from clinic.reports import build_context
    demo.load()
    db.session.commit()
    for a in db.session.scalars(select(Assessment).order_by(Assessment.performed_on, Assessment.created_at)):
        name = db.session.get(Patient, a.patient_id).family_name
        ctx = build_context(a)
        for kind in ("clinician", "patient"):
            text = BeautifulSoup(pdf.render_html(ctx, kind), "html.parser").get_text(" ", strip=True)
            print(f"=== {name} {a.performed_on} {kind}")
            print(text)
'''

MASKS = [(re.compile(r"PHT-[0-9A-F]{10}-V\d+"), "PHT-<id>"),
         (re.compile(r"(Generated|Signed) \d+ \w+ \d{4}, \d\d:\d\d UTC"), r"\1 <time>"),
         (re.compile(r"written \d+ \w+ \d{4}"), "written <date>")]


def dump(folder: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", DUMP], cwd=folder, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})
    text = proc.stdout
    for pattern, repl in MASKS:
        text = pattern.sub(repl, text)
    return text.split()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), sys.argv[1]], cwd=ROOT, check=True)
        try:
            before = dump(old)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=True)
    after = dump(ROOT)
    changes = [op for op in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
               if op[0] != "equal"]
    for tag, i1, i2, j1, j2 in changes:
        print(f"{tag}: {' '.join(before[max(0, i1 - 4):i2 + 4])}\n   -> {' '.join(after[max(0, j1 - 4):j2 + 4])}\n")
    print(f"{len(before)} words before, {len(after)} after, {len(changes)} differences")
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main())
