"""Rebuild the bundled font subsets and ``fonts.css`` in ``pdf/fonts/``.

Usage (``make fonts``)::

    apt-get install fonts-inter          # upstream Inter 4 OTFs, SIL OFL 1.1
    .venv/bin/python -m pdf.build_fonts  # needs fontTools (the "dev" extra)

The subsets keep only the characters a report can print (Latin, Latin Extended-A for
patients' names, typographic punctuation, arithmetic and the few symbols the templates use),
with kerning, ligatures and case-sensitive forms, tabular figures made the default (see
:func:`bake_tabular_figures`), and without hinting.
Smaller fonts load faster into Fontconfig and subset faster when WeasyPrint writes the PDF.
Text outside the subset falls back to the system fonts (see the stack in report.css).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .assets import FONT_FACES, FONTS_CSS_PATH, FONTS_DIR, font_face_css

SOURCE_DIR = Path("/usr/share/fonts/opentype/inter")

UNICODES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A (Polish, Czech, Turkish, ... names)
    (0x0218, 0x021B),  # Romanian comma-below letters
    (0x02BC, 0x02BC),  # modifier apostrophe
    (0x0394, 0x0394),  # Greek capital delta (change)
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x2030),  # per mille
    (0x2032, 0x2033),  # primes
    (0x2039, 0x203A),  # single guillemets
    (0x20AC, 0x20AC),  # euro
    (0x2116, 0x2116),  # numero
    (0x2122, 0x2122),  # trade mark
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus
    (0x2248, 0x2248),  # almost equal
    (0x2260, 0x2260),  # not equal
    (0x2264, 0x2265),  # less / greater or equal
    (0x25B2, 0x25B2),  # up triangle
    (0x25BC, 0x25BC),  # down triangle
    (0x25CF, 0x25CF),  # black circle
    (0x26A0, 0x26A0),  # warning sign
    (0x2713, 0x2713),  # check mark
    (0x2717, 0x2717),  # ballot x
)

FEATURES = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "case", "tnum", "pnum"]


def unicodes() -> list[int]:
    return [cp for lo, hi in UNICODES for cp in range(lo, hi + 1)]


def bake_tabular_figures(font) -> int:
    """Make tabular figures the default: point the character map at the glyphs the ``tnum``
    feature would substitute, so columns of numbers line up without the report's CSS asking for
    ``font-variant-numeric: tabular-nums``.  (Asking for a font feature costs WeasyPrint 70 a
    Pango attribute list per text layout that is never freed: about 0.2 MB per clinician
    report, measured in bench/bench_pdf.py.)  Returns the number of characters remapped."""
    gsub = font["GSUB"].table
    lookups = {index for record in gsub.FeatureList.FeatureRecord if record.FeatureTag == "tnum"
               for index in record.Feature.LookupListIndex}
    tabular: dict[str, str] = {}
    for index in sorted(lookups):
        lookup = gsub.LookupList.Lookup[index]
        for table in lookup.SubTable:
            if lookup.LookupType == 7:  # extension: the real subtable is inside
                table = table.ExtSubTable
            if getattr(table, "mapping", None):  # single substitution
                tabular.update(table.mapping)
    if not tabular:
        raise SystemExit("no tnum single substitutions found: is this Inter?")
    remapped = 0
    for cmap in font["cmap"].tables:
        for codepoint, glyph in list(cmap.cmap.items()):
            if glyph in tabular and chr(codepoint).isdigit():
                cmap.cmap[codepoint] = tabular[glyph]
                remapped += 1
    return remapped


def subset_font(source: Path, target: Path) -> int:
    """Write the subset of ``source`` to ``target``; return its size in bytes."""
    from fontTools import subset  # dev dependency, imported only here

    options = subset.Options()
    options.layout_features = FEATURES
    options.hinting = False
    options.desubroutinize = False
    options.name_IDs = ["*"]          # keep copyright, licence and names (OFL condition 2)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    font = subset.load_font(str(source), options)
    bake_tabular_figures(font)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes())
    subsetter.subset(font)
    subset.save_font(font, str(target), options)
    return target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR,
                        help="folder holding the upstream Inter OTF files (default: %(default)s)")
    args = parser.parse_args(argv)
    for face in FONT_FACES:
        source = args.source_dir / face.source
        if not source.is_file():
            print(f"missing {source}: apt-get install fonts-inter, or pass --source-dir", file=sys.stderr)
            return 1
        size = subset_font(source, FONTS_DIR / face.file)
        print(f"{face.file}: {size / 1024:.1f} KiB (from {source.stat().st_size / 1024:.0f} KiB)")
    FONTS_CSS_PATH.write_text(
        "/* Generated by pdf/build_fonts.py: the bundled fonts for the HTML preview. */\n"
        + font_face_css(""),
        encoding="utf-8",
    )
    print(f"wrote {FONTS_CSS_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
