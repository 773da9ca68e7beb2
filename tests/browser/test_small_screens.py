"""Clinician pages on a phone-sized screen (375 px): nothing runs off the side of the page, wide
tables scroll inside their own labelled region, and axe-core finds no violation (Chromium)."""

from __future__ import annotations

import pytest

from .conftest import run_cli
from .test_clinician_basics import sign_in

pytestmark = pytest.mark.browser

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
    .filter(e => getComputedStyle(e).visibility !== 'hidden')
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''))
    .slice(0, 10);
}"""


def _fits(page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.evaluate(OVERFLOW)
    assert page.evaluate(OVERFLOW) == []


def test_clinician_pages_fit_a_phone_screen(browser, live_server, request):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    from .conftest import Steps

    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    steps = Steps(page, request.node.name)
    try:
        run_cli(live_server, "demo-data", "--force")
        sign_in(page, steps, live_server, DEMO_EMAIL, DEMO_PASSWORD)
        _fits(page)
        steps.check("dashboard")
        page.goto(live_server.url + "/patients")
        _fits(page)
        steps.check("patients")
        page.get_by_label("Search by name or date of birth").fill("okafor")
        page.get_by_role("button", name="Search", exact=True).click()
        page.get_by_role("link", name="Demo-Okafor, Sam").click()
        _fits(page)
        steps.check("patient")
        page.locator("section.episode table a").first.click()
        page.get_by_role("link", name="Clinician report").wait_for()
        _fits(page)
        steps.check("review")
        for path, label in (("/admin/users", "users"), ("/admin/audit", "audit")):
            page.goto(live_server.url + path)
            _fits(page)
            region = page.locator(".table-scroll")  # a wide table scrolls inside a region a keyboard can reach
            assert region.count() == 1 and region.get_attribute("tabindex") == "0"
            assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
            steps.check(label)
    finally:
        context.close()
