"""Database maintenance shared by the command line and the job queue: planner statistics and the
online SQLite backup.  (Kept apart from :mod:`clinic.cli` so the jobs can use them without an import
cycle.)"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from .db import db


class BackupError(RuntimeError):
    """The backup was refused or failed; ``str(error)`` says why, and nothing was written."""


def optimize() -> None:
    """Refresh the query planner's statistics (SQLite ANALYZE; PostgreSQL autovacuum does this)."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=2000")
            conn.exec_driver_sql("ANALYZE")


def backup_sqlite(source: str, target: Path, *, overwrite: bool = False) -> dict:
    """Copy the SQLite database at ``source`` to ``target`` with SQLite's online backup (a
    consistent snapshot, safe while the app writes), check the copy, then move it into place.

    The file is readable by its owner only; a failure leaves no partial file and an existing
    ``target`` untouched.  Returns what the copy holds (counts only: no patient data)."""
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; choose a new file name or pass --overwrite.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    os.chmod(tmp, 0o600)
    try:
        src = sqlite3.connect(Path(source).resolve().as_uri() + "?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=1024)  # in steps: the app's writers wait at most one step
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (the app sets WAL again)
            integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
            facts = {"revision": dst.execute("SELECT version_num FROM alembic_version").fetchone()[0],
                     "patients": dst.execute("SELECT count(*) FROM patients").fetchone()[0],
                     "assessments": dst.execute("SELECT count(*) FROM assessments").fetchone()[0],
                     "audit_events": dst.execute("SELECT count(*) FROM audit_events").fetchone()[0]}
        finally:
            dst.close()
            src.close()
        if integrity != "ok":
            raise BackupError(f"The copy failed SQLite's integrity check ({integrity}); nothing was written.")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {**facts, "bytes": target.stat().st_size}
