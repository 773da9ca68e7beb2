"""Exports from the web and the command line: FHIR (validated with the R4B models), the research
CSV, REDCap, the patient's own copy; every one audited and scoped to the clinic."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from assessments import redcap

from .support import audit_actions, csrf_token, login, make_account, make_episode, make_patient, post

ANSWERS = {
    "intake-context": {"age": 34, "menopause": "periods", "pregnancy": "no", "given_birth": False,
                       "contraception": ["none"], "running_status": "regular", "run_km_week": 30,
                       "load_change": "none", "rest_days": 2, "race_goal": "half", "skip_meals": False,
                       "push_through_fatigue": False, "sleep_hours": 7.5, "fatigue": "usual",
                       "life_stress": "moderate", "diagnoses": ["none"], "mental_health": ["none"], "feels_off": False},
    "nprs": {"worst": 7, "average": 4},
    "iciq-ui-sf": {"3": 3, "4": 2, "5": 5, "6": ["cough_sneeze", "active"]},
}


def make_assessment(app, account, patient_id, episode_id, *, status="signed", days_ago=0, answers=None) -> str:
    import assessments
    from clinic import catalogue as defs
    from clinic.db import db, utcnow
    from clinic.models import Assessment
    from clinic.operations import refresh_result

    answers = answers or ANSWERS
    with app.app_context():
        clean = {iid: assessments.clean_answers(assessments.get(iid), given) for iid, given in answers.items()}
        instruments = defs.order(list(clean))
        a = Assessment(clinic_id=account.clinic_id, patient_id=patient_id, episode_id=episode_id, status=status,
                       performed_on=dt.date.today() - dt.timedelta(days=days_ago), clinician_id=account.id,
                       instruments=instruments, answers=clean,
                       definition_versions={i: defs.get(i).version for i in instruments})
        db.session.add(a)
        db.session.flush()
        refresh_result(a)
        if status in ("submitted", "signed"):
            a.submitted_at = utcnow()
        if status == "signed":
            a.signed_at, a.signed_by_id = utcnow(), account.id
        db.session.commit()
        return a.id


@pytest.fixture
def setup(app):
    account = make_account(app, role="clinician")
    patient_id = make_patient(app, account, identifier="943 476 5919")
    episode_id = make_episode(app, account, patient_id, complaints=("incontinence", "pelvic_pain"))
    assessment_id = make_assessment(app, account, patient_id, episode_id)
    return account, patient_id, episode_id, assessment_id


def _entries(data, kind):
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_export_of_a_signed_assessment_validates_and_is_audited(app, client, setup):
    account, patient_id, _episode_id, assessment_id = setup
    login(client, account)
    assert "FHIR export" in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    resp = client.get(f"/assessments/{assessment_id}/fhir.json")
    assert resp.status_code == 200 and resp.mimetype == "application/fhir+json"
    disposition = resp.headers["Content-Disposition"]
    assert "Zzyzx" not in disposition and assessment_id not in disposition and patient_id not in disposition
    assert resp.headers["Cache-Control"] == "no-store"
    data = json.loads(resp.data)
    Bundle.model_validate(data)
    assert _entries(data, "Patient")[0]["identifier"][0]["value"] == "943 476 5919"
    assert {r["status"] for r in _entries(data, "QuestionnaireResponse")} == {"completed"}
    nprs = [o for o in _entries(data, "Observation") if o["code"]["coding"][0].get("code") == "72514-3"]
    assert len(nprs) == 1 and nprs[0]["valueQuantity"]["value"] == 7
    docs = _entries(data, "DocumentReference")
    assert len(docs) == 2
    for doc in docs:
        raw = base64.b64decode(doc["content"][0]["attachment"]["data"])
        assert raw.startswith(b"%PDF")
        assert doc["identifier"][0]["value"] == f"urn:sha256:{hashlib.sha256(raw).hexdigest()}"
    assert "export.fhir" in audit_actions(app)


def test_a_draft_is_not_exported_and_an_amended_one_says_so(app, client, setup):
    account, patient_id, episode_id, assessment_id = setup
    draft = make_assessment(app, account, patient_id, episode_id, status="draft")
    login(client, account)
    assert client.get(f"/assessments/{draft}/fhir.json").status_code == 409
    from clinic.db import db
    from clinic.models import Assessment

    with app.app_context():
        db.session.get(Assessment, assessment_id).version = 2
        db.session.commit()
    data = json.loads(client.get(f"/assessments/{assessment_id}/fhir.json").data)
    assert {r["status"] for r in _entries(data, "QuestionnaireResponse")} == {"amended"}
    assert {d["docStatus"] for d in _entries(data, "DocumentReference")} == {"amended"}


def test_patient_record_zip_holds_readme_bundle_and_signed_pdfs(app, client, setup):
    account, patient_id, episode_id, _assessment_id = setup
    make_assessment(app, account, patient_id, episode_id, status="submitted", days_ago=3)
    login(client, account)
    page = client.get(f"/patients/{patient_id}").get_data(as_text=True)
    assert f"/patients/{patient_id}/record" in page and f"/patients/{patient_id}/fhir.json" in page
    resp = post(client, f"/patients/{patient_id}/record", token_from=f"/patients/{patient_id}")
    assert resp.status_code == 303  # made by a job (here at once: the tests run jobs in-process)
    job_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Copy of the record for the patient" in job_page and "Download the zip (2 PDF files)" in job_page
    resp = client.get(resp.headers["Location"] + "/download")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert patient_id not in resp.headers["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    names = set(zf.namelist())
    pdfs = {n for n in names if n.startswith("documents/")}
    assert {"README.txt", "health-record.fhir.json"} <= names and len(pdfs) == 2
    readme = zf.read("README.txt").decode()
    assert "2 assessment(s)" in readme and "FHIR" in readme
    data = json.loads(zf.read("health-record.fhir.json"))
    Bundle.model_validate(data)
    urls = {d["content"][0]["attachment"]["url"] for d in _entries(data, "DocumentReference")}
    assert urls == pdfs
    for doc in _entries(data, "DocumentReference"):
        raw = zf.read(doc["content"][0]["attachment"]["url"])
        assert doc["identifier"][0]["value"] == f"urn:sha256:{hashlib.sha256(raw).hexdigest()}"
    statuses = sorted(r["status"] for r in _entries(data, "QuestionnaireResponse"))
    assert "in-progress" in statuses and "completed" in statuses
    assert "export.patient" in audit_actions(app)
    data = json.loads(client.get(f"/patients/{patient_id}/fhir.json").data)
    Bundle.model_validate(data)
    assert len({r["id"] for r in _entries(data, "RiskAssessment")}) == 2


def _rows(resp):
    text = resp.data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_research_csv_is_pseudonymous_for_clinicians_and_guards_formulas(app, client, setup):
    account, patient_id, _episode_id, assessment_id = setup
    login(client, account)
    today = dt.date.today().isoformat()
    resp = post(client, "/exports/csv", {"csv_start": today, "csv_end": today}, token_from="/exports")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = _rows(resp)
    assert len(rows) == 3  # one per instrument of the one signed assessment
    assert {r["instrument"] for r in rows} == {"intake-context", "nprs", "iciq-ui-sf"}
    nprs = next(r for r in rows if r["instrument"] == "nprs")
    assert nprs["total"] == "7" and nprs["overall_tier"]
    assert "Pelvic pain" in nprs["complaints"]
    text = resp.data.decode("utf-8-sig")
    assert patient_id not in text and assessment_id not in text and "Zzyzx" not in text and "943" not in text
    assert len({r["patient_key"] for r in rows}) == 1
    # Asking for identifiers is for administrators only: refused beside the field, nothing exported.
    before = audit_actions(app).count("export.csv")
    resp = post(client, "/exports/csv", {"csv_start": today, "csv_end": today, "identifiers": "y"},
                token_from="/exports")
    assert resp.status_code == 422 and "Only an administrator" in resp.get_data(as_text=True)
    assert audit_actions(app).count("export.csv") == before
    resp = post(client, "/exports/csv", {"csv_start": today, "csv_end": "2000-01-01"}, token_from="/exports")
    assert resp.status_code == 422 and "before the first" in resp.get_data(as_text=True)


def test_admin_csv_with_identifiers_neutralises_formula_cells(app, client):
    admin = make_account(app, role="admin")
    patient_id = make_patient(app, admin, given_name="=HYPERLINK(\"http://x\")", family_name="@Sum",
                              identifier="+44 123")
    episode_id = make_episode(app, admin, patient_id)
    make_assessment(app, admin, patient_id, episode_id)
    login(client, admin)
    today = dt.date.today().isoformat()
    resp = post(client, "/exports/csv", {"csv_start": today, "csv_end": today, "identifiers": "y"},
                token_from="/exports")
    assert resp.status_code == 200
    rows = _rows(resp)
    assert rows[0]["given_name"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["family_name"] == "'@Sum" and rows[0]["identifier"] == "'+44 123"
    assert rows[0]["patient_id"] == patient_id


def test_redcap_downloads_have_the_standard_columns_and_branching(app, client, setup):
    account = setup[0]
    login(client, account)
    assert "redcap.csv" in client.get("/exports").get_data(as_text=True)
    resp = client.get("/definitions/intake-bleeding/redcap.csv")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.data.decode())))
    assert tuple(rows[0]) == redcap.COLUMNS and len(rows[0]) == 18
    assert rows[1][0] == "record_id"
    assert any(r[11] for r in rows[2:])  # branching logic
    zf = zipfile.ZipFile(io.BytesIO(client.get("/definitions/pop-ss/redcap.zip").data))
    assert sorted(zf.namelist()) == ["OriginID.txt", "instrument.csv"]
    assert client.get("/definitions/nope/redcap.csv").status_code == 404


def test_cli_exports(app, setup, tmp_path):
    account, patient_id, _episode_id, assessment_id = setup
    runner = app.test_cli_runner()
    out = tmp_path / "one.json"
    result = runner.invoke(args=["export-fhir", "--assessment", assessment_id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    Bundle.model_validate(json.loads(out.read_text()))
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    result = runner.invoke(args=["export-fhir", "--patient", patient_id, "--out", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["export-fhir", "--out", str(tmp_path / "x.json")])
    assert result.exit_code != 0 and "exactly one" in result.output
    today = dt.date.today().isoformat()
    result = runner.invoke(args=["export-csv", "--from", today, "--to", today, "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0 and "3 rows" in result.output
    result = runner.invoke(args=["export-csv", "--from", "nope", "--to", today, "--out", str(tmp_path / "r.csv")])
    assert result.exit_code != 0 and "not a date" in result.output
    result = runner.invoke(args=["export-redcap", "wexner", "--out", str(tmp_path / "w.zip")])
    assert result.exit_code == 0 and zipfile.is_zipfile(tmp_path / "w.zip")
    result = runner.invoke(args=["export-redcap", "wexner", "--out", str(tmp_path / "w.csv")])
    assert result.exit_code == 0
    assert tuple(next(csv.reader(io.StringIO((tmp_path / "w.csv").read_text())))) == redcap.COLUMNS
    from clinic.db import db
    from clinic.models import AuditEvent

    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("export.%"))))
    assert actions.count("export.fhir") == 2 and actions.count("export.csv") == 1


def _stale(client):
    with client.session_transaction() as s:
        s["fresh_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()


def _export_started(app) -> tuple[int, list[str]]:
    """Jobs made and export audit events written so far."""
    from sqlalchemy import func

    from clinic.db import db
    from clinic.models import Job

    with app.app_context():
        jobs = db.session.scalar(select(func.count()).select_from(Job))
    return jobs, [a for a in audit_actions(app) if a.startswith("export.")]


@pytest.mark.parametrize("export", ["research_csv", "bulk_reports", "episode_reports", "patient_record",
                                    "patient_fhir"])
def test_bulk_exports_need_a_recent_sign_in(app, client, setup, export):
    """SESS-06: a sign-in older than REAUTH_FRESH_MINUTES is sent to "confirm it is you" before any
    bulk or whole-record export; nothing is started or exported; after confirming it works."""
    account, patient_id, episode_id, _assessment_id = setup
    today = dt.date.today().isoformat()
    requests = {
        "research_csv": ("POST", "/exports/csv", {"csv_start": today, "csv_end": today}, "/exports"),
        "bulk_reports": ("POST", "/exports/reports", {"start": today, "end": today, "kinds": "clinician"},
                         "/exports"),
        "episode_reports": ("POST", f"/episodes/{episode_id}/export-reports", {"kinds": "clinician"},
                            f"/patients/{patient_id}"),
        "patient_record": ("POST", f"/patients/{patient_id}/record", {}, f"/patients/{patient_id}"),
        "patient_fhir": ("GET", f"/patients/{patient_id}/fhir.json", None, f"/patients/{patient_id}/fhir.json"),
    }
    method, path, data, back = requests[export]

    def attempt():
        if method == "GET":
            return client.get(path)
        return post(client, path, data, token_from=back)

    login(client, account)
    _stale(client)
    before = _export_started(app)
    resp = attempt()
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/account/confirm")
    assert _export_started(app) == before  # no job, no export, nothing audited as exported
    token = csrf_token(client, "/account/confirm")
    resp = client.post("/account/confirm", data={"password": "not the password at all", "csrf_token": token})
    assert resp.status_code == 422
    assert _export_started(app) == before
    resp = client.post("/account/confirm", data={"password": account.password, "csrf_token": token})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(back)  # back to the form (or the file)
    resp = attempt()
    if export in ("research_csv", "patient_fhir"):
        assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")
    else:
        assert resp.status_code == 303 and "/jobs/" in resp.headers["Location"]
    jobs_after, exported = _export_started(app)
    assert jobs_after + len(exported) > before[0] + len(before[1])
