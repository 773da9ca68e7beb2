"""SESS-07 / OUT-02 in a real browser: hostile text stored in names, titles, notes and free-text
answers is shown as text on the clinician's pages (no dialog, no CSP violation), and the app keeps
no patient data in the browser's storage, during use or after signing out."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from .conftest import SECRET

pytestmark = pytest.mark.browser

MARK = "Qxv" + secrets.token_hex(3)  # a marker no page holds unless it shows this patient
GIVEN = f'{MARK}<img src=x onerror="alert(1)">'
FAMILY = '"><script>alert(2)</script><svg onload=alert(3)>'
TITLE = "</title><script>alert(4)</script>"
CONCERN = "<iframe srcdoc=\"<script>parent.alert(5)</script>\"></iframe>' onmouseover='alert(6)"
NOTES = "<b onclick=alert(7)>bold?</b>{{ 7*7 }}"

STORAGE_JS = """async () => {
  const dump = s => Object.keys(s).map(k => k + '=' + s.getItem(k)).join('\\n');
  const dbs = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [];
  return {local: dump(localStorage), session: dump(sessionStorage), localCount: localStorage.length,
          sessionCount: sessionStorage.length, idb: dbs};
}"""

# Collects CSP violations from the first moment of every page.
CSP_LISTENER = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def hostile_records(live_server, tmp_path):
    """A clinician, and a patient whose stored text is all hostile, written through the operations the
    forms use (straight into the live server's database)."""
    from clinic import catalogue as defs
    from clinic import create_app
    from clinic.db import db
    from clinic.models import Assessment, Episode, User
    from clinic.operations import save_answers, start_assessment
    from tests.web.support import make_account, make_patient

    app = create_app({"DATABASE_URL": live_server.db_url, "SECRET_KEY": SECRET, "PHAT_ENV": "testing",
                      "TEXT_PACK_FOLDER": str(tmp_path / "packs")}, instance_path=str(tmp_path / "seed"))
    try:
        acct = make_account(app, clinic=f"Hostile Clinic {secrets.token_hex(2)}")
        pid = make_patient(app, acct, given_name=GIVEN, family_name=FAMILY, date_of_birth=dt.date(1990, 6, 15))
        with app.app_context():
            from assessments.model import clean_answers
            from clinic.models import Patient
            from clinic.operations import open_episode

            user = db.session.get(User, acct.id)
            episode = open_episode(db.session.get(Patient, pid), user, title=TITLE, complaints=["bleeding"],
                                   opened_on=dt.date.today())
            db.session.flush()
            assessment = start_assessment(db.session.get(Episode, episode.id), user, ["iciq-ui-sf"])
            context = clean_answers(defs.get(defs.CONTEXT), {"feels_off": True, "concern": CONCERN})
            assert context["concern"] == CONCERN
            save_answers(assessment, defs.CONTEXT, context)
            assessment.clinician_notes = NOTES
            db.session.commit()
            ids = pid, episode.id, db.session.get(Assessment, assessment.id).id
    finally:
        app.extensions["phat_engine"].dispose()
    return acct, *ids


def _storage(page) -> dict:
    return page.evaluate(STORAGE_JS)


def test_hostile_text_is_shown_as_text_and_nothing_stays_in_the_browser(page, steps, live_server, hostile_records):
    acct, pid, eid, aid = hostile_records
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(CSP_LISTENER)

    page.goto(live_server.url + "/login")
    page.get_by_label("Email address").fill(acct.email)
    page.get_by_label("Password").fill(acct.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    seen = {}
    for label, path, expected in (("patients", "/patients", (MARK,)),
                                  ("patient", f"/patients/{pid}", (GIVEN, FAMILY, TITLE)),
                                  ("review", f"/assessments/{aid}", (CONCERN, NOTES))):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        body = page.locator("body").text_content()  # folded sections too
        for text in expected:
            assert text in body, f"{label}: {text!r} is not shown as text"
        assert page.locator("script:not([src])").count() == 0  # nothing injected became a script
        assert page.locator("img[src=x], svg[onload], iframe, b[onclick]").count() == 0
        assert page.evaluate("window.__csp") == [], f"{label}: CSP violations"
        seen[label] = body
        steps.check(label)
        state = _storage(page)
        assert MARK not in state["local"] + state["session"] and state["idb"] == [], (label, state)
    assert dialogs == []
    # The notes are also in the sign form's box, as its text.
    assert page.locator("textarea[name=notes]").input_value() == NOTES

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    state = _storage(page)
    assert (state["localCount"], state["sessionCount"], state["idb"]) == (0, 0, []), state
    assert MARK not in page.content()
    page.go_back()  # pages with patient data are never served from the cache after sign-out
    page.wait_for_load_state("load")
    assert MARK not in page.content() and page.url.endswith("/login")
    page.goto(live_server.url + f"/patients/{pid}")
    assert page.url.endswith("/login") and MARK not in page.content()
    assert dialogs == []
