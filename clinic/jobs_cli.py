"""Job commands: run a worker; queue the nightly backup or planner refresh (for cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from . import jobs
from .db import db


@click.command("jobs-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker(burst: bool) -> None:
    """Run jobs: an RQ worker when PHAT_REDIS_URL is set (start one per core, on any host), else the
    local worker that polls the database."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.set_worker_app(app)
    if jobs.mode(app) == "rq":
        from rq import SimpleWorker

        queue = jobs.rq_queue(app)
        if orphans := jobs.redispatch_orphans(app):
            click.echo(f"Handed {orphans} queued job(s) that Redis did not hold back to the queue.")
        click.echo(f"RQ worker on queue '{queue.name}' ({'burst' if burst else 'until stopped'}).")
        # SimpleWorker runs each job in this process: no fork, so the database pool stays this process's.
        SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=not burst,
                                                                logging_level="WARNING")
    else:
        click.echo("Local worker polling the jobs table" + (" (burst)." if burst else " (Ctrl+C stops it)."))
        ran = jobs.work_local(app, burst=burst)
        click.echo(f"Ran {ran} job(s).")


@click.command("jobs-enqueue")
@click.argument("kind", type=click.Choice(["backup", "optimize", "purge_retention"]))
@with_appcontext
def jobs_enqueue(kind: str) -> None:
    """Queue the nightly backup, planner refresh or retention purge (cron: `phat jobs-enqueue backup`,
    `... optimize`, `... purge_retention`).  Without Redis
    it runs here and now, through the same job code."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rq_mode = jobs.mode(app) == "rq"
    job = jobs.submit(kind, {}, total=1)
    if not rq_mode:
        db.session.info.pop("phat_jobs", None)  # run below, in this process
    db.session.commit()
    if rq_mode:
        click.echo(f"Queued {kind} job {job.id}.")
        return
    status = jobs.run(app, job.id)
    db.session.expire_all()
    job = db.session.get(type(job), job.id)
    if status != "done":
        raise click.ClickException(f"The {kind} job failed: {job.error}")
    click.echo(f"The {kind} job finished: {job.summary or 'done'}.")


COMMANDS = (jobs_worker, jobs_enqueue)
