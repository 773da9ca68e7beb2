"""Report commands: render one assessment to a file; export many signed assessments in a date range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext

import pdf

from . import audit
from .db import db
from .models import Assessment
from .reports import build_context, signed_between


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-23") from None


@click.command("render-report")
@click.argument("assessment_id")
@click.option("--kind", type=click.Choice(["clinician", "patient"]), default="clinician", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="PDF file to write (written atomically: a failure leaves no file).")
@with_appcontext
def render_report(assessment_id: str, kind: str, out: Path) -> None:
    """Render one assessment's report to a PDF file."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        raise click.ClickException("No assessment has that id.")
    context = build_context(assessment)
    try:
        pdf.write_pdf_atomic(context, out, kind)
    except pdf.RenderError as exc:
        raise click.ClickException(str(exc)) from None
    audit.record("report.export", object_type="assessment", object_id=assessment.id, actor="system",
                 patient_id=assessment.patient_id, clinic_id=assessment.clinic_id,
                 detail={"kind": kind, "report": context.report_id})
    db.session.commit()
    click.echo(f"Wrote {out} ({context.report_id}).")


@click.command("export-reports")
@click.option("--from", "start", required=True, help="First assessment date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last assessment date (YYYY-MM-DD).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PDFs (created if missing).")
@click.option("--kind", type=click.Choice(["clinician", "patient", "both"]), default="clinician", show_default=True)
@click.option("--clinic-id", type=int, default=None, help="Only this clinic's assessments.")
@click.option("--processes", type=int, default=2, show_default=True, help="Rendering processes (the machine's cores).")
@with_appcontext
def export_reports(start: str, end: str, out: Path, kind: str, clinic_id: int | None, processes: int) -> None:
    """Export the reports of every signed assessment in a date range, using several processes."""
    first, last = _date(start), _date(end)
    if last < first:
        raise click.BadParameter("--to is before --from")
    chosen = signed_between(clinic_id, first, last)
    if not chosen:
        click.echo("No signed assessments in that range.")
        return
    contexts = [build_context(a) for a in chosen]
    db.session.rollback()
    kinds = ["clinician", "patient"] if kind == "both" else [kind]
    written = []
    try:
        for k in kinds:
            written += pdf.render_many(contexts, out, processes=processes, kind=k)
    except pdf.RenderError as exc:
        raise click.ClickException(str(exc)) from None
    for a, c in zip(chosen, contexts, strict=True):
        audit.record("report.export", object_type="assessment", object_id=a.id, actor="system",
                     patient_id=a.patient_id, clinic_id=a.clinic_id, detail={"kind": kind, "report": c.report_id})
    db.session.commit()
    click.echo(f"Wrote {len(written)} PDF files to {out}.")


COMMANDS = (render_report, export_reports)
