"""Flask application for the Pelvic Health Assessment Toolkit."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask

import pdf
from assessments import vocabulary
from pdf import charts

from . import config as config_mod
from .db import db
from .extensions import csrf, login_manager

__all__ = ["create_app"]



def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: defaults -> instance config -> environment variables -> ``config`` mapping."""
    app = Flask(
        __name__,
        # Flask's own rule when unset: <checkout>/instance for a source checkout,
        # <venv prefix>/var/clinic-instance for an installed wheel.
        instance_path=instance_path or os.environ.get("PHAT_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="templates",
        static_folder="static",
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # The review page draws the same trend charts as the report.
    app.jinja_env.filters.update(trend_svg=charts.trend_svg, trend_legend=charts.legend)
    app.jinja_env.globals.update(vocabulary.jinja_globals())  # the same clinical words as the reports
    # Blocks the review page shares with the clinician report: "pdf/report/_blocks.html".
    report_templates = jinja2.FileSystemLoader(str(Path(pdf.__file__).parent / "templates"))
    app.jinja_env.loader = jinja2.ChoiceLoader([app.jinja_env.loader,
                                                jinja2.PrefixLoader({"pdf": report_templates})])
    app.config.from_mapping(config_mod.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_mod.from_environment(os.environ))
    if config:
        app.config.update(config)
    if app.config.get("TESTING") and not (config or {}).get("PHAT_ENV"):
        app.config["PHAT_ENV"] = "testing"
    config_mod.finalise(app.config, app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)

    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from . import inputs
    inputs.init_app(app)  # bounded <int:> converter and the NUL check, before any route or hook
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import access, alerts, concurrency, errors, logs, security
    from .views import admin, assessments, auth, main, patient_link, patients, reports
    from .views import alerts as alerts_views
    logs.init_app(app)  # request id and JSON logs first, so every later hook can log with it

    security.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    concurrency.init_app(app)
    alerts.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(patients.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(assessments.bp)
    app.register_blueprint(patient_link.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(alerts_views.bp)
    # Data exports and job pages (issue 14).
    from .views import exports as exports_views
    app.register_blueprint(exports_views.bp)

    from . import cli
    cli.init_app(app)

    if not app.debug:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # The embedded job worker starts with the app when asked (`make run`); else with the first job.
    if app.config.get("JOBS_LOCAL_WORKER"):
        from . import jobs
        if jobs.mode(app) == "local":
            jobs.ensure_local_worker(app)
    return app

