"""Test-client helpers: every HTML page the client receives is parsed and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


class PageCheckError(AssertionError):
    pass


def check_page(html: str, url: str) -> None:
    """One h1; no element id used twice; every visible input, select and textarea labelled; POST forms
    carry the CSRF field."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"expected exactly one h1, found {len(h1s)}")
    if soup.html is None or not soup.html.get("lang"):
        problems.append("<html> has no lang attribute")
    if not soup.title or not soup.title.get_text(strip=True):
        problems.append("page has no <title>")
    ids = [el["id"] for el in soup.find_all(id=True)]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(f"element ids used more than once: {repeated}")
    labelled_ids = {lab.get("for") for lab in soup.find_all("label") if lab.get("for")}
    for control in soup.find_all(["input", "select", "textarea"]):
        if control.name == "input" and (control.get("type") or "text").lower() in UNLABELLED_OK:
            continue
        if control.get("aria-label") or control.get("aria-labelledby"):
            continue
        if control.get("id") and control["id"] in labelled_ids:
            continue
        if control.find_parent("label") is not None:
            continue
        problems.append(f"{control.name} name={control.get('name')!r} has no label")
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() == "post" and not form.find("input", attrs={"name": "csrf_token"}):
            problems.append(f"POST form action={form.get('action')!r} has no CSRF field")
    if problems:
        raise PageCheckError(f"{url}: " + "; ".join(problems))


class CheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        method = (kwargs.get("method") or "GET").upper()
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400 and method != "HEAD":
            url = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "?")
            check_page(response.get_data(as_text=True), str(url))
        return response


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


VERSION_RE = re.compile(r'name="row_version" value="(\d+)"')


def row_version(client: FlaskClient, path: str) -> str:
    """The record version a page's form would post (the hidden ``row_version`` field)."""
    html = client.get(path).get_data(as_text=True)
    match = VERSION_RE.search(html)
    assert match, f"no row_version field on {path}"
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict | None = None, *, token_from: str | None = None,
         version_from: str | bool | None = None, **kwargs):
    """POST with a valid CSRF token taken from a page of the same session; with ``version_from``
    (a page, or True for ``path`` itself) also the record version that page's form carries."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, token_from or _token_page(client)))
    if version_from:
        payload.setdefault("row_version", row_version(client, path if version_from is True else version_from))
    return client.post(path, data=payload, **kwargs)


def sign_assessment(client: FlaskClient, assessment_id: str, notes: str = "", *, password: str | None = None):
    """Sign as a clinician does: the review page's form, then the confirmation page's button."""
    resp = post(client, f"/assessments/{assessment_id}/sign", {"notes": notes},
                version_from=f"/assessments/{assessment_id}")
    if resp.status_code != 200:
        return resp
    html = resp.get_data(as_text=True)
    data = {"csrf_token": CSRF_RE.search(html).group(1), "row_version": VERSION_RE.search(html).group(1),
            "notes": notes}
    if password is not None:
        data["password"] = password
    return client.post(f"/assessments/{assessment_id}/sign/confirm", data=data)


def _token_page(client: FlaskClient) -> str:
    return "/account/password" if _signed_in(client) else "/login"


def _signed_in(client: FlaskClient) -> bool:
    resp = client.get("/account/password")
    return resp.status_code == 200


@dataclass
class Account:
    id: int
    clinic_id: int
    email: str
    password: str


DEFAULT_PASSWORD = "correct horse battery staple"


def make_account(app, *, clinic: str = "Clinic A", email: str | None = None, role: str = "clinician",
                 password: str = DEFAULT_PASSWORD, must_change: bool = False, name: str = "Test Clinician") -> Account:
    from sqlalchemy import select

    from clinic.db import db
    from clinic.models import Clinic, User
    from clinic.security import hash_password

    with app.app_context():
        c = db.session.scalar(select(Clinic).where(Clinic.name == clinic))
        if c is None:
            c = Clinic(name=clinic)
            db.session.add(c)
            db.session.flush()
        email = email or f"{role}.{c.id}.{secrets_suffix()}@example.org"
        u = User(clinic_id=c.id, email=email, name=name, role=role, password_hash=hash_password(password),
                 must_change_password=must_change, job_title="Pelvic health physiotherapist")
        db.session.add(u)
        db.session.commit()
        return Account(u.id, c.id, email, password)


def secrets_suffix() -> str:
    import secrets
    return secrets.token_hex(3)


def login(client: FlaskClient, account: Account):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": account.email, "password": account.password,
                                       "csrf_token": token})


def make_patient(app, account: Account, **overrides) -> str:
    import datetime as dt

    from clinic.db import db
    from clinic.operations import PatientDetails, create_patient

    values = {"given_name": "Zzyzx", "family_name": "Qwerty", "date_of_birth": dt.date(1901, 2, 3), "sex": "female"}
    values.update(overrides)
    with app.app_context():  # through the front door: the operation the patient form uses
        p = create_patient(account.clinic_id, PatientDetails(**values))
        db.session.commit()
        return p.id


def make_episode(app, account: Account, patient_id: str, complaints=("bleeding",)) -> str:
    import datetime as dt

    from clinic.db import db
    from clinic.models import Patient, User
    from clinic.operations import open_episode

    with app.app_context():  # through the front door: the operation the episode form uses
        e = open_episode(db.session.get(Patient, patient_id), db.session.get(User, account.id), title=None,
                         complaints=list(complaints), opened_on=dt.date.today())
        db.session.commit()
        return e.id


def audit_actions(app) -> list[str]:
    from sqlalchemy import select

    from clinic.db import db
    from clinic.models import AuditEvent

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def checked_values(html: str, name: str) -> list[str]:
    """Values of the checked radios/checkboxes called ``name`` in a page."""
    soup = BeautifulSoup(html, "html.parser")
    return [el.get("value") for el in soup.find_all("input", attrs={"name": name}) if el.has_attr("checked")]


def search(client: FlaskClient, q: str, page: int | None = None):
    """Search patients as the page does: POST the terms (kept in the session), then GET the list."""
    token = csrf_token(client, "/account/password")
    resp = client.post("/patients/search", data={"q": q, "csrf_token": token})
    assert resp.status_code == 303, resp.status_code
    return client.get("/patients", query_string={"page": page} if page else None)
