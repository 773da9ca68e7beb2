"""Walk app.url_map: deny by default, and every object id is scoped to the clinician's clinic."""

from __future__ import annotations

from sqlalchemy import select

from clinic.db import db
from clinic.models import AuditEvent

from .support import login, make_account, make_episode, make_patient
from .support_objects import extra_objects

# Routes reachable without signing in (each must be deliberate).
PUBLIC = {"auth.login", "main.health", "static", "auth.forgot_password", "auth.reset_password_link",
          "auth.reset_password", "auth.login_mfa"}
# The patient's own pre-visit link pages (they have their own checks).
PUBLIC_PREFIXES = ("patient_link.",)
# Route arguments that name files or variants, not records.
NOT_OBJECTS = {"filename", "name", "kind", "step", "version"}


def _is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC or endpoint.startswith(PUBLIC_PREFIXES)


def _sample_url(rule, values):
    args = {}
    for name in rule.arguments:
        args[name] = values.get(name, "0" * 32)
    return rule.build(args, append_unknown=False)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_non_public_route_redirects_anonymous_users_to_login(app, client):
    values = {"user_id": 1, "filename": "app.css", "name": "report.css", "kind": "clinician"}
    checked = 0
    for rule, method in _routes(app):
        if _is_public(rule.endpoint):
            continue
        url = _sample_url(rule, values)
        resp = client.open(url, method=method)
        if method == "POST" and resp.status_code == 400:
            # CSRF runs before the login gate for POSTs without a token; still nothing is revealed.
            assert "csrf" in resp.get_data(as_text=True).lower() or "expired" in resp.get_data(as_text=True)
        else:
            assert resp.status_code == 302, f"{method} {url} answered {resp.status_code}"
            assert "/login" in resp.headers["Location"], f"{method} {url} -> {resp.headers['Location']}"
        checked += 1
    assert checked >= 10


def test_public_list_is_exactly_what_the_app_marks_public(app):
    from clinic.access import is_public

    with app.test_request_context():
        marked = {r.endpoint for r in app.url_map.iter_rules() if is_public(r.endpoint)}
    assert {e for e in marked if not e.startswith(PUBLIC_PREFIXES)} == PUBLIC


def _object_values(app, account):
    patient_id = make_patient(app, account)
    episode_id = make_episode(app, account, patient_id)
    values = {"patient_id": patient_id, "episode_id": episode_id, "user_id": account.id, "kind": "clinician",
              "name": "report.css"}
    values.update(extra_objects(app, account, patient_id, episode_id))
    return values


def test_every_object_route_answers_404_to_another_clinic(app):
    owner = make_account(app, clinic="Clinic A", role="admin")
    values = _object_values(app, owner)
    intruder = make_account(app, clinic="Clinic B", role="admin")
    client = app.test_client()
    login(client, intruder)
    checked = 0
    for rule, method in _routes(app):
        if _is_public(rule.endpoint) or not (rule.arguments - NOT_OBJECTS):
            continue
        url = _sample_url(rule, values)
        data = {}
        if method == "POST":
            from .support import csrf_token
            data["csrf_token"] = csrf_token(client, "/account/password")
        resp = client.open(url, method=method, data=data)
        assert resp.status_code == 404, f"{method} {url} answered {resp.status_code} to another clinic"
        checked += 1
    assert checked >= 6
    with app.app_context():
        actors = list(db.session.scalars(select(AuditEvent.actor_user_id)
                                         .where(AuditEvent.action == "access.denied")))
    assert len(actors) == checked
    assert set(actors) == {intruder.id}


def test_the_owner_can_reach_the_same_object_routes(app):
    owner = make_account(app, clinic="Clinic A", role="admin")
    values = _object_values(app, owner)
    client = app.test_client()
    login(client, owner)
    for rule, method in _routes(app):
        if method != "GET" or _is_public(rule.endpoint) or not (rule.arguments - NOT_OBJECTS):
            continue
        url = _sample_url(rule, values)
        resp = client.get(url)
        assert resp.status_code in (200, 302, 303, 409), f"GET {url} answered {resp.status_code} to its owner"


def test_admin_pages_are_forbidden_to_clinicians(app, client):
    acct = make_account(app, role="clinician")
    login(client, acct)
    for rule, method in _routes(app):
        if not rule.endpoint.startswith("admin.") or method != "GET":
            continue
        assert client.get(_sample_url(rule, {"user_id": acct.id})).status_code == 403


def test_an_exception_in_the_object_check_fails_closed(app, monkeypatch):
    """ACC-05: when the clinic-scoped object check itself breaks (here: it raises), every object
    page answers an error page without patient data, never 200 with the record."""
    import clinic.access
    import clinic.views.alerts
    import clinic.views.exports

    owner = make_account(app, clinic="Clinic A", role="admin")
    values = _object_values(app, owner)
    client = app.test_client()
    login(client, owner)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the access check failed")

    # Every object check: the get_* helpers' common lookup, and the alert and job pages' own.
    monkeypatch.setattr(clinic.access, "_scoped", broken)
    monkeypatch.setattr(clinic.views.alerts, "_get_alert", broken)
    monkeypatch.setattr(clinic.views.exports, "_get_job", broken)
    checked = 0
    for rule, method in _routes(app):
        if method != "GET" or _is_public(rule.endpoint) or not (rule.arguments - NOT_OBJECTS):
            continue
        url = _sample_url(rule, values)
        resp = client.get(url)
        text = resp.get_data(as_text=True)
        assert resp.status_code == 500, f"GET {url} answered {resp.status_code} with the check broken"
        assert "Sorry, something went wrong" in text and "Reference" in text
        for marker in ("Zzyzx", "Qwerty", "1901", "%PDF", "Traceback", "the access check failed"):
            assert marker not in text, f"GET {url}: {marker!r} in the error page"
        checked += 1
    assert checked >= 8
