"""Clinician-run assessments: choose, fill step by step, review, sign, amend."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from clinic.db import db
from clinic.models import Assessment, AssessmentRevision

from .support import checked_values, login, make_account, make_episode, make_patient, post, sign_assessment

CONTEXT_OK = {"age": "52", "menopause": "post", "given_birth": "no", "contraception": ["none"],
              "running_status": "regular", "run_km_week": "40", "load_change": "none", "rest_days": "2",
              "skip_meals": "no", "push_through_fatigue": "no", "sleep_hours": "7", "fatigue": "usual",
              "diagnoses": ["none"], "mental_health": ["none"], "feels_off": "no"}


def _setup(app, client, complaints=("bleeding",)):
    acct = make_account(app)
    login(client, acct)
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid, complaints=complaints)
    return acct, pid, eid


def _start(client, eid, instruments):
    resp = post(client, f"/episodes/{eid}/assessments/new",
                {"instruments": instruments, "performed_on": dt.date.today().isoformat()})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    return resp.headers["Location"].split("/assessments/")[1].split("/")[0]


def _assessment(app, aid):
    with app.app_context():
        a = db.session.get(Assessment, aid)
        db.session.expunge(a)
        return a


def test_start_page_preticks_instruments_for_the_episode(app, client):
    _, _, eid = _setup(app, client, complaints=("bleeding", "incontinence"))
    text = client.get(f"/episodes/{eid}/assessments/new").get_data(as_text=True)
    assert 'value="intake-bleeding" id="instrument-intake-bleeding" checked' in text
    assert 'value="iciq-ui-sf" id="instrument-iciq-ui-sf" checked' in text
    assert 'value="csi" id="instrument-csi" checked' not in text


def test_full_clinic_assessment_review_sign_and_amend(app, client):
    acct, pid, eid = _setup(app, client)
    aid = _start(client, eid, ["intake-bleeding", "iciq-ui-sf"])
    a = _assessment(app, aid)
    assert a.instruments == ["intake-context", "intake-bleeding", "iciq-ui-sf"]
    assert a.definition_versions["iciq-ui-sf"]

    page = client.get(f"/assessments/{aid}/steps/0")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Step 1 of 3" in text and 'name="age"' not in text  # derived, never asked

    resp = post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "action": "next"}, version_from=True)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/assessments/{aid}/steps/1")
    resp = post(client, f"/assessments/{aid}/steps/1",
                {"heavy_periods": "no_periods", "any_bleeding": "yes", "source": "vaginal", "action": "save"},
                version_from=True)
    assert resp.status_code == 303  # a draft save: incomplete is fine
    resp = post(client, f"/assessments/{aid}/steps/2",
                {"3": "two_three_weekly", "4": "small", "5": "4", "6": ["cough_sneeze", "active"], "action": "next"},
                version_from=True)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/assessments/{aid}")

    review = client.get(f"/assessments/{aid}")
    text = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Red flags: act on these first" in text and "B4" in text  # post-menopausal bleeding at 52
    assert "NICE NG12" in text
    assert text.index("Red flags: act on these first") < text.index("Scores")
    assert "ICIQ-UI SF" in text and "<strong>8</strong>" in text  # Q3 2 + Q4 2 + Q5 4 = 8

    resp = sign_assessment(client, aid, "Discussed GP review today.")
    assert resp.status_code == 303
    a = _assessment(app, aid)
    assert a.status == "signed" and a.signed_by_id == acct.id and a.overall_tier in ("T3", "T4")
    # Locked: steps redirect to the review, posts change nothing.
    assert client.get(f"/assessments/{aid}/steps/2").status_code == 303
    post(client, f"/assessments/{aid}/steps/2", {"3": "never", "4": "none", "5": "0", "6": ["never"]})
    assert _assessment(app, aid).answers["iciq-ui-sf"]["3"] == 2

    resp = post(client, f"/assessments/{aid}/amend", {"reason": ""}, version_from=True)
    assert resp.status_code == 422 and "Say why" in resp.get_data(as_text=True)
    resp = post(client, f"/assessments/{aid}/amend", {"reason": "Patient corrected leakage frequency."},
                version_from=True)
    assert resp.status_code == 303
    resp = post(client, f"/assessments/{aid}/steps/2",
                {"3": "weekly_or_less", "4": "small", "5": "2", "6": ["cough_sneeze"], "action": "next"},
                version_from=True)
    assert resp.status_code == 303
    assert sign_assessment(client, aid, "Amended.").status_code == 303
    a = _assessment(app, aid)
    assert a.version == 2 and a.status == "signed" and a.answers["iciq-ui-sf"]["3"] == 1
    with app.app_context():
        rev = db.session.scalar(select(AssessmentRevision).where(AssessmentRevision.assessment_id == aid))
        assert rev.version == 1 and rev.answers["iciq-ui-sf"]["3"] == 2 and rev.amended_by_id == acct.id
        assert rev.reason == "Patient corrected leakage frequency."
    text = client.get(f"/assessments/{aid}").get_data(as_text=True)
    assert "Earlier versions" in text and "Patient corrected leakage frequency." in text
    assert client.get(f"/assessments/{aid}/versions/1").status_code == 200


def test_invalid_step_keeps_values_and_stores_nothing(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    resp = post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "rest_days": "abc", "sleep_hours": "99",
                                                       "run_km_week": "12,5", "action": "next"}, version_from=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "There is a problem" in text
    assert "Enter a whole number, for example 12." in text
    assert "no larger than 16" in text
    assert 'value="abc"' in text and 'value="99"' in text  # kept as typed
    assert 'href="#i-rest_days"' in text
    assert _assessment(app, aid).answers == {}


def test_next_requires_every_applicable_question_but_save_does_not(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    resp = post(client, f"/assessments/{aid}/steps/1", {"3": "daily", "action": "next"}, version_from=True)
    assert resp.status_code == 422 and "This question needs an answer." in resp.get_data(as_text=True)
    resp = post(client, f"/assessments/{aid}/steps/1", {"3": "daily", "action": "save"}, version_from=True)
    assert resp.status_code == 303
    assert _assessment(app, aid).answers["iciq-ui-sf"] == {"3": 3}


def test_questions_that_do_not_apply_are_dropped(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["intake-bleeding"])
    # 'source' only applies when there was bleeding: answering 'no' drops it.
    post(client, f"/assessments/{aid}/steps/1",
         {"heavy_periods": "no", "any_bleeding": "no", "source": "vaginal", "action": "save"}, version_from=True)
    saved = _assessment(app, aid).answers["intake-bleeding"]
    assert "source" not in saved and saved["any_bleeding"] is False


def test_tampered_option_codes_are_refused(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    resp = post(client, f"/assessments/{aid}/steps/1", {"3": "99", "4": "small", "5": "4", "6": ["hacked"],
                                                       "action": "save"}, version_from=True)
    assert resp.status_code == 422
    assert "iciq-ui-sf" not in _assessment(app, aid).answers


def test_steps_out_of_range_and_other_clinics(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    assert client.get(f"/assessments/{aid}/steps/9").status_code == 404
    other = app.test_client()
    login(other, make_account(app, clinic="Elsewhere"))
    assert other.get(f"/assessments/{aid}").status_code == 404
    assert other.get(f"/assessments/{aid}/steps/0").status_code == 404


def test_expired_csrf_token_rerenders_the_step_with_what_was_typed(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    resp = client.post(f"/assessments/{aid}/steps/1", data={"csrf_token": "expired-or-forged", "3": "daily",
                                                            "5": "7", "action": "next"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "nothing was saved yet" in text
    assert checked_values(text, "3") == ["daily"] and 'value="7"' in text
    assert "iciq-ui-sf" not in _assessment(app, aid).answers


def test_idle_sign_out_during_a_step_asks_for_the_password_and_saves(app, client):
    from sqlalchemy import update

    from clinic.models import LoginSession

    acct, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    from .support import csrf_token
    token = csrf_token(client, f"/assessments/{aid}/steps/1")
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
        db.session.commit()
    data = {"csrf_token": token, "row_version": "1", "3": "daily", "4": "small", "5": "3", "6": ["active"],
            "action": "next"}
    resp = client.post(f"/assessments/{aid}/steps/1", data=data)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 401 and "Sign in again to save this page" in text
    assert 'name="3" value="daily"' in text
    resp = client.post(f"/assessments/{aid}/steps/1", data={**data, "reauth_password": "wrong"})
    assert resp.status_code == 401 and "That password is not right." in text.replace(text, resp.get_data(as_text=True))
    resp = client.post(f"/assessments/{aid}/steps/1", data={**data, "reauth_password": acct.password})
    assert resp.status_code == 303
    assert _assessment(app, aid).answers["iciq-ui-sf"]["3"] == 3


def test_clinician_can_add_exam_findings(app, client):
    _, _, eid = _setup(app, client)
    aid = _start(client, eid, [])
    resp = post(client, f"/assessments/{aid}/add", {"instruments": ["oxford-perfect"]}, version_from=True)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/steps/1")
    assert _assessment(app, aid).instruments == ["intake-context", "oxford-perfect"]


def test_signing_needs_the_context_step(app, client):
    """IN-04 on the clinician's side: both signing steps (the review page's form and a direct POST to
    the confirmation) refuse an assessment without "About the patient", say why, and sign nothing."""
    from sqlalchemy import func

    from clinic.models import AuditEvent

    _, _, eid = _setup(app, client)
    aid = _start(client, eid, ["iciq-ui-sf"])
    for path in (f"/assessments/{aid}/sign", f"/assessments/{aid}/sign/confirm"):
        resp = post(client, path, {"notes": "typed notes"}, version_from=f"/assessments/{aid}")
        assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/assessments/{aid}"), path
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "Complete &#39;About the patient&#39; before signing" in page, path
        a = _assessment(app, aid)
        assert a.status == "draft" and a.signed_at is None and a.clinician_notes is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "assessment.sign")) == 0


def test_closed_episode_refuses_new_assessments(app, client):
    _, pid, eid = _setup(app, client)
    post(client, f"/episodes/{eid}/close", {"closed_on": dt.date.today().isoformat()}, version_from=True)
    resp = post(client, f"/episodes/{eid}/assessments/new", {"instruments": [],
                                                             "performed_on": dt.date.today().isoformat()})
    assert resp.status_code == 409


# ---- issue 11: age from the date of birth, "About you" carried over, clinician labels, new questions
def _realistic(app, client, complaints=("bleeding",)):
    acct = make_account(app)
    login(client, acct)
    pid = make_patient(app, acct, date_of_birth=dt.date(1990, 6, 15))
    eid = make_episode(app, acct, pid, complaints=complaints)
    return acct, pid, eid


def _start_on(client, eid, instruments, on: dt.date):
    resp = post(client, f"/episodes/{eid}/assessments/new",
                {"instruments": instruments, "performed_on": on.isoformat()})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    return resp.headers["Location"].split("/assessments/")[1].split("/")[0]


def test_age_is_derived_from_the_date_of_birth_and_never_asked(app, client):
    _, _, eid = _realistic(app, client)
    aid = _start_on(client, eid, ["iciq-ui-sf"], dt.date(2026, 6, 14))
    page = client.get(f"/assessments/{aid}/steps/0").get_data(as_text=True)
    assert 'name="age"' not in page
    resp = post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "action": "next"}, version_from=True)
    assert resp.status_code == 303
    assert _assessment(app, aid).answers["intake-context"]["age"] == 35  # the day before her 36th birthday


def test_assessment_date_before_the_date_of_birth_is_refused(app, client):
    _, _, eid = _realistic(app, client)
    resp = post(client, f"/episodes/{eid}/assessments/new",
                {"instruments": ["iciq-ui-sf"], "performed_on": "1990-06-14"})
    assert resp.status_code == 422
    assert "before the patient&#39;s date of birth" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Assessment)) is None


def test_clinic_reads_clinician_labels(app, client):
    _, _, eid = _realistic(app, client)
    aid = _start_on(client, eid, ["intake-pelvic-pain", "phq-9"], dt.date(2026, 3, 1))
    page = client.get(f"/assessments/{aid}/steps/0").get_data(as_text=True)
    assert "Menstrual / menopausal status" in page
    assert "Which of these best describes your periods" not in page
    assert 'name="last_birth"' in page and 'name="postnatal_screen"' in page
    pain_page = client.get(f"/assessments/{aid}/steps/1").get_data(as_text=True)
    assert 'name="ectopic_signs"' in pain_page and 'name="bony_tenderness"' in pain_page
    assert 'name="9"' in client.get(f"/assessments/{aid}/steps/2").get_data(as_text=True)


def test_bleeding_source_is_multiple_choice_and_cervix_field_shows_in_clinic(app, client):
    _, _, eid = _realistic(app, client)
    aid = _start_on(client, eid, ["intake-bleeding"], dt.date(2026, 3, 1))
    post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "action": "next"}, version_from=True)
    page = client.get(f"/assessments/{aid}/steps/1").get_data(as_text=True)
    assert 'type="checkbox"' in page and 'name="source"' in page and 'name="cervix"' in page
    resp = post(client, f"/assessments/{aid}/steps/1",
                {"heavy_periods": "no", "any_bleeding": "yes", "source": ["vaginal", "urine"],
                 "cervix": "abnormal_seen", "action": "save"}, version_from=True)
    assert resp.status_code == 303
    a = _assessment(app, aid)
    assert a.answers["intake-bleeding"]["source"] == ["vaginal", "urine"]
    assert a.overall_tier in ("T4", "T5") and "B5" in {r["id"] for r in a.result["rules"] if r["red_flag"]}


def test_about_you_is_carried_over_from_the_latest_assessment_in_the_episode(app, client):
    _, _, eid = _realistic(app, client)
    first = _start_on(client, eid, ["iciq-ui-sf"], dt.date(2026, 1, 5))
    postnatal = {**CONTEXT_OK, "menopause": "periods", "pregnancy": "no", "given_birth": "yes",
                 "last_birth": "within_2y", "weeks_since_birth": "10", "postnatal_screen": ["none"],
                 "delivery": "vaginal", "perineal_trauma": "minor", "breastfeeding": "yes"}
    resp = post(client, f"/assessments/{first}/steps/0", {**postnatal, "action": "next"}, version_from=True)
    assert resp.status_code == 303
    second = _start_on(client, eid, ["iciq-ui-sf"], dt.date(2026, 2, 16))
    page = client.get(f"/assessments/{second}/steps/0").get_data(as_text=True)
    assert 'id="carried-over"' in page and "05 Jan 2026" in page
    assert page.count("carried over</span>") >= 8  # each carried answer is marked
    assert 'value="16"' in page  # 10 weeks then, 6 weeks later
    assert checked_values(page, "breastfeeding") == ["yes"]
    assert checked_values(page, "pregnancy") == []  # "now" questions are asked afresh
    assert _assessment(app, second).answers == {}  # nothing stored until confirmed
    with app.app_context():
        from clinic.models import AuditEvent
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.prefill")) is not None


def test_answers_stored_when_the_blood_source_was_one_choice_still_show_and_prefill(app, client):
    _, _, eid = _realistic(app, client)
    aid = _start_on(client, eid, ["intake-bleeding"], dt.date(2026, 3, 1))
    post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "action": "next"}, version_from=True)
    with app.app_context():
        a = db.session.get(Assessment, aid)
        a.answers = {**a.answers, "intake-bleeding": {"heavy_periods": "no", "any_bleeding": True, "source": "urine",
                                                      "urine_after_runs": True, "urine_hours": 60,
                                                      "urine_still": False, "urine_recurs": False}}
        db.session.commit()
    page = client.get(f"/assessments/{aid}/steps/1").get_data(as_text=True)
    assert checked_values(page, "source") == ["urine"]
    review = client.get(f"/assessments/{aid}").get_data(as_text=True)
    assert "In my urine (pee)" in review and "Menstrual / menopausal status" in review
