"""PDF report benchmarks (ARCHITECTURE.md "Performance budgets"), printed as Markdown.

1. The demo clinician report: the prepared path (``pdf.render.pdf_from_html``: fetcher, fonts
   and parsed CSS built once per process) against WeasyPrint's defaults on the same HTML (plain
   ``HTML(string=..., base_url=...)`` with ``<link>``ed stylesheets, default fetcher, a fresh
   font configuration every time), runs interleaved, medians.  Budget: <= 0.6x the default.
   The defaults are timed twice: with no options at all, and with ``pdf_variant="pdf/ua-1"``
   (the same tagged output the prepared path produces).
2. 200 consecutive renders in one process.  Budget: RSS grows by < 50 MB.
3. Bulk export of 100 reports with ``render_many``: 2 processes against 1.  Budget: >= 1.7x.

Run: ``.venv/bin/python bench/bench_pdf.py`` (about 8 minutes on 2 cores); ``--quick`` for a
smoke run.  Timings are wall clock (``perf_counter``) and CPU time of this process
(``process_time``), since other work on a shared machine inflates wall clock.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from pdf.assets import PACKAGE_DIR  # noqa: E402
from pdf.render import pdf_from_html, prepare, render, render_html, render_many  # noqa: E402
from pdf.sample import sample_context, sample_contexts  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _upstream_font_tree() -> str | None:
    """A copy of the report assets whose ``fonts.css`` points at Debian's fonts-inter files (the
    fonts the bundled subsets are cut from), or None when that package is not installed."""
    from pdf.assets import FONT_FACES, FONTS_CSS_PATH, STYLESHEET_PATH
    from pdf.build_fonts import SOURCE_DIR

    if not all((SOURCE_DIR / face.source).exists() for face in FONT_FACES):
        return None
    folder = Path(tempfile.mkdtemp(prefix="bench-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "fonts").mkdir()
    (folder / "static").mkdir()
    (folder / "static" / "report.css").write_text(STYLESHEET_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    css = FONTS_CSS_PATH.read_text(encoding="utf-8")
    for face in FONT_FACES:
        css = css.replace(f'url("{face.file}")', f'url("{(SOURCE_DIR / face.source).as_uri()}")')
    (folder / "fonts" / "fonts.css").write_text(css, encoding="utf-8")
    return str(folder) + os.sep


def bench_prepared_vs_default(runs: int) -> list[str]:
    context = sample_context()
    html = render_html(context, "clinician")
    linked = render_html(context, "clinician", stylesheet_urls=["fonts/fonts.css", "static/report.css"])
    base_url = str(PACKAGE_DIR) + os.sep

    variants = {
        "prepared (PDF/UA-1)": lambda: pdf_from_html(html),
        "WeasyPrint defaults": lambda: weasyprint.HTML(string=linked, base_url=base_url).write_pdf(),
        "WeasyPrint defaults + PDF/UA-1": lambda: weasyprint.HTML(string=linked, base_url=base_url).write_pdf(
            pdf_variant="pdf/ua-1"),
    }
    upstream = _upstream_font_tree()
    if upstream:  # the same HTML and CSS with Inter as distributed: no subset prepared ahead of time
        variants["WeasyPrint defaults, upstream Inter fonts"] = (
            lambda: weasyprint.HTML(string=linked, base_url=upstream).write_pdf())
    prepare()
    pages = {}
    for name, fn in variants.items():  # warm-up: imports, caches, and checks both paths work
        pages[name] = len(PdfReader(io.BytesIO(fn())).pages)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, fn in variants.items():
            wall, cpu, _ = timed(fn)
            samples[name].append((wall, cpu))
    med = {name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
           for name, s in samples.items()}
    prepared = med["prepared (PDF/UA-1)"]
    lines = [
        f"Demo clinician report, {pages['prepared (PDF/UA-1)']} A4 pages; {runs} runs of each variant, "
        "interleaved; medians.",
        "",
        "| variant | pages | wall median | CPU median | prepared / this (wall) | prepared / this (CPU) |",
        "|---|---|---|---|---|---|",
    ]
    for name, (wall, cpu) in med.items():
        lines.append(f"| {name} | {pages[name]} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | "
                     f"{prepared[0] / wall:.2f}x | {prepared[1] / cpu:.2f}x |")
    if not upstream:
        lines += ["", "(Not measured against the upstream Inter fonts: `apt-get install fonts-inter` adds that row.)"]
    short = sample_context()
    html_p = render_html(short, "patient")
    linked_p = render_html(short, "patient", stylesheet_urls=["fonts/fonts.css", "static/report.css"])
    p_samples: dict[str, list[float]] = {"prepared": [], "default": []}
    pdf_from_html(html_p)
    for _ in range(runs):
        p_samples["prepared"].append(timed(lambda: pdf_from_html(html_p))[1])
        p_samples["default"].append(timed(lambda: weasyprint.HTML(string=linked_p, base_url=base_url).write_pdf(
            pdf_variant="pdf/ua-1"))[1])
    pp, pd = statistics.median(p_samples["prepared"]), statistics.median(p_samples["default"])
    lines += ["", f"For comparison, the 2-page patient summary (CPU medians, both PDF/UA-1): prepared "
                  f"{pp * 1000:.0f} ms, defaults {pd * 1000:.0f} ms, ratio {pp / pd:.2f}x."]
    return lines


def bench_memory(renders: int) -> list[str]:
    context = sample_context()
    start = rss_mb()
    render(context)
    warm = rss_mb()
    checkpoints = []
    for i in range(1, renders + 1):
        render(context)
        if i in (50, 100, 150, renders):
            checkpoints.append(f"{i}: {rss_mb():.0f} MB")
    end = rss_mb()
    return [f"{renders} consecutive clinician-report renders in one process: RSS {start:.0f} MB before the "
            f"first render, {warm:.0f} MB after it, {end:.0f} MB at the end (after {'; '.join(checkpoints)}). "
            f"Growth over the {renders} renders: **{end - warm:.1f} MB** (budget < 50 MB; "
            f"{end - start:.1f} MB counting the first render's one-off font and cache loading)."]


def bench_bulk(reports: int) -> list[str]:
    contexts = sample_contexts(reports)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for processes in (1, 2):
            out = Path(tmp) / f"p{processes}"
            before_self = resource.getrusage(resource.RUSAGE_SELF)
            before_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, _, paths = timed(lambda p=processes, o=out: render_many(contexts, o, processes=p))
            after_self = resource.getrusage(resource.RUSAGE_SELF)
            after_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = sum(getattr(after, f) - getattr(before, f)
                      for after, before in ((after_self, before_self), (after_kids, before_kids))
                      for f in ("ru_utime", "ru_stime"))
            assert len(paths) == reports and all(path.stat().st_size > 10_000 for path in paths)
            results[processes] = (wall, cpu)
    (one, cpu1), (two, cpu2) = results[1], results[2]
    return [f"`render_many` of {reports} clinician reports (wall clock; the 1-process run renders in this "
            f"already-warm process, the 2-process run includes spawning and warming its workers): "
            f"1 process {one:.1f} s ({reports / one:.2f} reports/s), 2 processes {two:.1f} s "
            f"({reports / two:.2f} reports/s): **{one / two:.2f}x** (budget >= 1.7x). "
            f"CPU time spent: {cpu1:.0f} s with 1 process, {cpu2:.0f} s with 2 "
            f"({cpu1 / reports:.2f} vs {cpu2 / reports:.2f} s per report)."]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="3 runs, 20 renders, 6 reports")
    parser.add_argument("--only", choices=("compare", "memory", "bulk"), action="append",
                        help="run only these parts (repeatable)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.renders, args.reports = 3, 20, 6
    load = os.getloadavg()
    print(f"## PDF reports\n\n`bench/bench_pdf.py` on {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, WeasyPrint {weasyprint.__version__}; load average at start "
          f"{load[0]:.2f}.\n")
    parts = args.only or ["compare", "memory", "bulk"]
    if "compare" in parts:
        print("### Prepared path against WeasyPrint's defaults\n")
        print("\n".join(bench_prepared_vs_default(args.runs)))
    if "memory" in parts:
        print("\n### Memory\n")
        print("\n".join(bench_memory(args.renders)))
    if "bulk" in parts:
        print("\n### Bulk export\n")
        print("\n".join(bench_bulk(args.reports)))
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
