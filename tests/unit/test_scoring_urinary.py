"""ICIQ-UI SF and Sandvik severity index: range, band edges, missing data, worked examples."""

from __future__ import annotations

import pytest

from assessments.config import Config
from assessments.model import AnswerError
from assessments.scoring import score

KLOVNING_OFF = Config(klovning_bands=False)
SANDVIK_2000 = Config(sandvik_version="2000")


def iciq(q3, q4, q5, **extra):
    return {"3": q3, "4": q4, "5": q5, **extra}


# --------------------------------------------------------------------------- ICIQ-UI SF

def test_iciq_minimum_and_maximum():
    low = score("iciq-ui-sf", iciq(0, 0, 0))
    assert (low.total, low.complete, low.band.label) == (0, True, "no leakage")
    high = score("iciq-ui-sf", iciq(5, 6, 10))
    assert (high.total, high.band.label) == (5 + 6 + 10, "very severe")
    assert low.range == high.range == (0, 21)


@pytest.mark.parametrize(("q3", "q4", "q5", "total", "label"), [
    (0, 0, 0, 0, "no leakage"),
    (1, 0, 0, 1, "slight"),        # lower edge of slight
    (1, 4, 0, 5, "slight"),        # upper edge of slight
    (0, 6, 0, 6, "moderate"),      # lower edge of moderate
    (2, 4, 6, 12, "moderate"),     # upper edge of moderate
    (3, 4, 6, 13, "severe"),       # lower edge of severe
    (4, 4, 10, 18, "severe"),      # upper edge of severe
    (5, 4, 10, 19, "very severe"),  # lower edge of very severe
    (5, 6, 10, 21, "very severe"),
])
def test_iciq_klovning_band_edges(q3, q4, q5, total, label):
    result = score("iciq-ui-sf", iciq(q3, q4, q5))
    assert result.total == total == q3 + q4 + q5
    assert result.band.label == label
    assert "Klovning" in result.band.source and "third-party" in result.band.source.lower()


def test_iciq_worked_example():
    # Q3 "about once a day" = 3, Q4 "a moderate amount" = 4, Q5 = 7  ->  3 + 4 + 7 = 14 (severe, 13-18)
    result = score("iciq-ui-sf", iciq(3, 4, 7))
    assert result.total == 14
    assert result.band.label == "severe"


def test_iciq_bands_only_when_configured():
    result = score("iciq-ui-sf", iciq(3, 4, 7), KLOVNING_OFF)
    assert result.total == 14 and result.band is None
    assert any("klovning_bands" in n for n in result.notes)


@pytest.mark.parametrize("absent", ["3", "4", "5"])
def test_iciq_any_scored_item_missing_gives_no_total(absent):
    answers = iciq(5, 6, 10)
    del answers[absent]
    result = score("iciq-ui-sf", answers)
    assert result.total is None and result.complete is False and result.band is None
    assert absent in result.missing


def test_iciq_q6_missing_does_not_block_the_total():
    result = score("iciq-ui-sf", iciq(1, 2, 3))
    assert result.total == 6 and result.complete is True
    assert result.missing == ("6",)
    assert result.details["leakage_type"] is None


@pytest.mark.parametrize(("situations", "kind", "review"), [
    (["cough_sneeze"], "stress", False),
    (["active"], "stress", False),
    (["before_toilet"], "urgency", False),
    (["before_toilet", "active"], "mixed", False),
    (["cough_sneeze", "before_toilet", "asleep"], "mixed", True),
    (["after_voiding"], "other", False),
    (["no_reason"], "other", True),
    (["all_time"], "other", True),
    (["never"], "none", False),
])
def test_iciq_q6_leakage_type_and_medical_review(situations, kind, review):
    result = score("iciq-ui-sf", iciq(2, 2, 2, **{"6": situations}))
    assert result.details["leakage_type"] == kind
    assert result.details["medical_review"] is review
    assert result.total == 6  # Q6 is never scored


def test_iciq_q6_inconsistencies_are_noted():
    result = score("iciq-ui-sf", iciq(2, 2, 2, **{"6": ["never", "active"]}))
    assert result.details["leakage_type"] == "stress"
    assert any("never" in n for n in result.notes)
    result = score("iciq-ui-sf", iciq(2, 2, 2, **{"6": ["never"]}))
    assert any("never leaks" in n for n in result.notes)


def test_iciq_rejects_bad_answers_naming_every_item():
    with pytest.raises(AnswerError) as exc:
        score("iciq-ui-sf", {"3": 9, "4": 1, "5": 11, "6": ["flying"], "7": 1})
    assert set(exc.value.errors) == {"3", "4", "5", "6", "7"}


def test_iciq_numeric_codes_may_arrive_as_floats():
    assert score("iciq-ui-sf", iciq(3.0, 4.0, 7)).total == 14


# --------------------------------------------------------------------------- Sandvik ISI

@pytest.mark.parametrize(("frequency", "amount", "index", "label"), [
    (0, None, 0, "dry"),        # never leaks: amount not asked
    (1, 1, 1, "slight"),        # 1 x drops
    (2, 1, 2, "slight"),        # upper edge of slight
    (1, 3, 2, "slight"),        # 1 x more (2)
    (3, 1, 3, "moderate"),      # lower edge of moderate
    (4, 2, 4, "moderate"),      # small splashes count as "a little" (1) in 1993: 4 x 1
    (2, 3, 4, "moderate"),      # upper edge of moderate: 2 x 2
    (3, 3, 6, "severe"),        # lower edge of severe: 3 x 2
    (4, 3, 8, "severe"),        # maximum: 4 x 2
])
def test_sandvik_1993_default(frequency, amount, index, label):
    answers = {"frequency": frequency} | ({"amount": amount} if amount else {})
    result = score("sandvik-isi", answers)
    assert (result.total, result.band.label) == (index, label)
    assert result.range == (0, 8)
    assert result.details["index_version"] == "1993"
    assert "1993" in result.band.source


@pytest.mark.parametrize(("frequency", "amount", "index", "label"), [
    (0, None, 0, "dry"),
    (1, 1, 1, "slight"),
    (2, 1, 2, "slight"),        # upper edge of slight
    (3, 1, 3, "moderate"),      # lower edge of moderate
    (2, 3, 6, "moderate"),      # upper edge of moderate: 2 x 3
    (4, 2, 8, "severe"),        # lower edge of severe: 4 x 2
    (3, 3, 9, "severe"),        # upper edge of severe
    (4, 3, 12, "very severe"),  # maximum: 4 x 3
])
def test_sandvik_2000_by_configuration(frequency, amount, index, label):
    answers = {"frequency": frequency} | ({"amount": amount} if amount else {})
    result = score("sandvik-isi", answers, SANDVIK_2000)
    assert (result.total, result.band.label) == (index, label)
    assert result.range == (0, 12)
    assert result.details["index_version"] == "2000"
    assert "[M]" in result.band.source


def test_sandvik_worked_example_under_both_versions():
    # leaks a few times a week (3) with small splashes: 1993 3 x 1 = 3 moderate; 2000 3 x 2 = 6 moderate
    answers = {"frequency": 3, "amount": 2}
    assert score("sandvik-isi", answers).total == 3
    assert score("sandvik-isi", answers, SANDVIK_2000).total == 6


def test_sandvik_missing_items():
    assert score("sandvik-isi", {}).total is None
    result = score("sandvik-isi", {"frequency": 2})
    assert result.total is None and result.complete is False and result.missing == ("amount",)
    result = score("sandvik-isi", {"frequency": 0})
    assert result.total == 0 and result.missing == ()


def test_sandvik_amount_is_dropped_when_urine_never_leaks():
    result = score("sandvik-isi", {"frequency": 0, "amount": 3})
    assert result.total == 0
