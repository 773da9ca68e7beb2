"""Render a :class:`~pdf.context.ReportContext` to HTML (Jinja2) and to a tagged PDF (WeasyPrint).

* :func:`render_html` - the report as HTML; also the in-app preview (pass ``stylesheet_urls``).
* :func:`render` - PDF bytes (PDF/UA-1: tagged, with title and language).
* :func:`write_pdf_atomic` - render in memory, then ``os.replace`` into place.
* :func:`render_many` - bulk export over worker processes.

WeasyPrint is driven the way the security and performance notes ask: one
:class:`~pdf.fetcher.ReportURLFetcher` for every ``HTML`` and ``CSS`` object, no
``presentational_hints``, no URL ever passed as ``stylesheets=``/``attachments=``, and a
``FontConfiguration`` plus pre-parsed ``CSS`` built once per process (and thread) and reused.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
import types
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from assessments import vocabulary

from . import charts, formats
from .assets import ASSET_SCHEME, PACKAGE_DIR, STYLESHEET_PATH, font_face_css
from .context import ReportContext
from .fetcher import ReportURLFetcher

LOG = logging.getLogger(__name__)

KINDS = {"clinician": "report/clinician.html", "patient": "report/patient.html"}
TEMPLATES_ENV = "PHAT_REPORT_TEMPLATES"
"""Environment variable naming another templates folder (holding ``report/*.html``)."""
DEFAULT_TEMPLATES_DIR = PACKAGE_DIR / "templates"
PDF_OPTIONS: dict[str, Any] = {
    "pdf_variant": "pdf/ua-1",       # tagged PDF, /Lang and /Title required and set
    "presentational_hints": False,   # CVE-2026-49452: never map HTML attributes to CSS
}


class RenderError(RuntimeError):
    """A report could not be produced.  ``str(error)`` is safe to show to the user."""


# --------------------------------------------------------------------------- HTML


def templates_dir() -> Path:
    """Folder holding ``report/*.html``: ``$PHAT_REPORT_TEMPLATES`` or the ``templates`` folder shipped in ``pdf``."""
    return Path(os.environ.get(TEMPLATES_ENV) or DEFAULT_TEMPLATES_DIR)


@lru_cache(maxsize=4)
def environment(folder: str | None = None) -> jinja2.Environment:
    """The Jinja environment for reports (autoescape on for everything, strict undefined)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        date=formats.format_date,
        datetime=formats.format_datetime,
        date_of=lambda value: formats.format_date(value.date()),
        score=formats.format_score,
        range=formats.format_range,
        trend_svg=charts.trend_svg,
        trend_legend=charts.legend,
    )
    env.globals.update(vocabulary.jinja_globals())
    return env


def logo_data_uri(context: ReportContext) -> str | None:
    """The clinic logo as a base64 ``data:`` URI (MIME type and size checked by :class:`Logo`)."""
    import base64

    logo = context.clinic.logo
    if logo is None:
        return None
    return f"data:{logo.mime};base64,{base64.b64encode(logo.data).decode('ascii')}"


def render_html(context: ReportContext, kind: str = "clinician", *,
                stylesheet_urls: Sequence[str] = (), logo_src: str | None = None,
                templates: str | os.PathLike | None = None) -> str:
    """The report as an HTML document.

    :param kind: ``"clinician"`` (full report) or ``"patient"`` (plain-language summary).
    :param stylesheet_urls: for the in-app preview: URLs of ``fonts/fonts.css`` and ``report.css``
        as served by the web layer (see :data:`pdf.assets.ASSETS`).  Empty for PDFs, whose
        stylesheet is supplied pre-parsed.
    :param logo_src: for the preview: a URL serving the logo (the page's CSP refuses
        ``data:`` images).  Defaults to a ``data:`` URI, which is what the PDF uses.
    :param templates: another templates folder (default :func:`templates_dir`).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(context, ReportContext):
        raise TypeError(f"expected a ReportContext, got {type(context).__name__}")
    env = environment(str(templates) if templates else None)
    return env.get_template(KINDS[kind]).render(
        ctx=context,
        kind=kind,
        stylesheet_urls=tuple(stylesheet_urls),
        logo_src=logo_src if logo_src is not None else logo_data_uri(context),
        age=formats.age_on(context.patient.date_of_birth, context.assessment.date),
    )


# --------------------------------------------------------------------------- PDF


@dataclass
class Prepared:
    """What one process (thread) builds once and reuses for every render."""

    pid: int
    fetcher: ReportURLFetcher
    font_config: FontConfiguration
    stylesheets: list[CSS]


_local = threading.local()


def prepare() -> Prepared:
    """The fetcher, font configuration and parsed stylesheet of this process and thread.

    Built on first use (``@font-face`` fonts loaded through the fetcher, CSS parsed once) and
    rebuilt after a fork, since WeasyPrint's Fontconfig state must not cross processes.
    """
    prepared = getattr(_local, "prepared", None)
    if prepared is None or prepared.pid != os.getpid():
        fetcher = ReportURLFetcher()
        font_config = FontConfiguration()
        css_text = font_face_css(f"{ASSET_SCHEME}:fonts/") + STYLESHEET_PATH.read_text(encoding="utf-8")
        stylesheet = CSS(string=css_text, url_fetcher=fetcher, font_config=font_config)
        prepared = Prepared(os.getpid(), fetcher, font_config, [stylesheet])
        _local.prepared = prepared
    return prepared


def warm_up() -> None:
    """Prepare this process and render the demo once, so the first real report is not cold
    (Pango loads glyphs and shaping data on first use).  For a worker's start-up hook."""
    from .sample import sample_context

    render(sample_context(), "patient")


def pdf_from_html(html: str) -> bytes:
    """PDF bytes from report HTML made by :func:`render_html` (without ``stylesheet_urls``).

    Uses this process's prepared fetcher, fonts and stylesheet.  WeasyPrint errors propagate;
    :func:`render` wraps them in :class:`RenderError`.
    """
    prepared = prepare()
    document = HTML(string=html, url_fetcher=prepared.fetcher)
    return document.write_pdf(stylesheets=prepared.stylesheets, font_config=prepared.font_config,
                              **PDF_OPTIONS)


def render(context: ReportContext, kind: str = "clinician") -> bytes:
    """The report as PDF bytes (PDF/UA-1).  Raises :class:`RenderError` on any failure."""
    html = render_html(context, kind)
    try:
        return pdf_from_html(html)
    except FatalURLFetchingError as error:
        LOG.error("report %s refused a resource: %s", context.report_id, error)
        raise RenderError("The report could not be produced because it asked for a resource that "
                          "reports may not load. Please contact your administrator.") from error
    except Exception as error:
        LOG.exception("report %s failed to render", context.report_id)
        raise RenderError("The report could not be produced. Please try again; if it keeps "
                          "failing, contact your administrator.") from error


def write_pdf_atomic(context: ReportContext, path: str | os.PathLike, kind: str = "clinician") -> Path:
    """Render fully, then move the finished file into ``path`` with ``os.replace``.

    A failure at any point leaves no file at ``path`` (an older file there stays untouched)
    and no temporary file behind.  The file is created readable by its owner only (0600):
    reports hold health data.
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise RenderError(f"The folder {target.parent} does not exist, so the report was not saved.")
    data = render(context, kind)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as error:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            raise RenderError(f"The report could not be saved to {target}: {error.strerror}.") from error
        raise
    return target


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def output_name(context: ReportContext, kind: str) -> str:
    """File name for a bulk-exported report: ``<report id>-<kind>.pdf``, made filesystem-safe."""
    stem = _SAFE_NAME.sub("_", context.report_id).strip("._") or "report"
    return f"{stem[:100]}-{kind}.pdf"


def _worker_init() -> None:
    prepare()


def _worker_render(job: tuple[ReportContext, str, str]) -> str:
    context, kind, path = job
    return str(write_pdf_atomic(context, path, kind))


def render_many(contexts: Iterable[ReportContext], out_dir: str | os.PathLike, *,
                processes: int | None = None, kind: str = "clinician",
                max_tasks_per_child: int = 200) -> list[Path]:
    """Render many reports into ``out_dir``; return the written paths in input order.

    ``processes=1`` renders in this process.  Otherwise a pool of *spawned* workers (never
    forked after WeasyPrint is loaded) each prepares fonts and CSS once, and is replaced after
    ``max_tasks_per_child`` reports to cap memory creep.  Each file is written atomically.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    names: set[str] = set()
    for context in contexts:
        name = output_name(context, kind)
        if name in names:
            raise ValueError(f"two reports would both be written to {name}")
        names.add(name)
        jobs.append((context, kind, str(folder / name)))
    workers = processes or os.cpu_count() or 1
    if workers <= 1 or len(jobs) <= 1:
        return [Path(_worker_render(job)) for job in jobs]
    workers = min(workers, len(jobs))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=_worker_init, max_tasks_per_child=max_tasks_per_child) as pool:
        # One report per task: a render takes ~1 s, so pickling is negligible and the load balances.
        return [Path(p) for p in pool.map(_worker_render, jobs, chunksize=1)]


class _CallableModule(types.ModuleType):
    """Lets ``pdf.render(context)`` work although ``pdf.render`` is also this module's name.

    Importing the submodule ``pdf.render`` rebinds the package attribute ``render`` to the
    module, so the module itself forwards calls to :func:`render`.
    """

    def __call__(self, context: ReportContext, kind: str = "clinician") -> bytes:
        return render(context, kind)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "KINDS", "PDF_OPTIONS", "Prepared", "RenderError", "environment", "logo_data_uri", "output_name",
    "pdf_from_html", "warm_up",
    "prepare", "render", "render_html", "render_many", "templates_dir", "write_pdf_atomic",
]
