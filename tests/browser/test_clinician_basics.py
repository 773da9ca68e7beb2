"""A clinician signs in, finds a patient, adds one, opens an episode and signs out (Chromium)."""

from __future__ import annotations

import secrets

import pytest

from .conftest import run_cli

pytestmark = pytest.mark.browser


@pytest.fixture
def clinician(live_server):
    email = f"physio.{secrets.token_hex(3)}@example.org"
    password = "browser test pass phrase"
    run_cli(live_server, "create-user", "--email", email, "--name", "Browser Physio", "--clinic",
            f"Browser Clinic {secrets.token_hex(2)}", "--role", "admin", "--password-stdin",
            input_text=password + "\n")
    return email, password


def sign_in(page, steps, live_server, email, password):
    page.goto(live_server.url + "/")
    assert page.url.endswith("/login")
    steps.check("login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")


def test_sign_in_add_patient_open_episode_sign_out(page, steps, live_server, clinician):
    email, password = clinician
    # A wrong password first: the message appears and focus moves to the summary.
    page.goto(live_server.url + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("The email address or password is not right.").first.is_visible()
    steps.check("login-error")

    sign_in(page, steps, live_server, email, password)
    steps.check("dashboard")
    page.get_by_role("link", name="Patients", exact=True).click()
    steps.check("patients-empty")
    page.get_by_role("link", name="Add a patient").first.click()
    page.get_by_role("button", name="Add patient").click()
    assert page.locator(".error-summary").is_visible()
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
    steps.check("patient-errors")
    page.get_by_label("Given name").fill("Robin")
    page.get_by_label("Family name").fill("Browser")
    page.get_by_label("Date of birth").fill("1991-05-06")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Add patient").click()
    page.get_by_role("heading", name="Robin Browser").wait_for()
    steps.check("patient")
    page.get_by_role("link", name="Open an episode").click()
    page.get_by_label("Spotting or bleeding after running").check()
    page.get_by_label("Short title (optional)").fill("Spotting on long runs")
    page.get_by_role("button", name="Open episode").click()
    page.get_by_role("heading", name="Spotting on long runs").wait_for()
    steps.check("episode")

    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Search by name or date of birth").fill("brow")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name="Browser, Robin").is_visible()
    steps.check("search")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    steps.check("signed-out")
    page.goto(live_server.url + "/patients")
    assert page.url.endswith("/login")


def test_keyboard_only_sign_in(page, steps, live_server, clinician):
    email, password = clinician
    page.goto(live_server.url + "/login")
    page.keyboard.press("Tab")  # skip link
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Tab")  # brand
    page.keyboard.press("Tab")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    steps.check("dashboard-keyboard")


def test_demo_sign_in_shows_the_demo_patients(page, steps, live_server):
    from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

    out = run_cli(live_server, "demo-data", "--force")
    assert "Demo sign-in:" in out
    sign_in(page, steps, live_server, DEMO_EMAIL, DEMO_PASSWORD)
    assert page.get_by_text("Taylor Demo-Mensah").first.is_visible()  # a red-flag intake waiting for review
    steps.check("demo-dashboard")
    page.get_by_role("link", name="Taylor Demo-Mensah").first.click()
    page.get_by_role("heading", name="Red flags: act on these first").wait_for()
    steps.check("demo-red-flag-review")
