"""Wexner (Cleveland Clinic) and St Mark's (Vaizey) incontinence scores."""

from __future__ import annotations

import pytest

from assessments import model
from assessments.model import AnswerError
from assessments.scoring import score

WEXNER = ["solid", "liquid", "gas", "pad", "lifestyle"]
ST_MARKS = ["solid", "liquid", "gas", "lifestyle", "pad", "medicines", "urgency"]


def test_wexner_minimum_maximum_and_no_bands():
    low = score("wexner", dict.fromkeys(WEXNER, 0))
    high = score("wexner", dict.fromkeys(WEXNER, 4))
    assert (low.total, high.total) == (0, 20)
    assert low.range == (0, 20)
    assert low.band is None and high.band is None


def test_wexner_worked_example_above_ten_is_a_note_not_a_band():
    # solid rarely 1 + liquid usually 3 + gas always 4 + pad sometimes 2 + lifestyle sometimes 2 = 12
    result = score("wexner", {"solid": 1, "liquid": 3, "gas": 4, "pad": 2, "lifestyle": 2})
    assert result.total == 12 and result.band is None
    assert any("above 10" in n and "Not a band" in n for n in model.get("wexner").notes)


@pytest.mark.parametrize("absent", WEXNER)
def test_wexner_missing_item_gives_no_total(absent):
    answers = dict.fromkeys(WEXNER, 1)
    del answers[absent]
    result = score("wexner", answers)
    assert result.total is None and result.missing == (absent,)


def test_st_marks_minimum_and_maximum():
    low = {"solid": 0, "liquid": 0, "gas": 0, "lifestyle": 0, "pad": 0, "medicines": 0, "urgency": 0}
    high = {"solid": 4, "liquid": 4, "gas": 4, "lifestyle": 4, "pad": 2, "medicines": 2, "urgency": 4}
    assert score("st-marks", low).total == 0
    assert score("st-marks", high).total == 4 * 4 + 2 + 2 + 4 == 24
    assert score("st-marks", low).range == (0, 24)


def test_st_marks_worked_example():
    # solid rarely 1 + liquid weekly 3 + gas daily 4 + lifestyle sometimes 2
    # + pad yes 2 + medicines no 0 + cannot defer 15 min yes 4 = 16
    answers = {"solid": 1, "liquid": 3, "gas": 4, "lifestyle": 2, "pad": 2, "medicines": 0, "urgency": 4}
    result = score("st-marks", answers)
    assert result.total == 16 and result.band is None


@pytest.mark.parametrize("absent", ST_MARKS)
def test_st_marks_missing_item_gives_no_total(absent):
    answers = {"solid": 1, "liquid": 1, "gas": 1, "lifestyle": 1, "pad": 2, "medicines": 2, "urgency": 4}
    del answers[absent]
    result = score("st-marks", answers)
    assert result.total is None and result.complete is False and result.missing == (absent,)


def test_st_marks_yes_no_items_only_take_their_published_codes():
    with pytest.raises(AnswerError) as exc:
        score("st-marks", {"pad": 1, "medicines": 4, "urgency": 2})
    assert set(exc.value.errors) == {"pad", "medicines", "urgency"}
