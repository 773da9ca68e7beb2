"""Erasure versus retention (DATA-07): an erased patient with clinical records is restricted
(hidden, frozen, retained); one with nothing clinical is deleted; records past the retention
period are purged, leaving audit tombstones without patient data."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from clinic.db import db, utcnow
from clinic.models import (
    Assessment,
    AuditEvent,
    Episode,
    Invitation,
    Patient,
    PatientNamePart,
    User,
)

from .support import audit_actions, csrf_token, login, make_account, make_episode, make_patient, post, search
from .test_exports import make_assessment

NAME = dict(given_name="Ottilie", family_name="Vandersloot", date_of_birth=dt.date(1979, 6, 14),
            email="ottilie.v@example.org", identifier="REC-55501")


def _admin_with_patient(app, client, *, status: str | None = "submitted"):
    admin = make_account(app, role="admin")
    login(client, admin)
    pid = make_patient(app, admin, **NAME)
    eid = make_episode(app, admin, pid)
    aid = make_assessment(app, admin, pid, eid, status=status) if status else None
    return admin, pid, eid, aid


def _erase(client, pid: str, reason: str = "Erasure request by letter, 1 Dec 2026", confirm: bool = True):
    data = {"reason": reason}
    if confirm:
        data["confirm"] = "y"
    return post(client, f"/admin/patients/{pid}/erase", data, token_from=f"/admin/patients/{pid}/erase")


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_erasing_a_patient_with_a_submission_restricts_the_record(app, client):
    admin, pid, eid, aid = _admin_with_patient(app, client)
    page = client.get(f"/admin/patients/{pid}/erase")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "will be restricted, not deleted" in page.get_data(as_text=True)
    # The confirm box and a reason are required: nothing happens without them.
    resp = _erase(client, pid, confirm=False)
    assert resp.status_code == 422 and "Tick the box" in resp.get_data(as_text=True)
    resp = _erase(client, pid, reason="")
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.get(Patient, pid).restricted_at is None

    resp = _erase(client, pid)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/admin/restricted")
    with app.app_context():
        patient = db.session.get(Patient, pid)
        assert patient.restricted_at is not None and patient.restriction_reason.startswith("Erasure request")
        assert db.session.get(Assessment, aid) is not None  # retained
    assert _count(app, PatientNamePart, PatientNamePart.patient_id == pid) == 0
    assert "patient.restricted" in audit_actions(app)

    # Absent from the list, name search, date-of-birth search and the dashboard.
    for resp in (client.get("/patients"), search(client, "Vandersloot"), search(client, "ottil"),
                 search(client, "1979-06-14"), client.get("/")):
        assert resp.status_code == 200
        assert f"/patients/{pid}" not in resp.get_data(as_text=True)
    # The administrators' page lists it with the reason and the date.
    listing = client.get("/admin/restricted")
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "no-store" in listing.headers["Cache-Control"]
    assert "Vandersloot" in text and "Erasure request by letter" in text and f"{utcnow():%d %b %Y}" in text
    assert "patient.restricted_list" in audit_actions(app)
    # Administrators can still read it (read-only, said so); reading is audited.
    view = client.get(f"/patients/{pid}")
    shown = view.get_data(as_text=True)
    assert view.status_code == 200 and "Restricted record" in shown
    assert "Start assessment" not in shown and "Edit details" not in shown and "Erase this patient" not in shown
    # reindex-names does not put it back into search.
    assert app.test_cli_runner().invoke(args=["reindex-names"]).exit_code == 0
    assert _count(app, PatientNamePart, PatientNamePart.patient_id == pid) == 0
    # Erasing again changes nothing.
    resp = post(client, f"/admin/patients/{pid}/erase", {"reason": "again", "confirm": "y"})
    assert resp.status_code == 303
    assert audit_actions(app).count("patient.restricted") == 1


def test_restricted_record_refuses_edits_assessments_and_links(app, client):
    admin, pid, eid, aid = _admin_with_patient(app, client)
    with app.app_context():  # a live link made before the request
        from clinic.operations import create_invitation

        inv, _token = create_invitation(db.session.get(Episode, eid), db.session.get(User, admin.id), ["nprs"], 14)
        db.session.commit()
        inv_id = inv.id
    edit_token = csrf_token(client, f"/patients/{pid}/edit")
    assert _erase(client, pid).status_code == 303
    with app.app_context():
        assert db.session.get(Invitation, inv_id).revoked_at is not None  # the unused link stops working

    attempts = [
        (f"/patients/{pid}/edit", {"given_name": "Changed", "family_name": "Name", "date_of_birth": "1979-06-14",
                                   "sex": "female", "row_version": "1"}),
        (f"/patients/{pid}/episodes/new", {"complaints": "bleeding", "opened_on": "2026-12-01"}),
        (f"/episodes/{eid}/assessments/new", {"instruments": "nprs"}),
        (f"/episodes/{eid}/invite", {"instruments": "nprs", "days": "14"}),
        (f"/episodes/{eid}/close", {"closed_on": "2026-12-01", "row_version": "1"}),
        (f"/assessments/{aid}/reviewed", {"row_version": "1"}),
    ]
    for path, data in attempts:
        resp = client.post(path, data={**data, "csrf_token": edit_token})
        assert resp.status_code == 409, (path, resp.status_code)
        assert "record is restricted" in resp.get_data(as_text=True), path
    with app.app_context():
        patient = db.session.get(Patient, pid)
        assert patient.given_name == "Ottilie"
        assert db.session.scalar(select(func.count()).select_from(Episode).where(Episode.patient_id == pid)) == 1
        assert db.session.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.patient_id == pid)) == 1
    assert "access.restricted" in audit_actions(app)

    # A clinician cannot open the restricted record at all (and is told why).
    clinician = make_account(app, clinic="Clinic A", role="clinician")
    other = app.test_client()
    login(other, clinician)
    resp = other.get(f"/patients/{pid}")
    assert resp.status_code == 403 and "restricted" in resp.get_data(as_text=True)
    assert other.get(f"/assessments/{aid}").status_code == 403
    # The patient's own copy can still be prepared by an administrator (a subject access request).
    resp = post(client, f"/patients/{pid}/record", {})
    assert resp.status_code == 303


def test_erasing_a_patient_with_only_an_unused_link_deletes_her_rows(app, client):
    admin, pid, eid, _ = _admin_with_patient(app, client, status=None)
    with app.app_context():
        from clinic.operations import create_invitation

        inv, _token = create_invitation(db.session.get(Episode, eid), db.session.get(User, admin.id), ["nprs"], 14)
        inv.sent_to = NAME["email"]
        db.session.commit()
        draft_id = inv.assessment_id
    page = client.get(f"/admin/patients/{pid}/erase").get_data(as_text=True)
    assert "Everything about her will be deleted now" in page
    resp = _erase(client, pid)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/patients")
    with app.app_context():
        assert db.session.get(Patient, pid) is None
        assert db.session.get(Assessment, draft_id) is None
    for model, column in ((Episode, Episode.patient_id), (Invitation, Invitation.patient_id),
                          (Assessment, Assessment.patient_id), (PatientNamePart, PatientNamePart.patient_id)):
        assert _count(app, model, column == pid) == 0, model.__name__
    # The audit event keeps the id and counts, never her details.
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.erased"))
        assert event.patient_id == pid
        stored = json.dumps(event.detail)
    for value in ("Ottilie", "Vandersloot", "1979", "ottilie.v@example.org", "REC-55501"):
        assert value not in stored
    assert client.get(f"/patients/{pid}").status_code == 404


def test_erasing_needs_an_administrator_and_a_recent_sign_in(app, client):
    clinician = make_account(app)
    login(client, clinician)
    pid = make_patient(app, clinician, **NAME)
    assert client.get(f"/admin/patients/{pid}/erase").status_code == 403
    assert post(client, f"/admin/patients/{pid}/erase", {"reason": "x", "confirm": "y"}).status_code == 403
    assert client.get("/admin/restricted").status_code == 403
    with app.app_context():
        assert db.session.get(Patient, pid) is not None

    admin = make_account(app, role="admin")
    client = app.test_client()
    login(client, admin)
    with client.session_transaction() as s:
        s["fresh_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    resp = client.get(f"/admin/patients/{pid}/erase")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/account/confirm")
    # Without a CSRF token a POST is refused.
    assert client.post(f"/admin/patients/{pid}/erase", data={"reason": "x", "confirm": "y"}).status_code == 400
    # Another clinic's patient: 404.
    intruder = make_account(app, clinic="Clinic B", role="admin")
    other = app.test_client()
    login(other, intruder)
    assert other.get(f"/admin/patients/{pid}/erase").status_code == 404


def test_restricted_patients_are_left_out_of_bulk_export_and_research_csv(app, client, monkeypatch):
    from clinic import exports, jobs
    from clinic.models import Job

    admin = make_account(app, role="admin")
    login(client, admin)
    kept = make_patient(app, admin, given_name="Keep", family_name="Around")
    kept_ep = make_episode(app, admin, kept)
    kept_a = make_assessment(app, admin, kept, kept_ep)
    gone = make_patient(app, admin, **NAME)
    gone_ep = make_episode(app, admin, gone)
    gone_a = make_assessment(app, admin, gone, gone_ep)
    assert _erase(client, gone).status_code == 303
    today = dt.date.today()
    with app.app_context():
        assert [a.id for a in exports.signed_in_range(admin.clinic_id, today, today)] == [kept_a]
        job = Job(kind="bulk_reports", clinic_id=admin.clinic_id, params={"from": today.isoformat(),
                                                                          "to": today.isoformat()})
        assert jobs.bulk_selection(job) == [kept_a]
        from clinic.reports import signed_between

        assert [a.id for a in signed_between(admin.clinic_id, today, today)] == [kept_a]
    resp = post(client, "/exports/csv", {"csv_start": today.isoformat(), "csv_end": today.isoformat(),
                                         "identifiers": "y"}, token_from="/exports")
    text = resp.data.decode("utf-8-sig")
    assert resp.status_code == 200 and "Around" in text and "Vandersloot" not in text and gone not in text
    assert gone_a not in text
    # Episode export of the restricted patient is refused.
    resp = post(client, f"/episodes/{gone_ep}/export-reports", {"kinds": "clinician"})
    assert resp.status_code == 409


def test_purge_deletes_records_past_retention_and_leaves_a_tombstone_without_patient_data(app, client,
                                                                                          monkeypatch):
    from clinic import privacy

    admin, pid, eid, aid = _admin_with_patient(app, client, status="signed")
    assert _erase(client, pid).status_code == 303  # restricted, retained
    recent = make_patient(app, admin, given_name="Recent", family_name="Visitor")
    assert app.config["RETENTION_YEARS"] == 8
    # Seven years and a half later: nothing is past the retention period yet.
    monkeypatch.setattr(privacy, "utcnow", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 7 + 180))
    result = app.test_cli_runner().invoke(args=["purge-retention"])
    assert result.exit_code == 0 and result.output.startswith("0 patient records"), result.output
    with app.app_context():
        assert db.session.get(Patient, pid) is not None
    # Eight years and a day after the last contact: she is deleted, with everything about her.
    monkeypatch.setattr(privacy, "utcnow", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 8 + 3))
    result = app.test_cli_runner().invoke(args=["purge-retention", "--dry-run"])
    assert result.output.startswith("2 patient records") and "would be deleted" in result.output
    with app.app_context():
        assert db.session.get(Patient, pid) is not None
    # A visit in the meantime keeps the record: the period runs from the last contact.
    make_assessment(app, admin, recent, make_episode(app, admin, recent), status="submitted", days_ago=-365 * 5)
    result = app.test_cli_runner().invoke(args=["purge-retention"])
    assert result.exit_code == 0 and result.output.startswith("1 patient record "), result.output
    with app.app_context():
        assert db.session.get(Patient, pid) is None and db.session.get(Assessment, aid) is None
        assert db.session.get(Patient, recent) is not None
        assert db.session.scalar(select(func.count()).select_from(Episode).where(Episode.patient_id == pid)) == 0
        tomb = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.retention_purged"))
        assert tomb.patient_id == pid and tomb.object_id == pid
        stored = json.dumps({"detail": tomb.detail, "object": tomb.object_type, "ip": tomb.ip})
        assert tomb.detail["retention_years"] == 8 and tomb.detail["restricted"] is True
    for value in ("Ottilie", "Vandersloot", "1979", "06-14", "ottilie.v@example.org", "REC-55501"):
        assert value not in stored


def test_purge_runs_as_the_nightly_job(app, client, monkeypatch):
    from clinic import privacy

    admin, pid, _eid, _aid = _admin_with_patient(app, client)
    monkeypatch.setattr(privacy, "utcnow", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 9))
    result = app.test_cli_runner().invoke(args=["jobs-enqueue", "purge_retention"])
    assert result.exit_code == 0, result.output
    assert "'patients': 1" in result.output
    with app.app_context():
        assert db.session.get(Patient, pid) is None
    assert "patient.retention_purged" in audit_actions(app)


def test_retention_years_is_configurable_and_checked(app_config, tmp_path):
    import pytest

    from clinic import create_app
    from clinic.config import ConfigError, from_environment

    assert from_environment({"PHAT_RETENTION_YEARS": "25"}) == {"RETENTION_YEARS": 25}
    with pytest.raises(ConfigError):
        create_app({**app_config, "RETENTION_YEARS": 0}, instance_path=str(tmp_path / "i"))
