"""The patient's pre-visit link: creation, DOB check and lockout, resume, drafts, one submission."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading

import pytest
from sqlalchemy import func, select, update

from clinic.db import db
from clinic.models import Assessment, AuditEvent, Invitation, OutboxMessage

from .support import checked_values, login, make_account, make_episode, make_patient, post

DOB = {"dob_day": "3", "dob_month": "2", "dob_year": "1901"}  # make_patient's default date of birth
CONTEXT = {"age": "34", "menopause": "periods", "pregnancy": "no", "given_birth": "no", "contraception": ["none"],
           "running_status": "regular", "run_km_week": "30", "load_change": "distance", "rest_days": "1",
           "skip_meals": "yes", "push_through_fatigue": "no", "sleep_hours": "7", "fatigue": "usual",
           "diagnoses": ["none"], "mental_health": ["none"], "feels_off": "no"}


def _invite(app, instruments=("intake-bleeding",), days=14, email=None):
    clinician = app.test_client()
    acct = make_account(app)
    login(clinician, acct)
    pid = make_patient(app, acct, email=email)
    eid = make_episode(app, acct, pid)
    data = {"instruments": list(instruments), "days": str(days)}
    if email:
        data["send_email"] = "1"
    resp = post(clinician, f"/episodes/{eid}/invite", data)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    link = re.search(r'id="invite-link" value="([^"]+)"', resp.get_data(as_text=True)).group(1)
    token = link.rsplit("/p/", 1)[1]
    return clinician, acct, pid, token


def _invitation(app) -> Invitation:
    with app.app_context():
        inv = db.session.scalar(select(Invitation))
        db.session.expunge(inv)
        return inv


def _assessment(app) -> Assessment:
    with app.app_context():
        a = db.session.scalar(select(Assessment))
        db.session.expunge(a)
        return a


def _verify(client, token, dob=DOB):
    page = client.get(f"/p/{token}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(f"/p/{token}", data={**dob, "csrf_token": csrf})


def _csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _step(client, n, data):
    page = client.get(f"/intake/steps/{n}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    version = re.search(r'name="row_version" value="(\d+)"', page).group(1)
    return client.post(f"/intake/steps/{n}", data={"row_version": version, **data, "csrf_token": token})


def _submit_data(client):
    page = client.get("/intake/check").get_data(as_text=True)
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "row_version": re.search(r'name="row_version" value="(\d+)"', page).group(1)}


def test_token_is_256_bit_and_stored_only_as_a_hash(app):
    _, _, _, token = _invite(app)
    inv = _invitation(app)
    assert len(token) >= 43
    assert inv.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with app.app_context():
        for event in db.session.scalars(select(AuditEvent)):
            assert token not in repr(event.detail)


def test_email_goes_to_the_outbox_without_patient_data(app):
    clinician, _, _, token = _invite(app, email="pat@example.org")
    with app.app_context():
        msg = db.session.scalar(select(OutboxMessage))
        assert msg.to_address == "pat@example.org" and token not in msg.body and "/p/" not in msg.body
        assert "[link removed" in msg.body
        assert "Zzyzx" not in msg.body and "Qwerty" not in msg.body and "1901" not in msg.body
    assert "pat@example.org" in clinician.get("/outbox").get_data(as_text=True)


def test_get_and_head_never_use_up_the_link(app):
    _, _, _, token = _invite(app)
    scanner = app.test_client()
    assert scanner.head(f"/p/{token}").status_code == 200
    for _ in range(2):
        page = scanner.get(f"/p/{token}")
        assert page.status_code == 200 and "date of birth" in page.get_data(as_text=True)
        assert "Zzyzx" not in page.get_data(as_text=True)  # nothing about the patient before the check
    inv = _invitation(app)
    assert inv.opened_at is None and inv.submitted_at is None
    patient = app.test_client()
    assert _verify(patient, token).status_code == 303


def test_dob_check_moves_the_token_out_of_the_url(app):
    _, _, _, token = _invite(app)
    client = app.test_client()
    resp = _verify(client, token)
    assert resp.status_code == 303 and resp.headers["Location"] == "/intake"
    resp = client.get("/intake")
    assert resp.status_code == 303 and token not in resp.headers["Location"]
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200 and token not in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_five_wrong_dates_of_birth_lock_the_link_for_15_minutes(app):
    _, _, _, token = _invite(app)
    client = app.test_client()
    wrong = {"dob_day": "4", "dob_month": "2", "dob_year": "1901"}
    for _i in range(4):
        resp = _verify(client, token, wrong)
        assert resp.status_code == 422 and "does not match" in resp.get_data(as_text=True)
    resp = _verify(client, token, wrong)
    assert "paused for 15 minutes" in resp.get_data(as_text=True)
    resp = _verify(client, token)  # even the right date is refused while locked
    assert resp.status_code == 422 and "Too many tries" in resp.get_data(as_text=True)
    assert "intake.lockout" in _actions(app)
    with app.app_context():
        db.session.execute(update(Invitation).values(
            locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    assert _verify(client, token).status_code == 303


def test_unparseable_date_of_birth_keeps_what_was_typed(app):
    _, _, _, token = _invite(app)
    resp = _verify(app.test_client(), token, {"dob_day": "31", "dob_month": "2", "dob_year": "19x1"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'value="19x1"' in text and "Enter your date of birth as numbers" in text


def _actions(app):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action)))


def test_unknown_token_is_404(app, client):
    assert client.get("/p/" + "x" * 43).status_code == 404


def test_expired_link_answers_410_and_stores_nothing(app):
    _, _, _, token = _invite(app)
    client = app.test_client()
    assert _verify(client, token).status_code == 303
    with app.app_context():
        db.session.execute(update(Invitation).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        db.session.commit()
    assert client.get(f"/p/{token}").status_code == 410
    resp = client.post("/intake/steps/0", data={**CONTEXT, "action": "next",
                                                "csrf_token": "irrelevant"})
    assert resp.status_code == 410
    fresh = app.test_client()
    page = fresh.get(f"/p/{token}")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    assert _assessment(app).answers == {}


def test_link_valid_one_second_before_expiry(app):
    _, _, _, token = _invite(app)
    with app.app_context():
        db.session.execute(update(Invitation).values(expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)))
        db.session.commit()
    assert app.test_client().get(f"/p/{token}").status_code == 200


def test_patient_completes_resumes_and_submits_once(app):
    clinician, _, pid, token = _invite(app, instruments=("intake-bleeding", "iciq-ui-sf"))
    client = app.test_client()
    _verify(client, token)
    resp = _step(client, 0, {**CONTEXT, "action": "next"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/intake/steps/1")
    resp = _step(client, 1, {"heavy_periods": "no", "any_bleeding": "yes", "source": "vaginal", "action": "later"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/intake/saved")
    assert "Your answers are saved" in client.get("/intake/saved").get_data(as_text=True)
    assert client.get("/intake/steps/1").status_code == 403  # session ended on "finish later"

    # Closing the browser: a new client re-opens the link and resumes where they were.
    again = app.test_client()
    _verify(again, token)
    resp = again.get("/intake")
    assert resp.headers["Location"].endswith("/intake/steps/1")
    page = again.get("/intake/steps/1").get_data(as_text=True)
    assert checked_values(page, "source") == ["vaginal"]

    resp = _step(again, 1, {"heavy_periods": "no", "any_bleeding": "yes", "source": "vaginal", "timing": "after_runs",
                            "action": "save"})
    assert resp.status_code in (303, 422)
    a = _assessment(app)
    # The age is derived from the date of birth, never typed: 1901 gives an age outside the item's range,
    # so none is stored (test_intake_clinician covers a realistic date of birth).
    assert "age" not in a.answers["intake-context"] and a.status == "draft"


def _fill_all(app, client, token):
    _verify(client, token)
    _step(client, 0, {**CONTEXT, "action": "next"})
    resp = _step(client, 1, {"3": "weekly_or_less", "4": "small", "5": "2", "6": ["active"], "action": "next"})
    assert resp.headers["Location"].endswith("/intake/check")


def test_check_page_shows_answers_not_scores_then_thanks(app):
    clinician, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _fill_all(app, client, token)
    check = client.get("/intake/check").get_data(as_text=True)
    assert "Check your answers" in check and "About once a week or less" in check or "week" in check
    assert "Klovning" not in check and "T2a" not in check
    resp = client.post("/intake/submit", data=_submit_data(client))
    assert resp.status_code == 303
    thanks = client.get("/intake/thanks").get_data(as_text=True)
    assert "Thank you" in thanks and "T2a" not in thanks and "score" not in thanks.lower()
    a = _assessment(app)
    assert a.status == "submitted" and a.overall_tier == "T2a" and a.result["scores"]["iciq-ui-sf"]["total"] == 5
    assert app.test_client().get(f"/p/{token}").status_code == 410
    # The clinician's dashboard lists it for review.
    assert "Zzyzx Qwerty" in clinician.get("/").get_data(as_text=True)


def test_double_submit_from_eight_threads_gives_one_submission(app):
    _, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _fill_all(app, client, token)
    submit_data = _submit_data(client)
    cookie = client.get_cookie("phat_session").value
    barrier = threading.Barrier(8)
    codes = []

    def submit():
        c = app.test_client()
        c.set_cookie("phat_session", cookie)
        barrier.wait()
        codes.append(c.post("/intake/submit", data=submit_data).status_code)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [303] + [410] * 7
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "intake.submit")) == 1
        assert db.session.scalar(select(func.count()).select_from(Assessment)
                                 .where(Assessment.status == "submitted")) == 1


def test_tampered_ids_are_ignored(app):
    _, acct, _, token = _invite(app, instruments=("iciq-ui-sf",))
    # A second invitation for another patient of the same clinic.
    other_client = app.test_client()
    login(other_client, acct)
    pid2 = make_patient(app, acct, given_name="Other", family_name="Person", date_of_birth=dt.date(1980, 1, 1))
    eid2 = make_episode(app, acct, pid2)
    post(other_client, f"/episodes/{eid2}/invite", {"instruments": ["iciq-ui-sf"], "days": "14"})
    client = app.test_client()
    _verify(client, token)
    # Extra fields naming other objects are not trusted: the session decides the invitation.
    resp = _step(client, 0, {**CONTEXT, "action": "next", "invitation_id": "x", "assessment_id": "y"})
    assert resp.status_code == 303
    with app.app_context():
        rows = {a.patient_id: a.answers for a in db.session.scalars(select(Assessment))}
    assert rows[pid2] == {}
    assert client.get("/assessments/anything").status_code == 302  # clinician pages stay closed to patients


def test_expired_csrf_token_keeps_the_patients_answers(app):
    _, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _verify(client, token)
    resp = client.post("/intake/steps/1", data={"3": "daily", "5": "6", "action": "next", "csrf_token": "stale"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "were not saved yet" in text
    assert checked_values(text, "3") == ["daily"] and 'value="6"' in text


def test_lapsed_intake_session_asks_for_dob_on_the_same_page_and_saves(app):
    _, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _verify(client, token)
    csrf = _csrf(client, "/intake/steps/1")
    with client.session_transaction() as sess:
        sess["intake"] = {**sess["intake"], "until": "2000-01-01T00:00:00+00:00"}
    data = {"3": "daily", "4": "small", "5": "5", "6": ["active"], "action": "next", "csrf_token": csrf,
            "row_version": "1"}
    resp = client.post("/intake/steps/1", data=data)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 401 and "confirm your date of birth again" in text
    assert checked_values(text, "3") == ["daily"]
    resp = client.post("/intake/steps/1", data={**data, **DOB})
    assert resp.status_code == 303
    assert _assessment(app).answers["iciq-ui-sf"]["3"] == 3


def test_clinician_only_items_are_not_shown_to_patients(app):
    _, _, _, token = _invite(app, instruments=("reds-cat2",))
    client = app.test_client()
    _verify(client, token)
    page = client.get("/intake/steps/1").get_data(as_text=True)
    assert 'name="missed_cycles"' in page and 'name="ede_q_global"' not in page


def test_revoked_link_is_410(app):
    clinician, _, pid, token = _invite(app)
    inv = _invitation(app)
    assert post(clinician, f"/invitations/{inv.id}/revoke").status_code == 303
    assert app.test_client().get(f"/p/{token}").status_code == 410


def test_sensitive_questions_offer_discuss_in_person(app):
    _, _, _, token = _invite(app, instruments=())
    client = app.test_client()
    _verify(client, token)
    page = client.get("/intake/steps/0").get_data(as_text=True)
    assert "I&#39;d rather discuss this in person" in page or "I'd rather discuss this in person" in page


def test_patient_link_asks_the_new_questions_in_the_patient_voice(app):
    _, _, _, token = _invite(app, instruments=("intake-pelvic-pain", "phq-9", "epds"))
    client = app.test_client()
    _verify(client, token)
    page = client.get("/intake/steps/0").get_data(as_text=True)
    assert "Which of these best describes your periods" in page and "Menstrual / menopausal status" not in page
    assert 'name="age"' not in page
    assert 'name="last_birth"' in page and 'name="postnatal_screen"' in page
    resp = _step(client, 0, {**CONTEXT, "action": "next"})
    assert resp.status_code == 303
    pain = client.get("/intake/steps/1").get_data(as_text=True)
    assert 'name="ectopic_signs"' in pain and 'name="bony_tenderness"' not in pain  # clinician-only
    phq = client.get("/intake/steps/2").get_data(as_text=True)
    assert 'name="1"' in phq and 'name="9"' in phq  # items 3-9 follow on the page (shown by the PHQ-2 answers)
    epds = client.get("/intake/steps/3").get_data(as_text=True)
    assert 'name="10"' in epds and "116 123" in epds  # crisis contacts beside the safety follow-up


def test_patient_phq9_item_9_alerts_the_clinic(app):
    _, _, _, token = _invite(app, instruments=("phq-9",))
    client = app.test_client()
    _verify(client, token)
    assert _step(client, 0, {**CONTEXT, "action": "next"}).status_code == 303
    answers = {"1": "several_days", "2": "several_days", "3": "not_at_all", "4": "not_at_all", "5": "not_at_all",
               "6": "not_at_all", "7": "not_at_all", "8": "not_at_all", "9": "several_days", "10": "somewhat",
               "intent": "no", "action": "next"}
    assert _step(client, 1, answers).status_code == 303
    resp = client.post("/intake/submit", data=_submit_data(client))
    assert resp.status_code == 303
    a = _assessment(app)
    assert a.status == "submitted" and a.overall_tier == "T4"
    assert "MOOD-RISK" in {r["id"] for r in a.result["rules"] if r["red_flag"]}
def test_opening_a_submitted_intake_does_not_mark_it_reviewed_a_post_does(app):
    clinician, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _fill_all(app, client, token)
    client.post("/intake/submit", data=_submit_data(client))
    aid = _assessment(app).id
    page = clinician.get(f"/assessments/{aid}").get_data(as_text=True)
    assert "Mark as reviewed" in page
    clinician.head(f"/assessments/{aid}")
    assert _assessment(app).reviewed_at is None  # GET and HEAD change nothing
    resp = post(clinician, f"/assessments/{aid}/reviewed", {})
    assert resp.status_code == 303
    assert _assessment(app).reviewed_at is not None
    assert "Marked as reviewed on" in clinician.get(f"/assessments/{aid}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "assessment.reviewed")) == 1


def test_a_new_link_revokes_the_older_live_links_of_the_episode(app):
    clinician, acct, pid, first = _invite(app)
    with app.app_context():
        eid = db.session.scalar(select(Invitation.episode_id))
    resp = post(clinician, f"/episodes/{eid}/invite", {"instruments": ["intake-bleeding"], "days": "14"})
    second = re.search(r'id="invite-link" value="[^"]+/p/([^"]+)"', resp.get_data(as_text=True)).group(1)
    assert app.test_client().get(f"/p/{first}").status_code == 410
    assert app.test_client().get(f"/p/{second}").status_code == 200


def test_repeated_lockouts_revoke_the_link_and_say_so_in_the_audit(app):
    app.config["PATIENT_LINK_RATE_LIMIT"] = "1000 per minute"  # this test makes many requests on purpose
    _, _, _, token = _invite(app)
    wrong = {"dob_day": "4", "dob_month": "2", "dob_year": "1901"}
    cycles = app.config["DOB_MAX_LOCKS"]
    for _ in range(cycles):
        for _ in range(app.config["DOB_MAX_ATTEMPTS"]):
            _verify(app.test_client(), token, wrong)
        with app.app_context():  # let the lock pass
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            db.session.execute(update(Invitation).values(locked_until=past))
            db.session.commit()
    inv = _invitation(app)
    assert inv.revoked_at is not None and inv.lock_count == cycles
    assert app.test_client().get(f"/p/{token}").status_code == 410
    assert "intake.revoked_after_lockouts" in _actions(app)


def test_parallel_wrong_dates_never_exceed_the_attempt_limit(app):
    _, _, _, token = _invite(app)
    wrong = {"dob_day": "4", "dob_month": "2", "dob_year": "1901"}
    clients = []
    for _ in range(12):
        c = app.test_client()
        page = c.get(f"/p/{token}").get_data(as_text=True)
        clients.append((c, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)))
    barrier = threading.Barrier(len(clients))

    def guess(c, csrf):
        barrier.wait()
        c.post(f"/p/{token}", data={**wrong, "csrf_token": csrf})

    threads = [threading.Thread(target=guess, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    actions = _actions(app)
    evaluated = actions.count("intake.dob_failed") + actions.count("intake.lockout")
    assert evaluated == app.config["DOB_MAX_ATTEMPTS"]
    assert _invitation(app).locked_until is not None


def test_outbox_is_development_only(app_config, tmp_path):
    import pytest
    from werkzeug.exceptions import NotFound

    from clinic import create_app, mail

    prod = create_app({**app_config, "PHAT_ENV": "production", "TESTING": False,
                       "PUBLIC_BASE_URL": "https://phat.clinic.example", "TRUSTED_HOSTS": ["localhost"]},
                      instance_path=str(tmp_path / "p"))
    try:
        acct = make_account(prod)
        with prod.test_request_context("/outbox"):
            assert mail.send(acct.clinic_id, "pat@example.org", "Subject", "https://x.example/p/secret") == "none"
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
            with pytest.raises(NotFound):
                prod.view_functions["assessments.outbox"]()
    finally:
        prod.extensions["phat_engine"].dispose()


def test_submit_with_earlier_steps_missing_goes_to_the_first_incomplete_step(app):
    """IN-04: the final submit needs every step saved and finished; otherwise nothing is sent and the
    patient lands on the first unfinished step, told why, with the missing questions marked."""
    _, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _verify(client, token)

    def nothing_sent():
        inv, a = _invitation(app), _assessment(app)
        with app.app_context():
            audits = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.action == "intake.submit"))
        return inv.submitted_at is None and a.status == "draft" and a.submitted_at is None and audits == 0

    # Nothing saved yet: straight to "About you".
    resp = client.post("/intake/submit", data=_submit_data(client))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/intake/steps/0?incomplete=1")
    assert nothing_sent()
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="incomplete"' in page and "have not been sent yet" in page

    # "About you" finished, the questionnaire only saved half-way ("Save"): back to step 1.
    assert _step(client, 0, {**CONTEXT, "action": "next"}).status_code == 303
    assert _step(client, 1, {"3": "weekly_or_less", "action": "save"}).status_code == 303
    assert "Some questions here still need an answer." in client.get("/intake/check").get_data(as_text=True)
    resp = client.post("/intake/submit", data=_submit_data(client))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/intake/steps/1?incomplete=1")
    assert nothing_sent()
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    # Items 4-6 are marked, in the summary and at each question.
    assert "have not been sent yet" in page and page.count("This question needs an answer.") == 6
    assert checked_values(page, "3") == ["weekly_or_less"]  # what she saved is still there
    plain = client.get("/intake/steps/1").get_data(as_text=True)
    assert "This question needs an answer." not in plain  # marked only when sent unfinished

    # Finished: the same link now sends once.
    assert _step(client, 1, {"3": "weekly_or_less", "4": "small", "5": "2", "6": ["active"],
                             "action": "next"}).status_code == 303
    resp = client.post("/intake/submit", data=_submit_data(client))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/intake/thanks")
    assert _invitation(app).submitted_at is not None and _assessment(app).status == "submitted"


@pytest.mark.parametrize("failure", ["audit_record", "audit_insert"])
def test_a_failing_audit_write_stores_no_submission_and_the_retry_submits_once(app, monkeypatch, failure):
    """IN-05: the submission, its audit row and the invitation's status commit together.  The audit
    write fails either when it is added (clinic.audit.record raises) or when its INSERT runs at the
    commit, after the invitation's conditional UPDATE: nothing is stored, the patient sees the
    generic error page with its reference, the link still works, and pressing Send again submits
    exactly once."""
    from sqlalchemy import event

    from clinic import audit

    _, _, _, token = _invite(app, instruments=("iciq-ui-sf",))
    client = app.test_client()
    _fill_all(app, client, token)
    submit_data = _submit_data(client)

    class AuditDown(RuntimeError):
        pass

    def refuse_insert(_mapper, _connection, target):
        if target.action == "intake.submit":
            raise AuditDown("audit table unavailable")

    if failure == "audit_record":
        real = audit.record

        def record(action, **kw):
            if action == "intake.submit":
                raise AuditDown("audit table unavailable")
            return real(action, **kw)

        monkeypatch.setattr(audit, "record", record)
    else:
        event.listen(AuditEvent, "before_insert", refuse_insert)
    try:
        resp = client.post("/intake/submit", data=submit_data)
    finally:
        monkeypatch.undo()
        if event.contains(AuditEvent, "before_insert", refuse_insert):
            event.remove(AuditEvent, "before_insert", refuse_insert)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "something went wrong on our side" in text and resp.headers["X-Request-ID"] in text
    assert "Traceback" not in text and "AuditDown" not in text and "audit table" not in text

    inv, a = _invitation(app), _assessment(app)
    assert inv.submitted_at is None and a.status == "draft" and a.submitted_at is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "intake.submit")) == 0
    assert app.test_client().get(f"/p/{token}").status_code == 200  # the link still opens
    assert client.get("/intake/check").status_code == 200           # and her session still works

    resp = client.post("/intake/submit", data=_submit_data(client))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/intake/thanks")
    assert app.test_client().get(f"/p/{token}").status_code == 410  # sent: the link is used up
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "intake.submit")) == 1
        assert db.session.scalar(select(func.count()).select_from(Assessment)
                                 .where(Assessment.status == "submitted")) == 1
    assert _invitation(app).submitted_at is not None
