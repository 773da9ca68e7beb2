"""Export commands: FHIR bundles, the research CSV and REDCap data dictionaries."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

import assessments
from assessments import redcap

from . import audit, exports
from .db import db
from .models import Assessment, Patient


def write_atomic(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` readable by its owner only; a failure leaves no partial file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-23", param_hint=option) from None


@click.command("export-fhir")
@click.option("--assessment", "assessment_id", default=None, help="One assessment's id.")
@click.option("--patient", "patient_id", default=None, help="A patient's id: all her submitted and signed assessments.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file to write (a FHIR R4B Bundle).")
@with_appcontext
def export_fhir(assessment_id: str | None, patient_id: str | None, out: Path) -> None:
    """Write a FHIR R4B Bundle for one assessment or for every assessment of one patient."""
    if bool(assessment_id) == bool(patient_id):
        raise click.UsageError("Give exactly one of --assessment ID or --patient ID.")
    if assessment_id:
        assessment = db.session.get(Assessment, assessment_id)
        if assessment is None:
            raise click.ClickException("No assessment has that id.")
        if assessment.status not in exports.EXPORTABLE:
            raise click.ClickException("That assessment is a draft; submit or sign it first.")
        patient, chosen = assessment.patient, [assessment]
    else:
        patient = db.session.get(Patient, patient_id)
        if patient is None:
            raise click.ClickException("No patient has that id.")
        chosen = exports.exportable_assessments(patient)
    data = exports.bundle(patient, chosen)
    write_atomic(out, exports.bundle_json(data))
    audit.record("export.fhir", object_type="assessment" if assessment_id else "patient",
                 object_id=assessment_id or patient_id, actor="system", patient_id=patient.id,
                 clinic_id=patient.clinic_id, detail={"assessments": len(chosen), "resources": len(data["entry"])})
    db.session.commit()
    click.echo(f"Wrote {out}: a FHIR R4B Bundle of {len(chosen)} assessment(s), {len(data['entry'])} resources.")


@click.command("export-csv")
@click.option("--from", "start", required=True, help="First assessment date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last assessment date (YYYY-MM-DD).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="CSV file to write.")
@click.option("--clinic-id", type=int, default=None, help="Only this clinic's assessments.")
@click.option("--identifiers", is_flag=True,
              help="Add the patients' names, identifiers and dates of birth (for the clinic's own service review).")
@with_appcontext
def export_csv(start: str, end: str, out: Path, clinic_id: int | None, identifiers: bool) -> None:
    """Signed assessments as CSV, one row per assessment and instrument, with pseudonymous patient keys."""
    first, last = _date(start, "--from"), _date(end, "--to")
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    chosen = exports.signed_in_range(clinic_id, first, last)
    data, rows = exports.research_csv(chosen, identifiers=identifiers)
    write_atomic(out, data)
    audit.record("export.csv", actor="system", clinic_id=clinic_id,
                 detail={"from": first.isoformat(), "to": last.isoformat(), "assessments": len(chosen),
                         "rows": rows, "identifiers": identifiers})
    db.session.commit()
    click.echo(f"Wrote {out}: {rows} rows from {len(chosen)} signed assessments"
               f"{' (with identifiers)' if identifiers else ' (pseudonymous)'}.")


@click.command("export-redcap")
@click.argument("instrument_id")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A .csv data dictionary, or a .zip REDCap instrument.")
def export_redcap(instrument_id: str, out: Path) -> None:
    """Write a definition as a REDCap data dictionary (.csv) or instrument zip (.zip)."""
    try:
        inst = assessments.get(instrument_id)
    except KeyError:
        known = ", ".join(sorted(assessments.load_all()))
        raise click.ClickException(f"No definition is called {instrument_id!r}. Known: {known}.") from None
    if out.suffix.lower() == ".zip":
        write_atomic(out, redcap.instrument_zip(inst))
        click.echo(f"Wrote {out}: REDCap instrument zip for {inst.short_name} {inst.version}.")
    elif out.suffix.lower() == ".csv":
        write_atomic(out, redcap.data_dictionary(inst).encode("utf-8"))
        click.echo(f"Wrote {out}: REDCap data dictionary for {inst.short_name} {inst.version}.")
    else:
        raise click.BadParameter("end the file name in .csv (data dictionary) or .zip (instrument)",
                                 param_hint="--out")


COMMANDS = (export_fhir, export_csv, export_redcap)
