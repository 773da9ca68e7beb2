"""DATA-05: docs/data_inventory.toml classifies every column of every table, and names no column
that no longer exists (introspected from the SQLAlchemy metadata the migrations must match)."""

from __future__ import annotations

import tomllib
from pathlib import Path

INVENTORY = Path(__file__).resolve().parents[2] / "docs" / "data_inventory.toml"
CLASSES = {"identifier", "health", "staff", "credential", "audit", "operational"}


def _metadata_columns() -> dict[str, set[str]]:
    import clinic.models  # noqa: F401 - registers every table on the metadata
    from clinic.db import Base

    return {name: {c.name for c in table.columns} for name, table in Base.metadata.tables.items()}


def test_every_column_is_classified_and_every_entry_exists():
    inventory = tomllib.loads(INVENTORY.read_text(encoding="utf-8"))
    actual = _metadata_columns()
    listed = {table: set(entry.get("columns", {})) for table, entry in inventory.items()}
    unlisted = sorted(f"{t}.{c}" for t, cols in actual.items() for c in cols - listed.get(t, set()))
    stale = sorted(f"{t}.{c}" for t, cols in listed.items() for c in cols - actual.get(t, set()))
    assert unlisted == [], f"columns with no entry in docs/data_inventory.toml: {unlisted}"
    assert stale == [], f"docs/data_inventory.toml names columns that do not exist: {stale}"


def test_every_entry_has_a_class_a_purpose_and_its_table_a_retention_rule():
    inventory = tomllib.loads(INVENTORY.read_text(encoding="utf-8"))
    problems = []
    for table, entry in inventory.items():
        if not str(entry.get("retention", "")).strip():
            problems.append(f"{table}: no retention rule")
        if not str(entry.get("purpose", "")).strip():
            problems.append(f"{table}: no purpose")
        for column, info in entry.get("columns", {}).items():
            if info.get("class") not in CLASSES:
                problems.append(f"{table}.{column}: class {info.get('class')!r} is not one of {sorted(CLASSES)}")
            if not str(info.get("purpose", "")).strip():
                problems.append(f"{table}.{column}: no purpose")
    assert problems == []


def test_patient_identifiers_and_health_data_are_classified_as_such():
    """Spot checks: the columns that matter most cannot be quietly reclassified as operational."""
    inventory = tomllib.loads(INVENTORY.read_text(encoding="utf-8"))
    cls = {(t, c): info["class"] for t, e in inventory.items() for c, info in e.get("columns", {}).items()}
    for column in ("given_name", "family_name", "date_of_birth", "email", "phone", "identifier"):
        assert cls[("patients", column)] == "identifier"
    for column in ("answers", "result", "clinician_notes"):
        assert cls[("assessments", column)] == "health"
    assert cls[("users", "password_hash")] == cls[("invitations", "token_hash")] == "credential"
