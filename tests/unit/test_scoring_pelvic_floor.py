"""PFDI-20, PFIQ-7 and POP-SS: range, missing-data rules and worked examples."""

from __future__ import annotations

import pytest

from assessments.scoring import score

POPDI = [str(n) for n in range(1, 7)]
CRADI = [str(n) for n in range(7, 15)]
UDI = [str(n) for n in range(15, 21)]


def pfdi(popdi, cradi, udi):
    answers = {}
    for ids, values in ((POPDI, popdi), (CRADI, cradi), (UDI, udi)):
        for iid, value in zip(ids, values, strict=False):
            if value is not None:
                answers[iid] = value
    return answers


# --------------------------------------------------------------------------- PFDI-20

def test_pfdi_minimum_and_maximum():
    low = score("pfdi-20", pfdi([0] * 6, [0] * 8, [0] * 6))
    assert low.total == 0 and dict(low.subscales) == {"POPDI-6": 0, "CRADI-8": 0, "UDI-6": 0}
    high = score("pfdi-20", pfdi([4] * 6, [4] * 8, [4] * 6))
    assert high.total == 300 and dict(high.subscales) == {"POPDI-6": 100, "CRADI-8": 100, "UDI-6": 100}
    assert low.range == (0, 300) and high.band is None  # no bands are published


def test_pfdi_worked_example():
    # POPDI-6: (1 + 2 + 0 + 0 + 3 + 2) / 6 x 25 = 8/6 x 25 = 33.33
    # CRADI-8: 0
    # UDI-6:   (4 + 4 + 2 + 2 + 0 + 0) / 6 x 25 = 2 x 25 = 50
    # total:   200/6 + 0 + 50 = 83.33
    result = score("pfdi-20", pfdi([1, 2, 0, 0, 3, 2], [0] * 8, [4, 4, 2, 2, 0, 0]))
    assert dict(result.subscales) == {"POPDI-6": 33.33, "CRADI-8": 0, "UDI-6": 50}
    assert result.total == 83.33
    assert result.complete is True and result.missing == ()


def test_pfdi_subscale_uses_the_mean_of_answered_items():
    # POPDI-6 with 3 of 6 answered (the minimum): (2 + 2 + 3) / 3 x 25 = 58.33
    result = score("pfdi-20", pfdi([2, 2, 3, None, None, None], [0] * 8, [0] * 6))
    assert result.subscales["POPDI-6"] == 58.33
    assert result.total == 58.33 and result.complete is True
    assert result.missing == ("4", "5", "6")


@pytest.mark.parametrize(("name", "answers"), [
    ("POPDI-6", pfdi([1, 1, None, None, None, None], [0] * 8, [0] * 6)),   # 2 of 6 < 3
    ("CRADI-8", pfdi([0] * 6, [1, 1, 1, None, None, None, None, None], [0] * 6)),  # 3 of 8 < 4
    ("UDI-6", pfdi([0] * 6, [0] * 8, [4, 4, None, None, None, None])),   # 2 of 6 < 3
])
def test_pfdi_subscale_needs_half_its_items_and_total_needs_all_subscales(name, answers):
    result = score("pfdi-20", answers)
    assert result.subscales[name] is None
    assert result.total is None and result.complete is False


@pytest.mark.parametrize(("name", "answers", "value"), [
    ("CRADI-8", pfdi([0] * 6, [1, 1, 1, 1, None, None, None, None], [0] * 6), 25),  # 4 of 8: 1 x 25
    ("UDI-6", pfdi([0] * 6, [0] * 8, [4, 4, 4, None, None, None]), 100),          # 3 of 6: 4 x 25
])
def test_pfdi_half_answered_is_enough(name, answers, value):
    result = score("pfdi-20", answers)
    assert result.subscales[name] == value and result.total == value


# --------------------------------------------------------------------------- PFIQ-7

def pfiq(uiq, craiq, popiq):
    answers = {}
    for prefix, values in (("uiq", uiq), ("craiq", craiq), ("popiq", popiq)):
        for n, value in enumerate(values, 1):
            if value is not None:
                answers[f"{prefix}_{n}"] = value
    return answers


def test_pfiq_minimum_and_maximum():
    assert score("pfiq-7", pfiq([0] * 7, [0] * 7, [0] * 7)).total == 0
    high = score("pfiq-7", pfiq([3] * 7, [3] * 7, [3] * 7))
    assert high.total == 300  # each scale 3 x 100/3 = 100
    assert dict(high.subscales) == {"UIQ-7": 100, "CRAIQ-7": 100, "POPIQ-7": 100}
    assert high.range == (0, 300) and high.band is None


def test_pfiq_worked_example():
    # UIQ-7:   7 x 1 / 7 x 100/3 = 33.33
    # CRAIQ-7: 0
    # POPIQ-7: (3 + 3) / 7 x 100/3 = 600/21 = 28.57
    # total:   100/3 + 200/7 = 1300/21 = 61.90
    result = score("pfiq-7", pfiq([1] * 7, [0] * 7, [3, 3, 0, 0, 0, 0, 0]))
    assert dict(result.subscales) == {"UIQ-7": 33.33, "CRAIQ-7": 0, "POPIQ-7": 28.57}
    assert result.total == 61.9


def test_pfiq_scale_needs_four_of_seven():
    four = score("pfiq-7", pfiq([2, 2, 2, 2, None, None, None], [0] * 7, [0] * 7))
    assert four.subscales["UIQ-7"] == pytest.approx(200 / 3, abs=0.005)  # mean 2 x 100/3
    assert four.complete is True
    three = score("pfiq-7", pfiq([2, 2, 2, None, None, None, None], [0] * 7, [0] * 7))
    assert three.subscales["UIQ-7"] is None and three.total is None and three.complete is False


# --------------------------------------------------------------------------- POP-SS

def popss(values, **extra):
    return {str(n): v for n, v in enumerate(values, 1) if v is not None} | extra


def test_popss_minimum_maximum_and_range():
    assert score("pop-ss", popss([0] * 7)).total == 0
    high = score("pop-ss", popss([4] * 7))
    assert high.total == 28 and high.range == (0, 28) and high.band is None


def test_popss_worked_example_and_unscored_item():
    # 1 + 2 + 0 + 3 + 0 + 1 + 4 = 11
    result = score("pop-ss", popss([1, 2, 0, 3, 0, 1, 4]))
    assert result.total == 11
    assert score("pop-ss", popss([1, 2, 0, 3, 0, 1, 4], bother_most=4)).total == 11


@pytest.mark.parametrize("absent", range(7))
def test_popss_any_missing_item_gives_no_total(absent):
    values = [2] * 7
    values[absent] = None
    result = score("pop-ss", popss(values))
    assert result.total is None and result.complete is False
    assert result.missing == (str(absent + 1),)


@pytest.mark.parametrize("scale", ["UIQ-7", "CRAIQ-7", "POPIQ-7"])
def test_pfiq_every_scale_applies_the_four_of_seven_rule(scale):
    columns = {"UIQ-7": 0, "CRAIQ-7": 1, "POPIQ-7": 2}
    for answered, computed in ((4, True), (3, False)):
        values = [[0] * 7, [0] * 7, [0] * 7]
        values[columns[scale]] = [3] * answered + [None] * (7 - answered)
        result = score("pfiq-7", pfiq(*values))
        if computed:
            assert result.subscales[scale] == 100  # mean 3 x 100/3
            assert result.total == 100
        else:
            assert result.subscales[scale] is None and result.total is None
