"""The report's packaged assets: one allowlist shared by the URL fetcher and the web layer.

Nothing outside :data:`ASSETS` can be fetched while rendering a PDF (see :mod:`pdf.fetcher`),
and the web layer serves exactly these files for the in-app HTML preview, e.g. with a route
``/report-assets/<path:name>`` that looks ``name`` up in :data:`ASSETS` (404 when absent).
Names are relative URLs, so ``fonts/fonts.css`` finds its fonts beside it under the same prefix
(and, on disk, beside it in ``pdf/fonts/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR / "fonts"
STATIC_DIR = PACKAGE_DIR / "static"
STYLESHEET_PATH = STATIC_DIR / "report.css"
"""The report stylesheet (no URLs in it): linked by the preview page, pre-parsed for PDFs."""
FONTS_CSS_PATH = FONTS_DIR / "fonts.css"
"""``@font-face`` rules with URLs relative to itself (the font files beside it), for the preview."""

ASSET_SCHEME = "asset"
"""URL scheme the fetcher serves, e.g. ``asset:fonts/inter-regular.otf``."""

FONT_FAMILY = "Report Sans"
"""CSS family name of the bundled font.  Unique on purpose: if the bundled files failed to
load, a system "Inter" could not silently stand in (WeasyPrint warns, and the tests fail)."""


@dataclass(frozen=True)
class FontFace:
    file: str        # file name in pdf/fonts/
    source: str      # file name of the upstream font (Debian package fonts-inter)
    weight: int
    style: str       # "normal" | "italic"


FONT_FACES: tuple[FontFace, ...] = (
    FontFace("inter-regular.otf", "Inter-Regular.otf", 400, "normal"),
    FontFace("inter-italic.otf", "Inter-Italic.otf", 400, "italic"),
    FontFace("inter-semibold.otf", "Inter-SemiBold.otf", 600, "normal"),
    FontFace("inter-bold.otf", "Inter-Bold.otf", 700, "normal"),
)

ASSETS: dict[str, Path] = {
    "report.css": STYLESHEET_PATH,
    "fonts/fonts.css": FONTS_CSS_PATH,
    **{f"fonts/{face.file}": FONTS_DIR / face.file for face in FONT_FACES},
}
"""Public name -> file on disk.  The complete list of what a report may load."""

MIME_TYPES = {".css": "text/css", ".otf": "font/otf"}


def font_face_css(url_prefix: str) -> str:
    """``@font-face`` rules for the bundled fonts, each ``src`` being ``url_prefix + file``."""
    rules = []
    for face in FONT_FACES:
        rules.append(
            "@font-face {\n"
            f'  font-family: "{FONT_FAMILY}";\n'
            f'  src: url("{url_prefix}{face.file}") format("opentype");\n'
            f"  font-weight: {face.weight};\n"
            f"  font-style: {face.style};\n"
            "}\n"
        )
    return "".join(rules)
