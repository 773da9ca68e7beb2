"""Clinic settings: administrators only, validated, stored per clinic in the database, used by
reports, patient pages and emails; the logo upload is checked and size-capped."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from clinic.db import db
from clinic.models import Clinic, OutboxMessage

from .support import login, make_account, make_episode, make_patient, post, sign_assessment
from .test_signing import _ready

VALID = {"name": "Harbour Pelvic Health", "address": "12 Harbour Street, Leith EH6 6QN", "phone": "0131 555 0100",
         "email": "hello@harbour.example", "alert_email": "urgent@harbour.example", "postnatal_window_months": "9"}


def _png(size=(120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


def _save(client, data, **files):
    payload = {**data, **{k: (io.BytesIO(v), name) for k, (v, name) in files.items()}}
    return post(client, "/admin/clinic", payload, version_from=True, content_type="multipart/form-data")


def test_only_administrators_reach_the_settings(app):
    clinician = app.test_client()
    login(clinician, make_account(app))
    assert clinician.get("/admin/clinic").status_code == 403


def test_settings_are_validated_and_nothing_typed_is_lost(app):
    admin = app.test_client()
    login(admin, make_account(app, role="admin"))
    resp = _save(admin, {**VALID, "phone": "call me", "alert_email": "not-an-address", "postnatal_window_months": "99"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Enter a phone number" in text and "Enter an email address" in text and "between 3 and 24" in text
    assert 'value="Harbour Pelvic Health"' in text and 'value="call me"' in text
    resp = _save(admin, VALID, logo=(b"GIF89a not really", "logo.png"))
    assert resp.status_code == 422 and "not a PNG or JPEG" in resp.get_data(as_text=True)
    resp = _save(admin, VALID, logo=(b"\x89PNG" + b"0" * (300 * 1024), "big.png"))
    assert resp.status_code == 422 and "at most 256 KB" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Clinic.phone)) is None


def test_saved_settings_reach_reports_patient_pages_and_emails(app):
    from clinic.settings import engine_overrides, for_clinic

    acct = make_account(app, role="admin")
    admin = app.test_client()
    login(admin, acct)
    logo = _png()
    resp = _save(admin, VALID, logo=(logo, "logo.png"))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        settings = for_clinic(acct.clinic_id)
        assert settings.name == "Harbour Pelvic Health" and settings.phone == "0131 555 0100"
        assert settings.alert_email == "urgent@harbour.example" and settings.logo == logo
        assert settings.logo_mime == "image/png" and settings.postnatal_window_months == 9
        overrides = engine_overrides(acct.clinic_id)
        from clinic.settings import engine_keys
        assert overrides == ({"postnatal_window_months": 9} if "postnatal_window_months" in engine_keys() else {})
    assert admin.get("/admin/clinic/logo").data == logo
    # Reports print the name, address, phone and logo.
    setup, aid = _ready(app, admin, setup=(acct, *_patient_and_episode(app, acct)))
    assert sign_assessment(admin, aid, "").status_code == 303
    data = admin.get(f"/assessments/{aid}/report/patient.pdf").data
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Harbour Pelvic Health" in text and "0131 555 0100" in text
    assert any(page.images for page in reader.pages)  # the logo
    # Emails: the invitation names the clinic and its phone number.
    pid, eid = _patient_and_episode(app, acct, email="pat@example.org")
    resp = post(admin, f"/episodes/{eid}/invite", {"instruments": ["iciq-ui-sf"], "days": "14", "send_email": "1"})
    assert resp.status_code == 200
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        assert "Harbour Pelvic Health" in mail.subject and "0131 555 0100" in mail.body
    # A second save from the same (now stale) form is refused, not silently applied.
    stale = post(admin, "/admin/clinic", {**VALID, "name": "Old tab", "row_version": "1"},
                 content_type="multipart/form-data")
    assert stale.status_code == 409


def _patient_and_episode(app, acct, email=None):
    pid = make_patient(app, acct, email=email)
    eid = make_episode(app, acct, pid, complaints=("bleeding", "incontinence"))
    return pid, eid
