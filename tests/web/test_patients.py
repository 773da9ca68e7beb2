"""Patients and episodes: create, validate, search, paginate, view, edit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, text

from clinic.db import db
from clinic.models import AuditEvent, Episode, Patient

from .support import login, make_account, make_patient, post, search

VALID = {"given_name": "Alex", "family_name": "Harper", "date_of_birth": "1990-03-14", "sex": "female",
         "email": "alex@example.org", "phone": "+44 7700 900123", "identifier": "MRN-1"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _signed_in(app, client, **kw):
    acct = make_account(app, **kw)
    login(client, acct)
    return acct


def test_create_patient_then_view(app, client):
    _signed_in(app, client)
    resp = post(client, "/patients/new", VALID)
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"])
    text = page.get_data(as_text=True)
    assert "Alex Harper" in text and "14 March 1990" in text
    assert page.headers["Cache-Control"] == "no-store"
    assert {"patient.create", "patient.view"} <= {a for a in _actions(app)}


def _actions(app):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action)))


def test_invalid_patient_keeps_values_and_stores_nothing(app, client):
    _signed_in(app, client)
    bad = dict(VALID, given_name="   ", date_of_birth=(dt.date.today() + dt.timedelta(days=1)).isoformat(),
               email="not-an-email", family_name="H" * 101)
    resp = post(client, "/patients/new", bad)
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "Enter the patient&#39;s given name." in text
    assert "This date is in the future." in text
    assert "Enter an email address like name@example.org." in text
    assert "Keep this to 100 characters or fewer." in text
    assert 'value="not-an-email"' in text  # what was typed is kept
    assert "There is a problem" in text and 'href="#given_name"' in text
    assert _count(app, Patient) == 0


def test_impossible_date_gets_a_clear_message(app, client):
    _signed_in(app, client)
    resp = post(client, "/patients/new", dict(VALID, date_of_birth="1990-02-30"))
    assert resp.status_code == 422
    assert "Enter a real date" in resp.get_data(as_text=True)
    assert _count(app, Patient) == 0


def test_duplicate_patient_and_record_number_are_refused(app, client):
    _signed_in(app, client)
    assert post(client, "/patients/new", VALID).status_code == 303
    resp = post(client, "/patients/new", dict(VALID, identifier="MRN-2", given_name="ALEX"))
    assert resp.status_code == 422
    assert "already registered" in resp.get_data(as_text=True)
    resp = post(client, "/patients/new", dict(VALID, given_name="Sam", identifier="MRN-1"))
    assert "Another patient already has this record number." in resp.get_data(as_text=True)
    assert _count(app, Patient) == 1


def test_same_record_number_is_allowed_in_another_clinic(app):
    a, b = app.test_client(), app.test_client()
    _signed_in(app, a, clinic="A")
    _signed_in(app, b, clinic="B")
    assert post(a, "/patients/new", VALID).status_code == 303
    assert post(b, "/patients/new", VALID).status_code == 303


def test_search_by_name_prefix_and_date_of_birth_only_in_own_clinic(app, client):
    acct = _signed_in(app, client)
    other = make_account(app, clinic="Other clinic")
    make_patient(app, acct, given_name="Alex", family_name="Harper", date_of_birth=dt.date(1990, 3, 14))
    make_patient(app, acct, given_name="Sam", family_name="Okafor", date_of_birth=dt.date(1987, 11, 2))
    make_patient(app, acct, given_name="Émile", family_name="Zoë", date_of_birth=dt.date(1970, 1, 1))
    make_patient(app, other, given_name="Alex", family_name="Hidden", date_of_birth=dt.date(1990, 3, 14))
    text = search(client, "harp").get_data(as_text=True)
    assert "Harper" in text and "Okafor" not in text and "Hidden" not in text
    text = search(client, "14/03/1990").get_data(as_text=True)
    assert "Harper" in text and "Hidden" not in text
    text = search(client, "emile").get_data(as_text=True)
    assert "Zoë" in text
    text = search(client, "alex harper").get_data(as_text=True)
    assert "Harper" in text
    text = search(client, "%").get_data(as_text=True)
    assert "No patients match" in text  # LIKE wildcards are escaped
    # The search terms are never written to the audit log.
    with app.app_context():
        details = [repr(e.detail) for e in db.session.scalars(select(AuditEvent))]
    assert not any("harp" in d.lower() for d in details)


def test_pagination(app, client):
    acct = _signed_in(app, client)
    per_page = app.config["PATIENTS_PER_PAGE"]
    for i in range(per_page + 3):
        make_patient(app, acct, given_name=f"P{i:03d}", family_name=f"Family{i:03d}")
    first = client.get("/patients").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Family000" in first and f"Family{per_page:03d}" not in first
    second = client.get("/patients?page=2").get_data(as_text=True)
    assert f"Family{per_page:03d}" in second
    assert client.get("/patients?page=99").status_code == 200
    assert client.get("/patients?page=abc").status_code == 200


def test_edit_patient(app, client):
    acct = _signed_in(app, client)
    pid = make_patient(app, acct)
    assert "Zzyzx" in client.get(f"/patients/{pid}/edit").get_data(as_text=True)
    resp = post(client, f"/patients/{pid}/edit", dict(VALID, given_name="Alexandra"),
                version_from=f"/patients/{pid}/edit")
    assert resp.status_code == 303
    with app.app_context():
        p = db.session.get(Patient, pid)
        assert p.given_name == "Alexandra" and p.given_key == "alexandra"


def test_open_and_close_episode(app, client):
    acct = _signed_in(app, client)
    pid = make_patient(app, acct)
    resp = post(client, f"/patients/{pid}/episodes/new", {"complaints": []})
    assert resp.status_code == 422 and "Choose at least one complaint." in resp.get_data(as_text=True)
    resp = post(client, f"/patients/{pid}/episodes/new",
                {"complaints": ["bleeding", "energy"], "title": "Spotting after long runs",
                 "opened_on": dt.date.today().isoformat()})
    assert resp.status_code == 303
    with app.app_context():
        ep = db.session.scalar(select(Episode))
        assert ep.complaints == ["bleeding", "energy"]
        ep_id = ep.id
    view = client.get(f"/patients/{pid}").get_data(as_text=True)
    assert "Spotting after long runs" in view
    resp = post(client, f"/episodes/{ep_id}/close", {"closed_on": "1900-01-01"}, version_from=True)
    assert resp.status_code == 422 and "before the episode opened" in resp.get_data(as_text=True)
    resp = post(client, f"/episodes/{ep_id}/close", {"closed_on": dt.date.today().isoformat()}, version_from=True)
    assert resp.status_code == 303
    assert client.get(f"/episodes/{ep_id}/close").status_code == 409
    assert post(client, f"/episodes/{ep_id}/reopen", version_from=f"/patients/{pid}").status_code == 303


def test_episode_cannot_open_before_birth(app, client):
    acct = _signed_in(app, client)
    pid = make_patient(app, acct, date_of_birth=dt.date(2000, 1, 1))
    resp = post(client, f"/patients/{pid}/episodes/new", {"complaints": ["prolapse"], "opened_on": "1999-12-31"})
    assert resp.status_code == 422 and "before the patient" in resp.get_data(as_text=True)


def test_patient_data_never_appears_in_urls(app, client):
    acct = _signed_in(app, client)
    pid = make_patient(app, acct)
    from bs4 import BeautifulSoup

    for url in ("/patients", f"/patients/{pid}", "/"):
        soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
        for tag in soup.find_all(href=True) + soup.find_all(action=True):
            target = tag.get("href") or tag.get("action")
            assert "Zzyzx" not in target and "Qwerty" not in target and "1901" not in target


def test_prefix_search_is_exact_for_punctuation_and_wildcards(app, client):
    acct = _signed_in(app, client)
    make_patient(app, acct, given_name="Ann", family_name="O'Brien")
    make_patient(app, acct, given_name="Bo", family_name="Obrien")
    make_patient(app, acct, given_name="Cy", family_name="Mo-Rz")
    make_patient(app, acct, given_name="Di", family_name="Morz")
    # Apostrophes are ignored on both sides: records spell such names both ways.
    text = search(client, "o'b").get_data(as_text=True)
    assert "O&#39;Brien" in text and "Obrien, Bo" in text
    text = search(client, "obr").get_data(as_text=True)
    assert "O&#39;Brien" in text and "Obrien, Bo" in text
    # A hyphen separates searchable words; it is not skipped inside one.
    text = search(client, "mor").get_data(as_text=True)
    assert "Morz" in text and "Mo-Rz" not in text
    text = search(client, "o_").get_data(as_text=True)
    assert "No patients match" in text
    text = search(client, "%").get_data(as_text=True)
    assert "No patients match" in text


def test_search_finds_any_word_of_a_double_barrelled_or_multi_word_name(app, client):
    acct = _signed_in(app, client)
    make_patient(app, acct, given_name="Mary Ann", family_name="Demo-Castillo")
    make_patient(app, acct, given_name="Jo", family_name="van der Berg")
    make_patient(app, acct, given_name="Zoë", family_name="Łukasiewicz-Ørsted")
    make_patient(app, acct, given_name="Castor", family_name="Smith")
    found = lambda q: search(client, q).get_data(as_text=True)  # noqa: E731
    text = found("castillo")
    assert "Demo-Castillo, Mary Ann" in text and "Smith, Castor" not in text
    assert "Demo-Castillo" in found("demo-cas") and "Demo-Castillo" in found("ann")
    text = found("cast")
    assert "Demo-Castillo" in text and "Smith, Castor" in text
    assert "Demo-Castillo" in found("ann castillo") and "No patients match" in found("ann berg")
    assert "van der Berg" in found("berg") and "van der Berg" in found("van der")
    assert "Łukasiewicz-Ørsted" in found("orsted") and "Łukasiewicz-Ørsted" in found("ørs")
    make_patient(app, acct, given_name="Siobhan", family_name="O'Neill")
    make_patient(app, acct, given_name="Ana", family_name="D’Souza")
    make_patient(app, acct, given_name="Kim", family_name="Smith (née Jones)")
    make_patient(app, acct, given_name="Lucía", family_name="López Ruiz")
    assert "O&#39;Neill" in found("neill") and "O&#39;Neill" in found("oneill") and "O&#39;Neill" in found("o'ne")
    assert "D’Souza" in found("souza") and "D’Souza" in found("dsou")
    assert "Smith (née Jones)" in found("jones") and "Smith (née Jones)" in found("smith")
    # A full name ending in "z": the index range [lopez, lope{) must hold it on every database
    # (PostgreSQL compares the parts in C order even where the database's collation is en-GB).
    assert "López Ruiz" in found("lopez") and "López Ruiz" in found("ruiz") and "López Ruiz" in found("lucia lopez")
    assert "Łukasiewicz-Ørsted" in found("zoe luk") and "Łukasiewicz-Ørsted" in found("ZOË Łuk")


def test_name_parts_compare_in_binary_order_on_postgresql(app):
    with app.app_context():
        bind = db.session.get_bind()
        if bind.dialect.name != "postgresql":
            pytest.skip("PostgreSQL-specific")
        collation = db.session.execute(text(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'patient_name_parts' AND column_name = 'part'"
        )).scalar()
        assert collation == "C"
        # Why: under a linguistic collation the prefix range loses names ending in "z".
        icu = db.session.execute(text("SELECT count(*) FROM pg_collation WHERE collname = 'en-GB-x-icu'")).scalar()
        if icu:
            assert db.session.execute(text("""SELECT 'lopez' < 'lope{' COLLATE "en-GB-x-icu" """)).scalar() is False


def test_a_renamed_patient_is_found_by_the_new_name_only(app, client):
    acct = _signed_in(app, client)
    pid = make_patient(app, acct, given_name="Alex", family_name="Harper-Lowe")
    form = {"given_name": "Alex", "family_name": "Harper", "date_of_birth": "1901-02-03", "sex": "female"}
    resp = post(client, f"/patients/{pid}/edit", form, token_from=f"/patients/{pid}/edit",
                version_from=f"/patients/{pid}/edit")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    assert "Harper, Alex" in search(client, "harper").get_data(as_text=True)
    assert "No patients match" in search(client, "lowe").get_data(as_text=True)


def test_many_match_search_path_returns_the_same_page(app, client, monkeypatch):
    """Searches matching many patients page through the name index instead (SQLite); same rows."""
    import clinic.patient_search as views

    acct = _signed_in(app, client)
    for i, family in enumerate(("Morgan", "Moreno", "Ab-Morris", "Smith", "Moran-Lee", "Amor")):
        make_patient(app, acct, given_name=f"P{i}", family_name=family)
    usual = search(client, "mor").get_data(as_text=True)
    monkeypatch.setattr(views, "WALK_NAME_INDEX_FROM", 0)
    walked = search(client, "mor").get_data(as_text=True)      # first pages: EXISTS per row
    monkeypatch.setattr(views, "EXISTS_WALK_BEFORE", 0)
    collected = search(client, "mor").get_data(as_text=True)   # deeper pages: matches collected
    rows = lambda page: re.findall(r">([^<>]+, P\d)</a>", page)  # noqa: E731
    expected = ["Ab-Morris, P2", "Moran-Lee, P4", "Moreno, P1", "Morgan, P0"]
    assert rows(usual) == rows(walked) == rows(collected) == expected


def test_a_name_search_past_the_cap_asks_for_more_letters(app, client):
    app.config.update(PATIENT_SEARCH_CAP=3, PATIENTS_PER_PAGE=2)
    acct = _signed_in(app, client)
    for i, family in enumerate(("Morgan", "Moreno", "Morris", "Moran", "Smith")):
        make_patient(app, acct, given_name=f"P{i}", family_name=family)
    text = search(client, "mor").get_data(as_text=True)
    assert 'More than 3 patients match "mor"' in text and "type more of the name" in text
    assert "Moran, P3" in text and "Moreno, P1" in text and "Morgan" not in text  # page 1 of 2
    assert "Morgan, P0" in search(client, "mor", page=2).get_data(as_text=True)
    page2 = search(client, "mor", page=3).get_data(as_text=True)  # clamped to the last page
    assert "Morgan, P0" in page2 and "Morris" not in page2  # the 4th match is past the cap
    text = search(client, "morr").get_data(as_text=True)
    assert "1 patient found" in text and "More than" not in text
    text = search(client, "mor p0").get_data(as_text=True)  # two words: counted the other way
    assert "1 patient found" in text and "Morgan, P0" in text
    with app.app_context():
        details = [e.detail for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "patient.search").order_by(AuditEvent.id))]
    assert details[0]["results"] == "more than 3" and details[-1]["results"] == 1


def test_search_terms_never_travel_in_a_url(app, client):
    """Names and dates of birth go in a POST body and stay in the session: not in the address
    (access log, history) nor in the pagination links; a ?q= in the address is ignored."""
    app.config.update(PATIENTS_PER_PAGE=2, PATIENT_SEARCH_CAP=2)
    acct = _signed_in(app, client)
    for i in range(4):
        make_patient(app, acct, given_name=f"P{i}", family_name="Zzyzx")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/patients").get_data(as_text=True)).group(1)
    resp = client.post("/patients/search", data={"q": "zzyzx", "csrf_token": token})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/patients")
    text = client.get("/patients").get_data(as_text=True)
    assert "Zzyzx, P0" in text
    hrefs = re.findall(r'(?:href|action)="([^"]*)"', text)
    assert hrefs and not [h for h in hrefs if "zzyzx" in h.lower() or "q=" in h]
    resp = client.post("/patients/search", data={"q": "", "csrf_token": token})  # clear
    assert "Zzyzx" in client.get("/patients", query_string={"q": "nobody"}).get_data(as_text=True)
