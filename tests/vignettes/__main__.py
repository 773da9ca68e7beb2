"""``python -m tests.vignettes [-v]``: run every vignette through validation and triage and print
red-flag sensitivity, non-urgent specificity and tier-within-range."""

from __future__ import annotations

import sys

from .run import evaluate


def main(argv: list[str]) -> int:
    report = evaluate()
    verbose = "-v" in argv
    for row in report.rows:
        if verbose or not row.within:
            mark = "ok " if row.within else "OUT"
            print(f"{mark} {row.vignette.id:<28} {row.vignette.kind:<10} expected {row.vignette.low}-"
                  f"{row.vignette.high:<4} got {row.tier:<4} [{', '.join(row.rule_ids)}]")
    print(f"vignettes: {len(report.rows)} ({report.red_flag_total} red-flag, {report.non_urgent_total} non-urgent)")
    print(f"red-flag sensitivity: {report.caught}/{report.red_flag_total} = {report.sensitivity:.1%}")
    print(f"non-urgent specificity: {report.specific}/{report.non_urgent_total} = {report.specificity:.1%}")
    print(f"tier within expected range: {report.within}/{len(report.rows)} = {report.within_rate:.1%}")
    return 0 if report.sensitivity == 1.0 and report.specificity >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
