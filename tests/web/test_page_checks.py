"""The page checks every web test relies on really refuse what they claim to refuse."""

from __future__ import annotations

import pytest

from .support import PageCheckError, check_page

GOOD = ('<!doctype html><html lang="en"><head><title>T</title></head><body><h1>T</h1>'
        '<form method="post"><input type="hidden" name="csrf_token" value="x">'
        '<label for="a">A</label><input id="a" name="a"></form></body></html>')


def test_a_well_formed_page_passes():
    check_page(GOOD, "/good")


@pytest.mark.parametrize("bad, message", [
    (GOOD.replace("<h1>T</h1>", "<h1>T</h1><p id=\"a\">x</p>"), "ids used more than once"),
    (GOOD.replace("<h1>T</h1>", ""), "exactly one h1"),
    (GOOD.replace('<label for="a">A</label>', ""), "has no label"),
    (GOOD.replace('<input type="hidden" name="csrf_token" value="x">', ""), "no CSRF field"),
    (GOOD.replace(' lang="en"', ""), "no lang"),
])
def test_each_problem_is_refused(bad, message):
    with pytest.raises(PageCheckError, match=message):
        check_page(bad, "/bad")
