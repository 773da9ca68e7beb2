"""Report rendering: clinician report and patient summary as HTML and tagged PDF.

Public API (importing :mod:`pdf` is cheap; WeasyPrint loads on first render):

* context types - :class:`ReportContext` and its parts (:mod:`pdf.context`), built by the web
  layer from stored, already-scored assessments; :func:`pdf.sample.sample_context` is a demo;
* :func:`render_html`, :func:`render`, :func:`write_pdf_atomic`, :func:`render_many`,
  :class:`RenderError` (:mod:`pdf.render`);
* :data:`STYLESHEET_PATH`, :data:`ASSETS` - the files the web layer serves for the preview.

This package imports neither Flask nor SQLAlchemy (``tests/unit/test_pdf_purity.py``).
"""

from __future__ import annotations

from typing import Any

from .assets import ASSETS, FONTS_CSS_PATH, FONTS_DIR, STATIC_DIR, STYLESHEET_PATH
from .context import (
    TIERS,
    Assessment,
    Cat2,
    Clinic,
    DomainTier,
    ExamFindings,
    Gate,
    GateTest,
    InstrumentResult,
    ItemAnswer,
    Logo,
    Patient,
    PopQ,
    Reason,
    Recommendation,
    RedFlag,
    ReportContext,
    ReturnToRun,
    Section,
    SignOff,
    Statement,
    Subscale,
    Trend,
    TrendPoint,
)
from .trends import judge_change

_RENDER_NAMES = ("RenderError", "pdf_from_html", "prepare", "render", "render_html", "render_many",
                 "warm_up", "write_pdf_atomic")

__all__ = [
    "ASSETS", "FONTS_CSS_PATH", "FONTS_DIR", "STATIC_DIR", "STYLESHEET_PATH", "TIERS", "Assessment",
    "Cat2", "Clinic", "DomainTier", "ExamFindings", "Gate", "GateTest", "InstrumentResult", "ItemAnswer",
    "Logo", "Patient", "PopQ", "Reason", "Recommendation", "RedFlag", "ReportContext", "ReturnToRun",
    "Section", "SignOff", "Statement", "Subscale", "Trend", "TrendPoint", "judge_change", *_RENDER_NAMES,
]


def __getattr__(name: str) -> Any:
    # Lazy: WeasyPrint (and Pango) load on first use, not on ``import pdf``.  Once the
    # submodule is imported, ``pdf.render`` is that module, which is callable (it forwards to
    # ``pdf.render.render``), so ``pdf.render(context)`` always works.
    if name in _RENDER_NAMES:
        import importlib
        module = importlib.import_module(".render", __name__)
        return module if name == "render" else getattr(module, name)
    raise AttributeError(f"module 'pdf' has no attribute {name!r}")
