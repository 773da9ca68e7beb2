"""Issue 4 in a real browser: a patient's pre-visit link on a phone, a clinician's postnatal
return-to-running assessment in clinic, keyboard-only use and error handling.

Every page a test visits goes through ``Steps.check`` (screenshot + axe-core, failing on any
violation); every page the patient sees is also checked for horizontal scrolling at 375 px.
Waits are on URLs, headings and elements only, never on time.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest

from .conftest import run_cli

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 812}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1, "locale": "en-GB"}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Focus must be visible wherever the keyboard lands (app.css: 3px outline in --focus).
FOCUS_VISIBLE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
}"""


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def clinician(live_server):
    email = f"physio.{secrets.token_hex(3)}@example.org"
    password = "browser test pass phrase"
    run_cli(live_server, "create-user", "--email", email, "--name", "Alex Physio", "--clinic",
            f"Journey Clinic {secrets.token_hex(2)}", "--role", "clinician", "--job-title",
            "Pelvic health physiotherapist", "--password-stdin", input_text=password + "\n")
    return email, password


def sign_in(page, steps, base, email, password):
    page.goto(base + "/login")
    steps.check("login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    page.get_by_role("heading", name="Dashboard", level=1).wait_for()
    steps.check("dashboard")


def add_patient(page, steps, base, given, family, dob: dt.date):
    page.goto(base + "/patients/new")
    page.get_by_role("heading", name="Add a patient", level=1).wait_for()
    steps.check("patient-new")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill(dob.isoformat())
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Add patient").click()
    page.get_by_role("heading", name=f"{given} {family}", level=1).wait_for()
    steps.check("patient")


def open_episode(page, steps, complaint, title):
    page.get_by_role("link", name="Open an episode").click()
    page.get_by_role("heading", name="Open an episode of care", level=1).wait_for()
    steps.check("episode-new")
    page.get_by_label(complaint).check()
    page.get_by_label("Short title (optional)").fill(title)
    page.get_by_role("button", name="Open episode").click()
    page.get_by_role("heading", name=title).wait_for()
    steps.check("episode")


def q(page, item):
    """The box of one generated question (templates/_questions.html: id="q-<item id>")."""
    return page.locator(f"#q-{item}")


def choose(page, item, label):
    q(page, item).get_by_label(label, exact=True).check()


def fill(page, item, value):
    page.locator(f"#i-{item}").fill(value)


def shown(page, item) -> bool:
    return q(page, item).is_visible()


def in_view(locator) -> bool:
    box = locator.bounding_box()
    height = locator.page.viewport_size["height"]
    return box is not None and box["y"] >= -1 and box["y"] + box["height"] <= height


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways at {PHONE_WIDTH} px (scrollWidth {width})"


# Text inputs under 16 px make phones zoom in on focus (iOS Safari), pushing the page sideways.
SMALL_INPUTS_JS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null && el.type !== 'radio' && el.type !== 'checkbox')
  .filter(el => parseFloat(getComputedStyle(el).fontSize) < 16).map(el => el.id || el.name)"""


def patient_check(steps, label):
    steps.check(label)
    no_sideways_scroll(steps.page)
    small = steps.page.evaluate(SMALL_INPUTS_JS)
    assert not small, f"inputs with text under 16 px on {steps.page.url}: {small}"


def csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def focus_is_visible(page) -> bool:
    return page.evaluate(FOCUS_VISIBLE_JS)


def tab_to(page, selector: str, limit: int = 120):
    """Press Tab (and nothing else) until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            assert focus_is_visible(page), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def key_choose(page, item, code):
    """Choose a radio option by keyboard: Tab into the group, arrows to the option, Space."""
    tab_to(page, f"input[type=radio][name='{item}']")
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == code:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.locator(f"input[name='{item}'][value='{code}']").is_checked()


def key_tick(page, item, code):
    tab_to(page, f"input[type=checkbox][name='{item}'][value='{code}']")
    page.keyboard.press("Space")
    assert page.locator(f"input[name='{item}'][value='{code}']").is_checked()


# Answers given through plain HTTP (no screenshots) for the intake that must sort after the red flag.
QUIET_CONTEXT = {"age": "29", "menopause": "periods", "pregnancy": "no", "given_birth": "no",
                 "contraception": "none", "running_status": "regular", "run_km_week": "25",
                 "load_change": "none", "rest_days": "2", "skip_meals": "no", "push_through_fatigue": "no",
                 "sleep_hours": "8", "fatigue": "usual", "diagnoses": "none", "mental_health": "none",
                 "feels_off": "no"}


def submit_quiet_intake(page, browser, base) -> str:
    """A second patient submits an intake without red flags BEFORE the journey's patient does, so the
    dashboard can show that red flags sort first rather than oldest first.  Uses the clinician's
    session for set-up and a separate browser context for the patient, through the same forms."""
    api = page.request
    new = api.get(base + "/patients/new")
    resp = api.post(base + "/patients/new", form={
        "csrf_token": csrf(new.text()), "given_name": "Quinn", "family_name": "Quiet",
        "date_of_birth": "1996-07-01", "sex": "female"})
    patient_url = resp.url
    assert re.search(r"/patients/[^/]+$", patient_url), patient_url
    form = api.get(patient_url + "/episodes/new")
    resp = api.post(patient_url + "/episodes/new", form={
        "csrf_token": csrf(form.text()), "complaints": "bleeding", "title": "Quiet check",
        "opened_on": dt.date.today().isoformat()})
    episode_id = re.search(r'/episodes/([^/"]+)/invite', resp.text()).group(1)
    invite = api.get(f"{base}/episodes/{episode_id}/invite")
    done = api.post(f"{base}/episodes/{episode_id}/invite", form={
        "csrf_token": csrf(invite.text()), "instruments": "intake-bleeding", "days": "14"})
    link = re.search(r'id="invite-link" value="([^"]+)"', done.text()).group(1)

    ctx = browser.new_context()
    try:
        pat = ctx.request
        verify = pat.get(link)
        resp = pat.post(link, form={"csrf_token": csrf(verify.text()), "dob_day": "1", "dob_month": "7",
                                    "dob_year": "1996"})
        assert resp.url.endswith("/intake/steps/0"), resp.url
        resp = pat.post(base + "/intake/steps/0", form={"csrf_token": csrf(resp.text()),
                                                        "row_version": row_version(resp.text()), **QUIET_CONTEXT})
        assert resp.url.endswith("/intake/steps/1"), resp.url
        resp = pat.post(base + "/intake/steps/1", form={"csrf_token": csrf(resp.text()),
                                                        "row_version": row_version(resp.text()),
                                                        "heavy_periods": "no", "any_bleeding": "no"})
        assert resp.url.endswith("/intake/check"), resp.url
        resp = pat.post(base + "/intake/submit", form={"csrf_token": csrf(resp.text()),
                                                       "row_version": row_version(resp.text())})
        assert resp.url.endswith("/intake/thanks"), resp.url
    finally:
        ctx.close()
    return "Quinn Quiet"


def row_version(html: str) -> str:
    """The record version a page's form posts (every form that changes a record carries it)."""
    return re.search(r'name="row_version" value="(\d+)"', html).group(1)


def verify_dob(pg, day, month, year):
    pg.get_by_label("Day").fill(day)
    pg.get_by_label("Month").fill(month)
    pg.get_by_label("Year").fill(year)
    pg.get_by_role("button", name="Continue").tap()


# --------------------------------------------------------------------------- 1. patient on a phone

def test_patient_on_a_phone_bleeding_intake_red_flag_to_signed_review(page, steps, live_server, clinician,
                                                                       browser):
    base = live_server.url
    email, password = clinician
    sign_in(page, steps, base, email, password)
    quiet = submit_quiet_intake(page, browser, base)

    # The clinician adds the patient, opens an episode and creates the pre-visit link.
    add_patient(page, steps, base, "Morgan", "Strider", dt.date(1973, 8, 14))
    open_episode(page, steps, "Spotting or bleeding after running", "Spotting after long runs")
    page.get_by_role("link", name="Send pre-visit link").click()
    page.get_by_role("heading", name="Send a pre-visit link", level=1).wait_for()
    assert page.locator("#instrument-intake-bleeding").is_checked()  # preset from the complaint
    steps.check("invite")
    page.get_by_role("button", name="Create link").click()
    page.get_by_role("heading", name="Pre-visit link created").wait_for()
    steps.check("invite-done")
    link = page.get_by_label("Link for the patient").input_value()
    assert "/p/" in link

    # ---- the patient, on a phone
    phone = browser.new_context(**PHONE)
    pat = phone.new_page()
    pat.set_default_timeout(15000)
    steps.page = pat
    pat.goto(link)
    pat.get_by_role("heading", name="First, confirm it's you").wait_for()
    patient_check(steps, "patient-verify")
    verify_dob(pat, "14", "8", "1937")  # a slip of the thumb: the year's digits swapped
    pat.locator(".error-summary").wait_for()
    # The page script moves focus to the summary once the document has loaded: wait for it (this
    # times out, and fails, when focus never arrives).
    pat.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
    assert pat.get_by_role("link", name=re.compile("does not match our records")).get_attribute("href") == "#dob_day"
    assert pat.get_by_label("Year").input_value() == "1937"
    assert pat.get_by_label("Day").get_attribute("aria-invalid") == "true"
    patient_check(steps, "patient-verify-wrong-dob")
    pat.get_by_label("Year").fill("")
    verify_dob(pat, "14", "8", "1973")
    pat.wait_for_url(base + "/intake/steps/0")
    pat.get_by_role("heading", name="About you and your running", level=1).wait_for()
    assert link.rsplit("/p/", 1)[1] not in pat.url
    patient_check(steps, "patient-context")

    # enable-when in the browser: pregnancy follows the periods answer, birth details follow "given birth".
    assert not shown(pat, "pregnancy") and not shown(pat, "weeks_since_birth")
    choose(pat, "menopause", "I have periods (regular or not)")
    assert shown(pat, "pregnancy")
    choose(pat, "given_birth", "Yes")
    assert shown(pat, "last_birth") and shown(pat, "breastfeeding") and not shown(pat, "postnatal_screen")
    choose(pat, "last_birth", "More than 2 years ago")
    assert not shown(pat, "weeks_since_birth")
    choose(pat, "last_birth", "In the past 2 years")
    assert shown(pat, "weeks_since_birth")
    fill(pat, "weeks_since_birth", "20")
    pat.locator("#i-weeks_since_birth").blur()
    assert shown(pat, "postnatal_screen")  # the postnatal medical screen, asked within 2 years of a birth
    choose(pat, "given_birth", "No")
    assert not shown(pat, "weeks_since_birth") and not shown(pat, "postnatal_screen")
    assert not pat.locator("#i-age").count()  # the age comes from the date of birth

    # 4. Errors: a non-number and a missing required answer (periods unset again by reloading the page).
    pat.goto(pat.url)
    pat.get_by_role("heading", name="About you and your running", level=1).wait_for()
    patient_check(steps, "patient-context-fresh")
    choose(pat, "given_birth", "No")
    choose(pat, "contraception", "None")
    choose(pat, "running_status", "I run regularly")
    assert shown(pat, "run_km_week")
    fill(pat, "run_km_week", "30")
    choose(pat, "load_change", "No, it has stayed about the same")
    fill(pat, "rest_days", "two")
    choose(pat, "skip_meals", "No")
    choose(pat, "push_through_fatigue", "No")
    fill(pat, "sleep_hours", "7")
    choose(pat, "fatigue", "About as usual")
    choose(pat, "diagnoses", "None of these")
    # A sensitive tick-box question offers the same way out as every sensitive question.
    decline = q(pat, "mental_health").get_by_label("I'd rather discuss this in person")
    assert decline.is_visible()
    decline.check()
    assert pat.locator("label[for=i-height_cm]").inner_text().count("(optional)") == 1
    assert "Tick all that apply." not in q(pat, "diagnoses").inner_text().replace(
        "Tick all that apply.", "", 1)  # said once, in the question itself
    choose(pat, "feels_off", "No")
    pat.get_by_role("button", name="Save and continue").tap()
    summary = pat.locator(".error-summary")
    summary.wait_for()
    assert pat.url.endswith("/intake/steps/0")
    pat.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
    assert summary.bounding_box()["y"] < q(pat, "menopause").bounding_box()["y"]  # at the top, before any question
    age_link = summary.get_by_role("link", name=re.compile(r"^Enter a whole number.*\(How many full rest days"))
    periods_link = summary.get_by_role("link", name=re.compile(r"\(Which of these best describes your periods"))
    assert age_link.get_attribute("href") == "#i-rest_days"
    assert periods_link.get_attribute("href") == "#i-menopause-0"
    # What was typed is kept, the invalid field is marked.
    assert pat.locator("#i-rest_days").input_value() == "two"
    assert pat.locator("#i-rest_days").get_attribute("aria-invalid") == "true"
    assert pat.locator("#i-run_km_week").input_value() == "30"
    assert q(pat, "running_status").get_by_label("I run regularly").is_checked()
    assert q(pat, "diagnoses").get_by_label("None of these").is_checked()
    assert q(pat, "mental_health").get_by_label("I'd rather discuss this in person").is_checked()
    patient_check(steps, "patient-context-errors")
    # A summary link focuses the field and brings its question into view, not just the input.
    periods_link.tap()
    assert pat.evaluate("document.activeElement.id") == "i-menopause-0"
    assert in_view(q(pat, "menopause").locator("legend"))
    pat.locator("#error-summary-title").scroll_into_view_if_needed()
    age_link.tap()
    assert pat.evaluate("document.activeElement.id") == "i-rest_days"
    assert in_view(pat.locator("label[for=i-rest_days]"))
    fill(pat, "rest_days", "2")
    choose(pat, "menopause", "My periods stopped by themselves 12 months ago or more (after menopause)")
    assert not shown(pat, "pregnancy")
    pat.get_by_role("button", name="Save and continue").tap()
    pat.wait_for_url(base + "/intake/steps/1")
    pat.get_by_role("heading", name="Bleeding and spotting", level=1).wait_for()
    patient_check(steps, "patient-bleeding")

    # The bleeding step: the source decides which questions appear, and with them their headings.
    assert not shown(pat, "source") and not shown(pat, "heaviness") and not shown(pat, "urine_hours")
    for heading in ("Vaginal bleeding", "How you feel", "Other details", "Pattern", "Blood in urine"):
        assert not pat.get_by_role("heading", name=heading).is_visible(), heading
    assert pat.get_by_text("SP-01").count() == 0  # internal rule references are for clinicians
    choose(pat, "heavy_periods", "I don't have periods")
    choose(pat, "any_bleeding", "Yes")
    assert shown(pat, "source")
    choose(pat, "source", "In my urine (pee)")
    assert shown(pat, "urine_hours") and not shown(pat, "heaviness")
    assert pat.get_by_role("heading", name="Blood in urine").is_visible()
    assert not pat.get_by_role("heading", name="Vaginal bleeding").is_visible()
    patient_check(steps, "patient-bleeding-urine-branch")
    choose(pat, "source", "From the vagina")  # several sources can be ticked: both branches show
    assert shown(pat, "heaviness") and shown(pat, "urine_hours")
    q(pat, "source").get_by_label("In my urine (pee)", exact=True).uncheck()
    assert shown(pat, "heaviness") and shown(pat, "faint") and not shown(pat, "urine_hours")
    assert pat.get_by_role("heading", name="Vaginal bleeding").is_visible()
    assert not pat.get_by_role("heading", name="Blood in urine").is_visible()
    choose(pat, "heaviness", "I soak through a pad or tampon in an hour or less")
    assert shown(pat, "hourly_two_hours")
    choose(pat, "heaviness", "About like a period")
    assert not shown(pat, "hourly_two_hours")
    choose(pat, "timing", "I don't have periods at the moment")
    choose(pat, "with_runs", "It happens after some runs")
    assert shown(pat, "run_type")
    choose(pat, "run_type", "Long runs")
    choose(pat, "faint", "Feeling dizzy or light-headed")
    patient_check(steps, "patient-bleeding-vaginal-branch")

    # "Back" keeps this step's answers as a draft and shows the previous step as it was saved.
    pat.get_by_role("button", name="Back").tap()
    pat.wait_for_url(base + "/intake/steps/0")
    assert pat.locator("#i-rest_days").input_value() == "2"
    assert not shown(pat, "pregnancy")
    patient_check(steps, "patient-context-after-back")
    pat.get_by_role("button", name="Save and continue").tap()
    pat.wait_for_url(base + "/intake/steps/1")
    pat.get_by_role("heading", name="Bleeding and spotting", level=1).wait_for()
    assert q(pat, "faint").get_by_label("Feeling dizzy or light-headed").is_checked()
    assert shown(pat, "heaviness") and not shown(pat, "urine_hours")  # applied again on load
    patient_check(steps, "patient-bleeding-again")
    choose(pat, "clots", "No")
    choose(pat, "getting_heavier", "No")

    # "Save and finish later", then the link again in a fresh browser: it resumes at this step.
    pat.get_by_role("button", name="Save and finish later").tap()
    pat.get_by_role("heading", name="Your answers are saved").wait_for()
    patient_check(steps, "patient-saved")
    phone.close()

    phone = browser.new_context(**PHONE)
    pat = phone.new_page()
    pat.set_default_timeout(15000)
    steps.page = pat
    pat.goto(link)
    pat.get_by_role("heading", name="First, confirm it's you").wait_for()
    patient_check(steps, "patient-verify-again")
    # 3. Keyboard only from here to the end of the step: Tab, arrows, Space, Enter.
    tab_to(pat, "#dob_day")
    pat.keyboard.type("14")
    tab_to(pat, "#dob_month")
    pat.keyboard.type("8")
    tab_to(pat, "#dob_year")
    pat.keyboard.type("1973")
    pat.keyboard.press("Enter")
    pat.wait_for_url(base + "/intake/steps/1")
    pat.get_by_role("heading", name="Bleeding and spotting", level=1).wait_for()
    assert q(pat, "clots").get_by_label("No").is_checked()
    assert q(pat, "heaviness").get_by_label("About like a period").is_checked()
    patient_check(steps, "patient-resumed")
    key_choose(pat, "lasts", "day")
    key_choose(pat, "fever", "no")
    key_choose(pat, "discharge", "no")
    key_tick(pat, "pain", "none")
    key_choose(pat, "after_sex", "not_active")
    key_choose(pat, "since_birth", "not_recent")
    key_choose(pat, "ectropion", "no")
    key_choose(pat, "dryness", "no")
    key_choose(pat, "duration", "months")
    key_choose(pat, "new_pattern", "yes")
    key_choose(pat, "heavy_training", "yes")
    key_tick(pat, "cycle_changes", "none")
    key_choose(pat, "low_energy", "no")
    key_choose(pat, "injuries_illness", "no")
    key_choose(pat, "periods_returning", "no")
    tab_to(pat, "button[value=next]")
    pat.keyboard.press("Enter")
    pat.wait_for_url(base + "/intake/check")
    pat.get_by_role("heading", name="Check your answers", level=1).wait_for()
    patient_check(steps, "patient-check")
    check = pat.locator(".check-list")
    assert check.get_by_text("Feeling dizzy or light-headed").is_visible()
    assert check.get_by_text("About like a period").is_visible()
    assert check.get_by_text("Prefers to discuss in person").count() == 1  # the declined question
    assert pat.get_by_text("Not answered yet").count() == 0

    pat.get_by_role("button", name="Send my answers to the clinic").tap()
    pat.wait_for_url(base + "/intake/thanks")
    # Heavy bleeding with dizziness (T5): emergency advice first, then the thanks (clinical policy 6).
    pat.get_by_role("heading", name="Please get emergency help now").wait_for()
    advice = pat.locator("main").inner_text()
    assert advice.index("Call 999 or go to your nearest A&E now") < advice.index("Thank you")
    assert "has been told" in advice and "B2" not in advice
    patient_check(steps, "patient-thanks")
    pat.goto(link)
    pat.get_by_role("heading", name="You have already sent your answers").wait_for()
    patient_check(steps, "patient-link-used")
    phone.close()

    # ---- back to the clinician: red flags first on the dashboard, then review and sign.
    steps.page = page
    page.goto(base + "/")
    waiting = page.locator("section[aria-labelledby=waiting-title] tbody tr")
    waiting.first.wait_for()
    assert waiting.count() == 2
    assert waiting.nth(0).get_by_role("link").inner_text() == "Morgan Strider"
    assert "row-flag" in (waiting.nth(0).get_attribute("class") or "")
    assert re.search(r"\d+ red flags?", waiting.nth(0).inner_text())
    assert waiting.nth(1).get_by_role("link").inner_text() == quiet
    steps.check("dashboard-waiting")
    waiting.nth(0).get_by_role("link").click()
    page.get_by_role("heading", name=re.compile(r"^Assessment of ")).wait_for()
    red = page.locator("section.red-flags")
    assert red.is_visible()
    first_section = page.locator("main section").first
    assert first_section.get_attribute("class") == "red-flags"  # before the tier, the scores and the answers
    assert red.locator("code", has_text="B2").count() == 1  # heavy bleeding with dizziness
    assert red.locator("code", has_text="B4").count() == 1  # postmenopausal bleeding
    assert page.get_by_text("Waiting for review").is_visible()
    steps.check("review")
    page.get_by_label("Clinician notes (not shown to the patient)").fill(
        "Phoned the patient: same-day assessment arranged; GP letter for postmenopausal bleeding.")
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_role("button", name="Confirm and sign").click()
    page.get_by_text("Assessment signed and locked.").wait_for()
    assert page.get_by_role("heading", name="Signed", exact=True).is_visible()
    assert page.get_by_text("The assessment is locked.").is_visible()
    assert page.get_by_role("button", name="Sign and lock").count() == 0
    assert page.get_by_role("link", name="Amend").is_visible()
    steps.check("review-signed")
    page.goto(base + "/")
    waiting_now = page.locator("section[aria-labelledby=waiting-title]")
    assert waiting_now.get_by_role("link", name="Morgan Strider").count() == 0  # no longer waiting
    assert waiting_now.get_by_role("link", name="Quinn Quiet").count() == 1
    steps.check("dashboard-after-sign")


# --------------------------------------------------------------------------- 2. clinician in clinic

def test_clinician_postnatal_return_to_running_in_clinic(page, steps, live_server, clinician):
    base = live_server.url
    email, password = clinician
    sign_in(page, steps, base, email, password)
    add_patient(page, steps, base, "Sam", "Runner", dt.date(1992, 3, 9))
    open_episode(page, steps, "Postnatal return to running", "Back to running after baby")
    page.get_by_role("link", name="Start assessment").click()
    page.get_by_role("heading", name="Start an assessment", level=1).wait_for()
    for iid in ("intake-bladder-bowel", "iciq-ui-sf", "pop-ss", "goom-rtr", "epds", "oxford-perfect"):
        assert page.locator(f"#instrument-{iid}").is_checked(), iid
    steps.check("start")
    page.get_by_role("button", name="Start", exact=True).click()

    def at_step(n, heading):
        page.wait_for_url(re.compile(rf"/assessments/[^/]+/steps/{n}$"))
        page.get_by_role("heading", name=heading, level=1).wait_for()

    # Step 1: about the patient
    at_step(0, "About you and your running")
    steps.check("context")
    choose(page, "menopause", "I don't have periods for another reason (for example contraception, "
                              "breastfeeding or an operation)")
    choose(page, "pregnancy", "No")
    choose(page, "given_birth", "Yes")
    choose(page, "last_birth", "In the past 2 years")
    fill(page, "weeks_since_birth", "16")
    page.locator("#i-weeks_since_birth").blur()
    choose(page, "postnatal_screen", "None of these")
    choose(page, "delivery", "Vaginal birth")
    assert shown(page, "perineal_trauma")
    choose(page, "perineal_trauma", "A small tear or a cut (first- or second-degree, or an episiotomy)")
    choose(page, "breastfeeding", "Yes")
    choose(page, "contraception", "Progestogen-only pill (mini pill)")
    assert not shown(page, "iud_months")
    choose(page, "running_status", "I'm returning after a break, an injury or having a baby")
    fill(page, "run_km_week", "0")
    choose(page, "load_change", "No, it has stayed about the same")
    fill(page, "rest_days", "7")
    choose(page, "race_goal", "5 km or 10 km")
    choose(page, "skip_meals", "No")
    choose(page, "push_through_fatigue", "No")
    fill(page, "sleep_hours", "6.5")
    choose(page, "fatigue", "More tired than usual")
    choose(page, "diagnoses", "None of these")
    choose(page, "mental_health", "None of these")
    choose(page, "feels_off", "No")
    steps.check("context-filled")
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: bladder and bowel intake
    at_step(1, "Bladder and bowel")
    steps.check("bladder-bowel")
    choose(page, "leak", "No")
    assert not shown(page, "leak_when")
    choose(page, "urgency", "No")
    choose(page, "voiding", "None of these")
    choose(page, "retention", "No")
    choose(page, "recurrent_uti", "No")
    assert not shown(page, "uti_blood")
    choose(page, "bladder_pain", "No")
    choose(page, "bowel_urgency", "No")
    choose(page, "bowel_leak", "No")
    choose(page, "obstructed", "None of these")
    choose(page, "constipation", "No")
    choose(page, "bowel_change", "No")
    choose(page, "rectal_blood", "No")
    choose(page, "previous_treatment", "None")
    choose(page, "previous_surgery", "None of these")
    choose(page, "dipstick_blood", "Not tested")
    page.get_by_role("button", name="Save and continue").click()

    # Step 3: ICIQ-UI SF
    at_step(2, "International Consultation on Incontinence Questionnaire - Urinary Incontinence Short Form")
    steps.check("iciq")
    choose(page, "3", "Not at all")
    choose(page, "4", "None")
    fill(page, "5", "0")
    choose(page, "6", "It never leaks")
    page.get_by_role("button", name="Save and continue").click()

    # Step 4: POP-SS
    at_step(3, "Pelvic Organ Prolapse Symptom Score")
    steps.check("pop-ss")
    for item in "1234567":
        choose(page, item, "Never")
    page.get_by_role("button", name="Save and continue").click()

    # Step 5: EPDS (the postnatal pathway's mood screen); the safety follow-up shows only when item 10 > 0.
    at_step(4, "Edinburgh Postnatal Depression Scale")
    steps.check("epds")
    assert not shown(page, "intent")
    page.locator("#q-10 input[data-answer='1']").check()
    assert shown(page, "intent")
    for item in range(1, 11):
        page.locator(f"#q-{item} input[data-answer='0']").check()
    assert not shown(page, "intent")
    page.get_by_role("button", name="Save and continue").click()

    # Step 6: Goom return-to-run exam; symptoms questions appear once a result is entered.
    at_step(5, "Postnatal return-to-running assessment")
    steps.check("goom")
    assert page.locator("#i-walk").bounding_box()["width"] <= 8 * 16  # a number box, not a 32rem text box
    choose(page, "medical", "None of these")
    assert not shown(page, "walk_symptoms")
    fill(page, "walk", "30")
    assert shown(page, "walk_symptoms")
    choose(page, "walk_symptoms", "No symptoms")
    results = {"balance": ("10", "12"), "squat": ("8 reps", "10"), "hop": ("10", "10"),
               "running_man": ("10", "10"), "calf_raise": ("20", "22"), "bridge": ("20", "20"),
               "sit_to_stand": ("20", "20"), "abduction": ("25", "20")}
    for test, (left, right) in results.items():
        assert not shown(page, f"{test}_symptoms")
        fill(page, f"{test}_left", left)
        fill(page, f"{test}_right", right)
        choose(page, f"{test}_symptoms", "No symptoms")
    fill(page, "jog", "60")
    choose(page, "jog_symptoms", "No symptoms")
    fill(page, "bounds", "10")
    choose(page, "bounds_symptoms", "No symptoms")
    choose(page, "abdominal", "None")
    choose(page, "referral", "None")
    choose(page, "modifiers", "Breastfeeding")
    choose(page, "modifiers", "Sleep deprivation or fatigue")
    page.get_by_role("button", name="Save and continue").click()
    # "8 reps" is not a number: the step comes back with everything typed and the summary focused.
    summary = page.locator(".error-summary")
    summary.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-error-summary')")
    link = summary.get_by_role("link", name=re.compile(r"^Enter a whole number.*\(Single-leg squat: left side"))
    assert link.get_attribute("href") == "#i-squat_left"
    assert page.locator("#i-squat_left").input_value() == "8 reps"
    assert page.locator("#i-abduction_left").input_value() == "25"
    assert q(page, "modifiers").get_by_label("Breastfeeding").is_checked()
    assert shown(page, "squat_symptoms")
    steps.check("goom-errors")
    link.click()
    assert page.evaluate("document.activeElement.id") == "i-squat_left"
    fill(page, "squat_left", "8")
    page.get_by_role("button", name="Save and continue").click()

    # Step 7: Modified Oxford / PERFECT
    at_step(6, "Pelvic floor muscle examination: Modified Oxford Scale and PERFECT scheme")
    steps.check("oxford")
    choose(page, "power", "3 - moderate: with lift")
    fill(page, "endurance", "6")
    fill(page, "repetitions", "5")
    fill(page, "fast", "8")
    choose(page, "relaxation", "Normal")
    page.get_by_role("button", name="Save and review").click()

    # Review: the return-to-run section shows the failing gate and test.
    page.wait_for_url(re.compile(r"/assessments/[^/]+$"))
    rtr = page.locator("section[aria-labelledby=rtr-title]")
    rtr.wait_for()
    gates = rtr.locator("table").first
    g3 = gates.locator("tr", has=page.locator("code", has_text="G3"))
    assert g3.locator(".gate").inner_text().strip().lower() == "not yet"
    assert "squat" in g3.inner_text().lower()
    g1 = gates.locator("tr", has=page.locator("code", has_text="G1"))
    assert g1.locator(".gate").inner_text().strip().lower() == "pass"
    for gate in ("G4", "G0"):
        row = gates.locator("tr", has=page.locator("code", has_text=gate))
        assert row.locator(".gate").inner_text().strip().lower() == "pass", gate
    rtr.get_by_text("Test by test").click()
    squat = rtr.locator("details tr", has_text="Single-leg squat")
    assert "L 8 / R 10" in squat.inner_text()
    assert squat.locator(".gate").inner_text().strip().lower() == "not met"
    steps.check("review")
    page.get_by_label("Clinician notes (not shown to the patient)").fill(
        "Single-leg squat left 8/10: strengthening block, retest in 4 weeks before walk-run.")
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_role("button", name="Confirm and sign").click()
    page.get_by_text("Assessment signed and locked.").wait_for()
    assert page.get_by_text("The assessment is locked.").is_visible()
    steps.check("review-signed")


# --------------------------------------------------------------------------- 3. keyboard, clinician side

def test_keyboard_only_questionnaire_step(page, steps, live_server, clinician):
    """ICIQ-UI SF answered with the keyboard only, focus visible at every stop."""
    base = live_server.url
    email, password = clinician
    sign_in(page, steps, base, email, password)
    add_patient(page, steps, base, "Kay", "Board", dt.date(1985, 11, 2))
    open_episode(page, steps, "Urinary or faecal incontinence", "Leaks on hills")
    page.get_by_role("link", name="Start assessment").click()
    page.get_by_role("heading", name="Start an assessment", level=1).wait_for()
    steps.check("start")
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url(re.compile(r"/steps/0$"))
    page.get_by_role("heading", name="About you and your running", level=1).wait_for()
    steps.check("context")
    step_url = page.url
    page.goto(step_url[:-1] + "2")  # straight to ICIQ-UI SF through the address bar
    page.get_by_role("heading", name=re.compile("^International Consultation on Incontinence"), level=1).wait_for()
    steps.check("iciq")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    assert focus_is_visible(page)
    page.keyboard.press("Enter")  # skip link: focus moves into <main>
    key_choose(page, "3", "two_three_weekly")
    key_choose(page, "4", "small")
    tab_to(page, "#i-5")
    page.keyboard.type("4")
    key_tick(page, "6", "active")
    key_tick(page, "6", "cough_sneeze")
    steps.check("iciq-keyboard-filled")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/steps/3$"))
    page.get_by_role("heading", level=1).wait_for()
    steps.check("after-iciq")
