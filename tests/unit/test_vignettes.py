"""The vignette suite (tests/vignettes): 100 % red-flag sensitivity and at least 95 % non-urgent
specificity, over at least 60 vignettes of which at least 15 are non-urgent runners."""

from __future__ import annotations

from tests.vignettes.__main__ import main
from tests.vignettes.cases import VIGNETTES
from tests.vignettes.run import evaluate


def test_suite_size():
    assert len(VIGNETTES) >= 60
    assert len({v.id for v in VIGNETTES}) == len(VIGNETTES)
    assert sum(v.kind == "non_urgent" and v.runner for v in VIGNETTES) >= 15


def test_every_red_flag_vignette_is_caught():
    report = evaluate()
    missed = [r.vignette.id for r in report.rows if r.vignette.kind == "red_flag" and not r.caught]
    assert missed == [] and report.sensitivity == 1.0


def test_non_urgent_specificity_at_least_95_percent():
    report = evaluate()
    assert report.specificity >= 0.95, [r.vignette.id for r in report.rows if not r.specific]


def test_command_prints_the_three_figures(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for label in ("red-flag sensitivity", "non-urgent specificity", "tier within expected range"):
        assert label in out
