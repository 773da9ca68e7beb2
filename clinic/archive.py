"""The signed-document archive and isolated report rendering.

Signing renders both PDFs (clinician report and patient summary) from the data as it is signed and
stores them as :class:`~clinic.models.SignedDocument` rows: bytes, SHA-256, the report template
and rulebook versions, and the report data (trends included).  A signed version is never rendered
again: downloading it serves the stored bytes.

Rendering runs in a separate process (:func:`render_isolated`): started from a clean fork server,
at low CPU priority (so pages stay responsive while reports render), under an address-space cap
(``RENDER_MEMORY_MB``) and a wall-clock timeout (``RENDER_TIMEOUT_SECONDS``) after which it is
killed.  No database transaction is held while it runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import logging
import multiprocessing
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

import pdf

log = logging.getLogger("clinic.archive")

KINDS = ("clinician", "patient")
_ASSESSMENTS_DIR = Path(__file__).resolve().parent.parent / "assessments"
_PDF_DIR = Path(__file__).resolve().parent.parent / "pdf"


class RenderFailed(RuntimeError):
    """The reports could not be made; ``str()`` is safe to show to the clinician."""


def _digest(files: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def template_version() -> str:
    """A fingerprint of the report templates and stylesheet the PDFs are made with."""
    root = Path(pdf.render.templates_dir())
    files = [p for p in root.rglob("*.html")] + [p for p in (_PDF_DIR / "static").glob("*.css")]
    return "tpl-" + _digest(files, root.parent)


@lru_cache(maxsize=1)
def rulebook_version() -> str:
    """A fingerprint of the clinical core: rules, scoring, triage and instrument definitions."""
    files = [p for p in _ASSESSMENTS_DIR.rglob("*") if p.suffix in (".py", ".json") and p.is_file()]
    return "rules-" + _digest(files, _ASSESSMENTS_DIR.parent)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "size": len(value)}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def context_data(context: pdf.ReportContext) -> dict[str, Any]:
    """The report data as it was signed, JSON-safe (images by hash and size)."""
    return _plain(context)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- isolated rendering

def _child(conn, context: pdf.ReportContext, kinds: tuple[str, ...], memory_mb: int) -> None:
    """In the render process: lower priority, cap memory, render, send the bytes back."""
    import resource

    try:
        os.nice(10)
    except OSError:
        pass
    from pdf import render as _loaded  # noqa: F401  (WeasyPrint and Pango load before the cap, not under it)

    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        out = {kind: pdf.render(context, kind) for kind in kinds}
    except MemoryError:
        conn.send(("error", "The report needed more memory than reports are allowed."))
    except pdf.RenderError as exc:
        conn.send(("error", str(exc)))
    except Exception:  # noqa: BLE001 - reported to the parent as a failed render
        conn.send(("error", "The report could not be produced."))
    else:
        conn.send(("ok", out))
    finally:
        conn.close()


@lru_cache(maxsize=1)
def _mp():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pdf", "pdf.render", "clinic.archive"])  # WeasyPrint loaded before any cap
    return ctx


def render_isolated(context: pdf.ReportContext, kinds: tuple[str, ...] = KINDS, *,
                    timeout: float | None = None, memory_mb: int | None = None) -> dict[str, bytes]:
    """Render ``kinds`` in a separate, capped, killable process; raise :class:`RenderFailed`."""
    cfg = current_app.config if _has_app() else {}
    timeout = timeout if timeout is not None else cfg.get("RENDER_TIMEOUT_SECONDS", 60)
    memory_mb = memory_mb if memory_mb is not None else cfg.get("RENDER_MEMORY_MB", 1536)
    ctx = _mp()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, context, tuple(kinds), memory_mb), daemon=True,
                       name="phat-render")
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            proc.kill()
            log.error("report render killed after %ss report=%s", timeout, context.report_id)
            raise RenderFailed("Making the report took too long, so it was stopped. Please try again; if it "
                               "keeps happening, tell your administrator.")
        try:
            status, payload = parent.recv()
        except (EOFError, OSError):
            raise RenderFailed("The report renderer stopped unexpectedly. Please try again; if it keeps "
                               "happening, tell your administrator.") from None
    finally:
        parent.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    if status != "ok":
        log.error("report render failed report=%s: %s", context.report_id, payload)
        raise RenderFailed(f"{payload} Please try again; if it keeps happening, tell your administrator.")
    return payload


def _has_app() -> bool:
    from flask import has_app_context

    return has_app_context()
