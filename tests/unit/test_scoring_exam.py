"""Clinician exams: Modified Oxford / PERFECT and POP-Q staging (Bump 1996)."""

from __future__ import annotations

import pytest

from assessments.model import AnswerError
from assessments.scoring import score

# --------------------------------------------------------------------------- PERFECT


def perfect(p=3, e=6, r=5, f=8, **extra):
    answers = {"power": p, "endurance": e, "repetitions": r, "fast": f, "relaxation": "normal"}
    return {k: v for k, v in (answers | extra).items() if v is not None}


def test_perfect_worked_example():
    # MOS grade 3 (moderate, with lift), held 6 s, 5 repetitions, 8 fast contractions -> "3/6/5/8"
    result = score("oxford-perfect", perfect())
    assert result.details["perfect"] == "3/6/5/8"
    assert result.total == 3 and result.complete is True
    assert dict(result.subscales) == {"power": 3, "endurance": 6, "repetitions": 5, "fast": 8}
    assert result.details["power_descriptor"].startswith("3")


def test_perfect_minimum_and_maximum():
    low = score("oxford-perfect", perfect(0, 0, 0, 0))
    high = score("oxford-perfect", perfect(5, 10, 10, 10))
    assert (low.total, low.details["perfect"]) == (0, "0/0/0/0")
    assert (high.total, high.details["perfect"]) == (5, "5/10/10/10")
    assert low.range == (0, 5) and low.band is None


@pytest.mark.parametrize("absent", ["power", "endurance", "repetitions", "fast"])
def test_perfect_needs_all_four_components(absent):
    result = score("oxford-perfect", perfect(**{absent: None}))
    assert result.total is None and result.complete is False and result.details["perfect"] is None
    assert result.subscales[absent] is None and absent in result.missing
    assert sum(v is not None for v in result.subscales.values()) == 3  # recorded parts still shown


@pytest.mark.parametrize(("relaxation", "tone", "concern"), [
    ("normal", None, False), ("normal", "normal", False), ("partial", None, True), ("absent", None, True),
    ("delayed", None, True), ("normal", "overactive", True), ("normal", "non_functioning", True),
    ("normal", "underactive", False),
])
def test_perfect_relaxation_concern(relaxation, tone, concern):
    extra = {"relaxation": relaxation} | ({"tone": tone} if tone else {})
    result = score("oxford-perfect", perfect(**extra))
    assert result.details["relaxation_concern"] is concern


def test_perfect_rejects_out_of_range_values():
    with pytest.raises(AnswerError) as exc:
        score("oxford-perfect", perfect(6, 11, -1, 10.5))
    assert set(exc.value.errors) == {"power", "endurance", "repetitions", "fast"}


# --------------------------------------------------------------------------- POP-Q

NORMAL = {"Aa": -3, "Ba": -3, "C": -8, "D": -9, "Ap": -3, "Bp": -3, "gh": 3, "pb": 3, "tvl": 10}


def popq(**changes):
    answers = NORMAL | changes
    return {k: v for k, v in answers.items() if v is not None}


@pytest.mark.parametrize(("changes", "stage", "leading"), [
    ({}, 0, None),                                  # no prolapse
    ({"C": -8, "D": None}, 0, None),                # C exactly -(tvl-2) = -8: still stage 0
    ({"C": -7.5, "D": -7.5}, 1, None),              # apex just below -(tvl-2): stage I
    ({"C": -5, "D": -9}, 0, None),                  # D alone satisfies the apex criterion
    ({"Ba": -2}, 1, ["Ba"]),                        # leading edge -2 < -1
    ({"Ap": -1.5, "Bp": -1.5}, 1, ["Ap", "Bp"]),    # -1.5: still stage I
    ({"Ba": -1}, 2, ["Ba"]),                        # -1: lower edge of stage II
    ({"Bp": 1}, 2, ["Bp"]),                         # +1: upper edge of stage II
    ({"Ba": 1.5}, 3, ["Ba"]),                       # > +1: stage III
    ({"C": 7.5}, 3, ["C"]),                         # < tvl - 2 = 8: stage III
    ({"C": 8}, 4, ["C"]),                           # = tvl - 2: stage IV
    ({"C": 10, "Ba": 10}, 4, ["Ba", "C"]),          # complete eversion
])
def test_popq_stage_edges(changes, stage, leading):
    result = score("pop-q", popq(**changes))
    assert result.total == stage
    assert result.band.label == f"stage {['0', 'I', 'II', 'III', 'IV'][stage]}"
    assert "Bump" in result.band.source
    if leading:
        assert result.details["leading_points"] == leading


def test_popq_worked_example():
    # Aa -1, Ba +0.5, C -6, D -8, Ap -2, Bp -2, tvl 9: leading edge = Ba at +0.5, within -1..+1 -> stage II
    answers = {"Aa": -1, "Ba": 0.5, "C": -6, "D": -8, "Ap": -2, "Bp": -2, "tvl": 9}
    result = score("pop-q", answers)
    assert result.total == 2 and result.details["stage"] == "II"
    assert result.details["leading_points"] == ["Ba"] and result.details["leading_edge"] == 0.5
    assert result.subscales["leading_edge_cm"] == 0.5
    assert result.complete is True and result.range == (0, 4)


def test_popq_decimal_boundaries_are_exact():
    # tvl 9.5 -> tvl - 2 = 7.5: C at 7.5 is stage IV, 7.4 stage III; -7.5 satisfies stage 0
    assert score("pop-q", popq(tvl=9.5, C=7.5)).total == 4
    assert score("pop-q", popq(tvl=9.5, C=7.4)).total == 3
    assert score("pop-q", popq(tvl=9.5, C=-7.5, D=None)).total == 0


def test_popq_d_is_optional_after_hysterectomy():
    result = score("pop-q", popq(D=None, C=-8))
    assert result.complete is True and result.details["hysterectomy_d_absent"] is True


@pytest.mark.parametrize("absent", ["Aa", "Ba", "C", "Ap", "Bp", "tvl"])
def test_popq_missing_required_point_gives_no_stage(absent):
    result = score("pop-q", popq(**{absent: None}))
    assert result.total is None and result.band is None and result.complete is False
    assert absent in result.missing


def test_popq_points_are_checked_against_tvl_naming_every_bad_point():
    with pytest.raises(AnswerError) as exc:
        score("pop-q", popq(Ba=11, Bp=10.5, C=-11, D=12))
    assert set(exc.value.errors) == {"Ba", "Bp", "C", "D"}
    with pytest.raises(AnswerError) as exc:
        score("pop-q", popq(Aa=4, tvl=2))  # outside the item ranges
    assert set(exc.value.errors) == {"Aa", "tvl"}
