"""No lost updates: stale writes get a conflict page, races against a real threaded server give one
success and one conflict, and a step save racing the patient's submission never leaves a result
that disagrees with the stored answers.  Runs on SQLite and (TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from clinic.db import db
from clinic.models import Assessment, AssessmentRevision, AuditEvent, Episode, Patient
from clinic.operations import compute_result

from .support import checked_values, login, make_account, make_episode, make_patient, post, row_version, sign_assessment
from .test_intake_clinician import CONTEXT_OK, _start

CONTEXT_PATIENT = {"age": "34", "menopause": "periods", "pregnancy": "no", "given_birth": "no",
                   "contraception": ["none"], "running_status": "regular", "run_km_week": "25", "load_change": "none",
                   "rest_days": "2",
                   "skip_meals": "no", "push_through_fatigue": "no", "sleep_hours": "8", "fatigue": "usual",
                   "diagnoses": ["none"], "mental_health": ["none"], "feels_off": "no"}
ICIQ_MILD = {"3": "weekly_or_less", "4": "small", "5": "2", "6": ["cough_sneeze"], "action": "next"}


# --------------------------------------------------------------------------- a real server and browsers

@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(10)
    srv.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (status codes stay visible)."""

    TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    VERSION = re.compile(r'name="row_version" value="(\d+)"')

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def form(self, path: str) -> dict:
        """The CSRF token and record version of the form on a page, as a browser would post them."""
        status, html = self.request(path)
        assert status == 200, (path, status)
        fields = {"csrf_token": self.TOKEN.search(html).group(1)}
        if match := self.VERSION.search(html):
            fields["row_version"] = match.group(1)
        return fields

    def sign_in(self, account) -> None:
        status, _ = self.request("/login", {**self.form("/login"), "email": account.email,
                                            "password": account.password})
        assert status == 303


def race(*calls):
    """Run the calls at the same moment; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _signed_assessment(app, client):
    acct = make_account(app)
    login(client, acct)
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    aid = _start(client, eid, ["iciq-ui-sf"])
    assert post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "action": "next"},
                version_from=True).status_code == 303
    assert post(client, f"/assessments/{aid}/steps/1", ICIQ_MILD, version_from=True).status_code == 303
    return acct, pid, aid


# --------------------------------------------------------------------------- stale forms (one client)

def test_a_stale_step_save_stores_nothing_and_says_what_changed(app, client):
    acct, _, aid = _signed_assessment(app, client)
    stale = row_version(client, f"/assessments/{aid}/steps/1")
    # A colleague saves the same step first.
    colleague = app.test_client()
    login(colleague, acct)
    assert post(colleague, f"/assessments/{aid}/steps/1", {**ICIQ_MILD, "3": "daily"},
                version_from=True).status_code == 303
    resp = post(client, f"/assessments/{aid}/steps/1", {**ICIQ_MILD, "3": "never", "row_version": stale})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "Nothing you sent was saved" in text and "Test Clinician saved answers to ICIQ-UI SF" in text
    # What was typed is still on the page (not stored), now based on the current version.
    assert checked_values(text, "3") == ["never"]
    with app.app_context():
        a = db.session.get(Assessment, aid)
        assert a.answers["iciq-ui-sf"]["3"] == 3  # the colleague's "daily", not "never"
        current = a.row_version
    assert f'name="row_version" value="{current}"' in text


def test_signing_states_the_version_reviewed(app, client):
    _, _, aid = _signed_assessment(app, client)
    reviewed = row_version(client, f"/assessments/{aid}")
    assert post(client, f"/assessments/{aid}/steps/1", {**ICIQ_MILD, "3": "daily"},
                version_from=True).status_code == 303
    resp = post(client, f"/assessments/{aid}/sign", {"notes": "Reviewed the mild picture.", "row_version": reviewed})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "saved answers to ICIQ-UI SF" in text
    assert "Reviewed the mild picture." in text  # the notes typed are shown, not lost
    with app.app_context():
        assert db.session.get(Assessment, aid).status != "signed"
    # Without any version the write is refused too.
    assert post(client, f"/assessments/{aid}/sign", {"notes": "x"}).status_code == 409


def test_stale_patient_edit_and_episode_close_store_nothing(app, client):
    acct = make_account(app)
    login(client, acct)
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    stale_patient = row_version(client, f"/patients/{pid}/edit")
    stale_episode = row_version(client, f"/episodes/{eid}/close")
    with app.app_context():
        p = db.session.get(Patient, pid)
        p.phone = "0123"
        e = db.session.get(Episode, eid)
        e.title = "Renamed"
        db.session.commit()
    form = {"given_name": "Changed", "family_name": "Qwerty", "date_of_birth": "1901-02-03", "sex": "female",
            "row_version": stale_patient}
    resp = post(client, f"/patients/{pid}/edit", form)
    assert resp.status_code == 409 and "Changed" in resp.get_data(as_text=True)
    resp = post(client, f"/episodes/{eid}/close", {"closed_on": dt.date.today().isoformat(),
                                                   "row_version": stale_episode})
    assert resp.status_code == 409
    with app.app_context():
        assert db.session.get(Patient, pid).given_name == "Zzyzx"
        assert db.session.get(Episode, eid).closed_on is None


# --------------------------------------------------------------------------- races against a real server

def test_two_clinicians_signing_at_once_one_signs_one_gets_a_conflict(app, client, server):
    acct, _, aid = _signed_assessment(app, client)
    other = make_account(app, name="Second Physio")
    one, two = Browser(server), Browser(server)
    one.sign_in(acct)
    two.sign_in(other)
    forms = []
    for browser, notes in ((one, "First"), (two, "Second")):
        # Each reviews, presses "Sign and lock" and sees the confirmation page.
        code, html = browser.request(f"/assessments/{aid}/sign", {**browser.form(f"/assessments/{aid}"),
                                                                  "notes": notes})
        assert code == 200 and "Confirm and sign" in html
        forms.append({"csrf_token": browser.TOKEN.search(html).group(1),
                      "row_version": browser.VERSION.search(html).group(1), "notes": notes})
    results = race(lambda: one.request(f"/assessments/{aid}/sign/confirm", forms[0]),
                   lambda: two.request(f"/assessments/{aid}/sign/confirm", forms[1]))
    assert sorted(code for code, _ in results) == [303, 409], [c for c, _ in results]
    loser = next(html for code, html in results if code == 409)
    assert "signed version 1" in loser
    with app.app_context():
        a = db.session.get(Assessment, aid)
        winner = "First" if a.signed_by_id == acct.id else "Second"
        assert a.status == "signed" and a.clinician_notes == winner
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "assessment.sign", AuditEvent.object_id == aid)) == 1


def test_two_amending_at_once_one_succeeds_one_conflict_reason_kept(app, client, server):
    acct, _, aid = _signed_assessment(app, client)
    assert sign_assessment(client, aid, "ok").status_code == 303
    one, two = Browser(server), Browser(server)
    one.sign_in(acct)
    two.sign_in(acct)
    form_one, form_two = one.form(f"/assessments/{aid}/amend"), two.form(f"/assessments/{aid}/amend")
    results = race(lambda: one.request(f"/assessments/{aid}/amend", {**form_one, "reason": "Reason one"}),
                   lambda: two.request(f"/assessments/{aid}/amend", {**form_two, "reason": "Reason two"}))
    codes = sorted(code for code, _ in results)
    assert codes == [303, 409], codes
    loser = next(html for code, html in results if code == 409)
    with app.app_context():
        revisions = db.session.scalars(select(AssessmentRevision).where(AssessmentRevision.assessment_id == aid)).all()
        assert len(revisions) == 1
        lost = "Reason two" if revisions[0].reason == "Reason one" else "Reason one"
    assert lost in loser and "reopened signed version 1 for amendment" in loser


def _patient_link(app, server, instruments=("iciq-ui-sf",)):
    acct = make_account(app)
    clinician = Browser(server)
    clinician.sign_in(acct)
    pid = make_patient(app, acct, date_of_birth=dt.date(1988, 7, 1))
    eid = make_episode(app, acct, pid, complaints=("incontinence",))
    code, html = clinician.request(f"/episodes/{eid}/invite", {**clinician.form(f"/episodes/{eid}/invite"),
                                                                 "instruments": list(instruments), "days": "14"})
    assert code == 200, code
    link = re.search(r'https?://[^"<\s]+/p/[A-Za-z0-9_\-]+', html).group(0)
    path = urllib.parse.urlparse(link).path
    patient = Browser(server)
    code, _ = patient.request(path, {**patient.form(path), "dob_day": "1", "dob_month": "7", "dob_year": "1988"})
    assert code == 303
    return patient


@pytest.mark.parametrize("attempt", range(4))
def test_step_save_racing_the_patients_submit_never_leaves_a_stale_result(app, server, attempt):
    patient = _patient_link(app, server)
    assert patient.request("/intake/steps/0", {**patient.form("/intake/steps/0"), **CONTEXT_PATIENT,
                                               "action": "next"})[0] == 303
    assert patient.request("/intake/steps/1", {**patient.form("/intake/steps/1"), **ICIQ_MILD})[0] == 303
    # Two windows: one saves much worse leakage answers, the other sends what was checked.
    step_form, submit_form = patient.form("/intake/steps/1"), patient.form("/intake/check")
    worse = {**ICIQ_MILD, "3": "all_the_time", "4": "large", "5": "10", "6": ["all_time"]}
    results = race(lambda: patient.request("/intake/steps/1", {**step_form, **worse}),
                   lambda: patient.request("/intake/submit", submit_form))
    codes = [code for code, _ in results]
    assert all(code < 500 for code in codes), codes
    with app.app_context():
        a = db.session.scalar(select(Assessment).where(Assessment.source == "patient_link"))
        if a.status == "submitted":
            fresh = compute_result(list(a.instruments), dict(a.answers))
            assert a.result["scores"] == fresh["scores"]
            assert a.overall_tier == fresh["tier"]
            assert a.red_flag_count == len({r["id"] for r in fresh["rules"] if r["red_flag"]})
        else:  # the save landed first and the submission asked the patient to check again
            assert codes[1] == 303
            assert a.answers["iciq-ui-sf"]["3"] == 5  # "all the time"
