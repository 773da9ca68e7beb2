"""The five server-error reproducers of issue 13: each must be a 4xx with a clear message."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from clinic.db import db
from clinic.models import Patient, User

from .support import csrf_token, login, make_account, make_episode, make_patient, post
from .support_objects import extra_objects

HUGE = "99999999999999999999"
HUGER = "1" + "0" * 40


def _signed_in(app, client, role="admin"):
    acct = make_account(app, role=role)
    login(client, acct)
    return acct


def test_huge_user_id_in_url_is_404(app, client):
    _signed_in(app, client)
    resp = post(client, f"/admin/users/{HUGE}/deactivate", {})
    assert resp.status_code == 404
    assert client.get(f"/admin/users/{HUGE}/password").status_code == 404


def test_huge_version_in_url_is_404(app, client):
    acct = _signed_in(app, client, "clinician")
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    objs = extra_objects(app, acct, pid, eid)
    resp = client.get(f"/assessments/{objs['assessment_id']}/versions/{HUGE}999")
    assert resp.status_code == 404
    assert "Page not found" in resp.get_data(as_text=True)


def test_huge_date_of_birth_year_on_a_patient_link_is_a_kind_422(app):
    clinician = app.test_client()
    acct = _signed_in(app, clinician, "clinician")
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    resp = post(clinician, f"/episodes/{eid}/invite", {"instruments": ["intake-bleeding"], "days": "14"})
    token = re.search(r'id="invite-link" value="[^"]+/p/([^"]+)"', resp.get_data(as_text=True)).group(1)
    patient = app.test_client()
    page = patient.get(f"/p/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = patient.post(f"/p/{token}", data={"dob_day": "1", "dob_month": "1", "dob_year": HUGE, "csrf_token": csrf})
    assert resp.status_code == 422
    assert "Enter your date of birth as numbers" in resp.get_data(as_text=True)


def test_huge_days_on_an_invite_is_a_field_error(app, client):
    acct = _signed_in(app, client, "clinician")
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    resp = post(client, f"/episodes/{eid}/invite", {"instruments": ["intake-bleeding"], "days": HUGER})
    assert resp.status_code == 422
    assert "Choose between 1 and 60 days." in resp.get_data(as_text=True)


def test_nul_byte_in_login_email_is_400_with_a_message(app, client):
    token = csrf_token(client)
    resp = client.post("/login", data={"email": "a\x00b@x.org", "password": "whatever", "csrf_token": token})
    assert resp.status_code == 400
    assert "control character (NUL)" in resp.get_data(as_text=True)


def test_nul_byte_in_search_and_in_names_is_400_and_stores_nothing(app, client):
    _signed_in(app, client, "clinician")
    token = csrf_token(client, "/account/password")
    resp = client.post("/patients/search", data={"q": "ab\x00cd", "csrf_token": token})
    assert resp.status_code == 400
    resp = post(client, "/patients/new", {"given_name": "Zz\x00", "family_name": "Qwerty",
                                          "date_of_birth": "1980-01-01", "sex": "female"})
    assert resp.status_code == 400
    assert "control character (NUL)" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Patient)) == 0
    assert client.get("/patients/ab%00cd").status_code == 400


def test_post_without_csrf_to_a_signed_assessment_step_is_4xx(app, client):
    acct = _signed_in(app, client, "clinician")
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    objs = extra_objects(app, acct, pid, eid)  # a signed assessment
    resp = client.post(f"/assessments/{objs['assessment_id']}/steps/0", data={"x": "1"})
    assert resp.status_code == 409


def test_post_without_csrf_to_another_clinics_assessment_step_is_404(app, client):
    other = make_account(app, clinic="Clinic B")
    pid = make_patient(app, other)
    eid = make_episode(app, other, pid)
    objs = extra_objects(app, other, pid, eid)
    _signed_in(app, client, "clinician")
    resp = client.post(f"/assessments/{objs['assessment_id']}/steps/0", data={"x": "1"})
    assert resp.status_code == 404
    assert "Page not found" in resp.get_data(as_text=True)


def test_nothing_changed_by_refused_requests(app, client):
    acct = _signed_in(app, client)
    post(client, f"/admin/users/{HUGE}/deactivate", {})
    with app.app_context():
        assert db.session.get(User, acct.id).active
        assert dt.date.today()  # the app is still serving
    assert client.get("/").status_code == 200
