"""Signing is confirmed (summary, reviewed version, fresh password when the sign-in is old) and
archives both PDFs; a signed download is the archived bytes, byte-identical after a later visit;
an amendment archives a new version that says what it supersedes; a render failure signs
nothing; `phat verify-archive` checks every document."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from pypdf import PdfReader
from sqlalchemy import select, update

from clinic.db import db
from clinic.models import Assessment, LoginSession, SignedDocument

from .support import login, make_account, make_episode, make_patient, post, sign_assessment
from .test_intake_clinician import CONTEXT_OK

ICIQ = {"3": "two_three_weekly", "4": "small", "5": "4", "6": ["cough_sneeze"], "action": "next"}
BLEEDING = {"heavy_periods": "no_periods", "any_bleeding": "yes", "source": "vaginal", "action": "save"}


def _ready(app, client, *, performed_on: dt.date | None = None, setup=None):
    acct, pid, eid = setup or (None, None, None)
    if acct is None:
        acct = make_account(app)
        login(client, acct)
        pid = make_patient(app, acct)
        eid = make_episode(app, acct, pid, complaints=("bleeding", "incontinence"))
    resp = post(client, f"/episodes/{eid}/assessments/new",
                {"instruments": ["intake-bleeding", "iciq-ui-sf"],
                 "performed_on": (performed_on or dt.date.today()).isoformat()})
    aid = resp.headers["Location"].split("/assessments/")[1].split("/")[0]
    assert post(client, f"/assessments/{aid}/steps/0", {**CONTEXT_OK, "action": "next"},
                version_from=True).status_code == 303
    assert post(client, f"/assessments/{aid}/steps/1", BLEEDING, version_from=True).status_code == 303
    assert post(client, f"/assessments/{aid}/steps/2", ICIQ, version_from=True).status_code == 303
    return (acct, pid, eid), aid


def _docs(app, aid):
    with app.app_context():
        rows = db.session.scalars(select(SignedDocument).where(SignedDocument.assessment_id == aid)
                                  .order_by(SignedDocument.version, SignedDocument.kind)).all()
        return [(r.version, r.kind, r.sha256, r.size, r.supersedes_version, r.template_version,
                 r.rulebook_version, r.data) for r in rows]


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_confirmation_page_summarises_what_is_signed_then_archives_both_pdfs(app, client):
    setup, aid = _ready(app, client)
    resp = post(client, f"/assessments/{aid}/sign", {"notes": "GP today."}, version_from=f"/assessments/{aid}")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Check what you are signing" in text
    assert "Confirm and sign" in text and "version 1" in text
    assert "T4 · Urgent medical review" in text and "Postmenopausal bleeding" in text
    # (the test patient, born 1901, has no plausible age, so postmenopausal bleeding counts as 55+)
    assert "International Consultation on Incontinence" in text and "GP today." in text  # instruments, notes
    with app.app_context():
        assert db.session.get(Assessment, aid).status == "draft"  # nothing signed until confirmed

    assert sign_assessment(client, aid, "GP today.").status_code == 303
    docs = _docs(app, aid)
    assert [(v, k) for v, k, *_ in docs] == [(1, "clinician"), (1, "patient")]
    for _v, _k, digest, size, supersedes, template, rulebook, data in docs:
        assert len(digest) == 64 and size > 1000 and supersedes is None
        assert template.startswith("tpl-") and rulebook.startswith("rules-")
        assert data["overall_tier"] == "T4" and "trends" in data and data["sign_off"]["signed_at"]
    first = client.get(f"/assessments/{aid}/report/clinician.pdf")
    assert first.status_code == 200 and hashlib.sha256(first.data).hexdigest() == docs[0][2]
    assert "Signed" in _text(first.data)
    patient = client.get(f"/assessments/{aid}/report/patient.pdf")
    assert hashlib.sha256(patient.data).hexdigest() == docs[1][2]

    # A back-dated visit added later (with a trend it would now draw) changes nothing signed.
    _, earlier = _ready(app, client, performed_on=dt.date.today() - dt.timedelta(days=30), setup=setup)
    assert sign_assessment(client, earlier, "Earlier visit.").status_code == 303
    again = client.get(f"/assessments/{aid}/report/clinician.pdf")
    assert again.data == first.data


def test_an_amendment_archives_a_new_version_that_names_the_one_it_supersedes(app, client):
    _, aid = _ready(app, client)
    assert sign_assessment(client, aid, "First.").status_code == 303
    v1 = client.get(f"/assessments/{aid}/report/clinician.pdf").data
    assert post(client, f"/assessments/{aid}/amend", {"reason": "Corrected leakage."},
                version_from=True).status_code == 303
    assert post(client, f"/assessments/{aid}/steps/2", {**ICIQ, "3": "weekly_or_less"},
                version_from=True).status_code == 303
    assert sign_assessment(client, aid, "Second.").status_code == 303
    docs = _docs(app, aid)
    assert [(v, k, s) for v, k, _d, _z, s, *_ in docs] == [
        (1, "clinician", None), (1, "patient", None), (2, "clinician", 1), (2, "patient", 1)]
    v2 = client.get(f"/assessments/{aid}/report/clinician.pdf").data
    assert v2 != v1 and "supersedes version 1, signed" in " ".join(_text(v2).split())
    assert client.get(f"/assessments/{aid}/versions/1/report/clinician.pdf").data == v1
    assert client.get(f"/assessments/{aid}/versions/7/report/clinician.pdf").status_code == 404


def test_a_render_failure_or_a_stuck_render_leaves_the_assessment_unsigned(app, client):
    _, aid = _ready(app, client)
    app.config["RENDER_MEMORY_MB"] = 64  # far too little for WeasyPrint
    resp = sign_assessment(client, aid, "x")
    assert resp.status_code == 303
    review = client.get(f"/assessments/{aid}").get_data(as_text=True)
    assert "was not signed" in review and "more memory" in review
    app.config.update(RENDER_MEMORY_MB=1536, RENDER_TIMEOUT_SECONDS=0.01)
    assert sign_assessment(client, aid, "x").status_code == 303
    assert "took too long, so it was stopped" in client.get(f"/assessments/{aid}").get_data(as_text=True)
    with app.app_context():
        a = db.session.get(Assessment, aid)
        assert a.status == "draft" and a.signed_at is None
    assert _docs(app, aid) == []


def test_an_old_sign_in_must_enter_the_password_again_to_sign(app, client):
    (acct, _, _), aid = _ready(app, client)
    with app.app_context():
        db.session.execute(update(LoginSession).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=app.config["SIGN_REAUTH_MINUTES"] + 1)))
        db.session.commit()
    resp = post(client, f"/assessments/{aid}/sign", {"notes": ""}, version_from=f"/assessments/{aid}")
    assert 'name="password"' in resp.get_data(as_text=True)
    resp = sign_assessment(client, aid, "", password="not my password")
    assert resp.status_code == 422 and "That password is not right." in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assessment, aid).status == "draft"
    assert sign_assessment(client, aid, "", password=acct.password).status_code == 303
    with app.app_context():
        assert db.session.get(Assessment, aid).status == "signed"


def test_verify_archive_reports_every_document_and_fails_on_a_changed_one(app, client):
    _, aid = _ready(app, client)
    assert sign_assessment(client, aid, "").status_code == 303
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-archive"])
    assert result.exit_code == 0 and "2 signed documents verified, 0 failed" in result.output
    with app.app_context():
        doc = db.session.scalar(select(SignedDocument).where(SignedDocument.kind == "patient"))
        tampered = bytearray(doc.pdf)
        tampered[-10] ^= 0xFF
        db.session.execute(update(SignedDocument).where(SignedDocument.id == doc.id).values(pdf=bytes(tampered)))
        db.session.commit()
    result = runner.invoke(args=["verify-archive"])
    assert result.exit_code == 1 and "1 signed documents verified, 1 failed" in result.output


def test_trends_count_only_reviewed_or_signed_results_and_combine_same_day_ones(app, client):
    import copy

    from clinic import reports
    from clinic.db import utcnow

    setup, current = _ready(app, client)
    today = dt.date.today()
    with app.app_context():
        cur = db.session.get(Assessment, current)
        own = cur.result["scores"]["iciq-ui-sf"]["total"]

        def earlier(status, days_ago, reviewed, total):
            result = copy.deepcopy(cur.result)
            result["scores"]["iciq-ui-sf"]["total"] = total
            db.session.add(Assessment(clinic_id=cur.clinic_id, patient_id=cur.patient_id, episode_id=cur.episode_id,
                                      status=status, performed_on=today - dt.timedelta(days=days_ago),
                                      instruments=list(cur.instruments), answers=dict(cur.answers),
                                      result=result, reviewed_at=utcnow() if reviewed else None))
            db.session.flush()

        earlier("submitted", 20, False, 20)  # still waiting for review: not counted
        earlier("submitted", 10, True, 15)   # reviewed
        earlier("signed", 10, True, 13)      # the same day, later: the point shows 13, "x2"
        db.session.commit()
        trend = next(t for t in reports.trends_for(cur) if t.instrument_id == "iciq-ui-sf")
    assert [(p.date, p.score, p.same_day) for p in trend.points] == [
        (today - dt.timedelta(days=10), 13.0, 2), (today, float(own), 1)]
    page = client.get(f"/assessments/{current}").get_data(as_text=True)
    assert "13 \u00d72" in page and "20 on" not in page


def test_demo_visits_are_archived_and_older_signed_ones_can_be_backfilled(app):
    from sqlalchemy import delete, func

    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    with app.app_context():
        signed = db.session.scalar(select(func.count()).select_from(Assessment).where(Assessment.status == "signed"))
    assert signed >= 3 and result.exit_code == 0, result.output
    assert f"{signed} signed visits archived" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignedDocument)) == 2 * signed
        # An assessment signed before the archive existed has no documents.
        legacy = db.session.scalar(select(SignedDocument.assessment_id).limit(1))
        db.session.execute(delete(SignedDocument).where(SignedDocument.assessment_id == legacy))
        db.session.commit()
    result = runner.invoke(args=["archive-signed"])
    assert result.exit_code == 0 and "1 signed assessments archived, 0 failed" in result.output
    with app.app_context():
        rows = db.session.scalars(select(SignedDocument).where(SignedDocument.assessment_id == legacy)).all()
        assert len(rows) == 2 and all(r.data.get("archived_after_signing") for r in rows)
    assert "0 signed assessments archived, 0 failed" in runner.invoke(args=["archive-signed"]).output
    assert f"{2 * signed} signed documents verified, 0 failed" in runner.invoke(args=["verify-archive"]).output
