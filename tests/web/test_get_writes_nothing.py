"""CSRF-02: no GET or HEAD changes state.  Every GET/HEAD rule of app.url_map is opened with the
ids of real seeded objects, anonymously, as a clinician and as an administrator; and as a patient inside her
link's intake session; every table's row
count and a hash of its rows are compared before and after each request."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

import clinic.models  # noqa: F401 - every table on Base.metadata
from clinic.db import Base, db

from .support import login, make_account
from .test_access import _object_values, _sample_url
from .test_patient_link import DOB

# Tables that legitimately change when something is only read, and why.
CHANGE_ON_READ = {
    "audit_events": "every read of patient data (and every refusal) is audited (LOG-01, ACC-05)",
    "login_sessions": "each signed-in request moves the session's last-seen time (idle timeout, SESS-04)",
    "auth_throttle": "opening a patient link counts against the address's limit (TOK-06)",
}


def _snapshot(app) -> dict[str, tuple[int, str]]:
    out = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            if table.name in CHANGE_ON_READ:
                continue
            rows = db.session.execute(sa.select(table)).all()
            digest = hashlib.sha256("\n".join(sorted(repr(tuple(r)) for r in rows)).encode()).hexdigest()
            out[table.name] = (len(rows), digest)
        db.session.rollback()
    return out


def _seed(app):
    from clinic.models import Episode, User
    from clinic.operations import create_invitation

    admin = make_account(app, clinic="Clinic A", role="admin")
    clinician = make_account(app, clinic="Clinic A", role="clinician")
    values = _object_values(app, admin)
    with app.app_context():
        _inv, token = create_invitation(db.session.get(Episode, values["episode_id"]),
                                        db.session.get(User, admin.id), ["intake-bleeding"], 14)
        db.session.commit()
    values.update(token=token, filename="app.css")
    return admin, clinician, values


def test_no_get_or_head_request_changes_the_database(app):
    admin, clinician, values = _seed(app)
    clients = {"anonymous": app.test_client()}
    for who, account in (("clinician", clinician), ("admin", admin)):
        clients[who] = app.test_client()
        login(clients[who], account)
    # A patient who has passed the date-of-birth check (a POST, before the snapshot): the intake
    # pages then show her real questionnaire, check page and so on.
    clients["patient"] = app.test_client()
    page = clients["patient"].get(f"/p/{values['token']}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = clients["patient"].post(f"/p/{values['token']}", data={**DOB, "csrf_token": csrf})
    assert resp.status_code == 303
    rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())]
    assert len(rules) >= 30
    before = _snapshot(app)
    assert set(CHANGE_ON_READ) <= {t.name for t in Base.metadata.sorted_tables}  # the names are real
    checked, answered = 0, {}
    for rule in rules:
        url = _sample_url(rule, values)
        for who, client in clients.items():
            for method in ("GET", "HEAD"):
                resp = client.open(url, method=method)
                resp.close()  # file responses (static files) hold their file open until closed
                assert resp.status_code < 500, f"{who} {method} {url} answered {resp.status_code}"
                after = _snapshot(app)
                changed = sorted(t for t in after if after[t] != before.get(t))
                assert changed == [], f"{who} {method} {url} changed {changed}"
                before = after
                checked += 1
                answered.setdefault(who, []).append(resp.status_code)
    assert checked == len(rules) * 8
    # The ids were real: at least half the pages opened (200) for the administrator: the sweep
    # read real records, not just 404s.
    assert answered["admin"].count(200) >= len(answered["admin"]) // 2
    assert 200 in answered["patient"]
    # Control: the snapshot does see a change of one value.
    with app.app_context():
        db.session.execute(sa.text("UPDATE patients SET sex = 'male'"))
        db.session.commit()
    assert _snapshot(app)["patients"] != before["patients"]
