"""NPRS (configurable band schemes) and the Central Sensitization Inventory."""

from __future__ import annotations

import pytest

from assessments.config import NPRS_SCHEMES, Config
from assessments.model import DECLINED, AnswerError
from assessments.scoring import score

# --------------------------------------------------------------------------- NPRS


@pytest.mark.parametrize(("worst", "label"), [
    (0, "no pain"), (1, "mild"), (4, "mild"), (5, "moderate"), (6, "moderate"), (7, "severe"), (10, "severe"),
])
def test_nprs_serlin_default_band_edges(worst, label):
    result = score("nprs", {"worst": worst, "average": 0})
    assert result.total == worst and result.band.label == label
    if worst:
        assert result.band.source.startswith(NPRS_SCHEMES["serlin-1995"][3])


@pytest.mark.parametrize(("scheme", "worst", "label"), [
    ("boonstra-2016", 5, "mild"), ("boonstra-2016", 6, "moderate"), ("boonstra-2016", 7, "moderate"),
    ("boonstra-2016", 8, "severe"),
    ("clinical-1-3", 3, "mild"), ("clinical-1-3", 4, "moderate"), ("clinical-1-3", 6, "moderate"),
    ("clinical-1-3", 7, "severe"),
])
def test_nprs_other_schemes_by_configuration(scheme, worst, label):
    result = score("nprs", {"worst": worst, "average": 1}, Config(nprs_scheme=scheme))
    assert result.band.label == label
    assert NPRS_SCHEMES[scheme][3] in result.band.source
    assert result.details["scheme"] == scheme


def test_nprs_worked_example_total_is_worst_pain():
    # worst 7 (severe), average 4 (mild), during the last run 5 (moderate): total = the worst anchor = 7
    result = score("nprs", {"worst": 7, "average": 4, "during_run": 5})
    assert result.total == 7 and result.band.label == "severe"
    assert dict(result.subscales) == {"worst": 7, "average": 4, "during_run": 5}
    assert result.details["total_anchor"] == "worst"
    assert {k: v["label"] for k, v in result.details["anchor_bands"].items()} == {
        "worst": "severe", "average": "mild", "during_run": "moderate"}
    assert result.range == (0, 10)


def test_nprs_missing_anchors():
    no_worst = score("nprs", {"average": 3})
    assert no_worst.total is None and no_worst.complete is False and no_worst.band is None
    assert no_worst.subscales["average"] == 3 and "worst" in no_worst.missing
    no_average = score("nprs", {"worst": 3})
    assert no_average.total == 3 and no_average.complete is True
    assert no_average.missing == ("average",)  # during_run is optional (not running at the moment)


def test_nprs_rejects_out_of_range_ratings():
    with pytest.raises(AnswerError) as exc:
        score("nprs", {"worst": 11, "average": -1, "during_run": 2.5})
    assert set(exc.value.errors) == {"worst", "average", "during_run"}


# --------------------------------------------------------------------------- CSI

def csi(total):
    """25 answers (each 0-4) summing to ``total``: spread as evenly as possible."""
    base, extra = divmod(total, 25)
    return {str(n): base + (1 if n <= extra else 0) for n in range(1, 26)}


def test_csi_minimum_and_maximum():
    assert score("csi", csi(0)).total == 0
    high = score("csi", csi(100))
    assert high.total == 100 and high.band.label == "extreme" and high.range == (0, 100)


@pytest.mark.parametrize(("total", "label"), [
    (0, "subclinical"), (29, "subclinical"), (30, "mild"), (39, "mild"), (40, "moderate"), (49, "moderate"),
    (50, "severe"), (59, "severe"), (60, "extreme"), (100, "extreme"),
])
def test_csi_neblett_levels(total, label):
    result = score("csi", csi(total))
    assert result.total == total and result.band.label == label
    assert "Neblett" in result.band.source and "2017" in result.band.source


def test_csi_worked_example():
    # ten items "sometimes" (2) and fifteen "rarely" (1): 10 x 2 + 15 x 1 = 35 -> mild (30-39)
    answers = {str(n): (2 if n <= 10 else 1) for n in range(1, 26)}
    result = score("csi", answers)
    assert result.total == 35 and result.band.label == "mild"


def test_csi_is_never_prorated():
    answers = csi(60)
    del answers["13"]
    result = score("csi", answers)
    assert result.total is None and result.band is None and result.missing == ("13",)


def test_csi_declined_sensitive_item_counts_as_missing():
    answers = csi(50) | {"24": DECLINED}
    result = score("csi", answers)
    assert result.total is None and result.missing == ("24",)
    assert any("Declined" in n and "24" in n for n in result.notes)
    with pytest.raises(AnswerError):  # only sensitive items may be declined
        score("csi", csi(50) | {"1": DECLINED})
