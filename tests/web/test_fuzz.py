"""Fuzz layer: Hypothesis over every POST route (signed in, valid CSRF token) and over the public
routes (anonymous), plus odd query strings on every GET route.  Any 5xx fails.

Bounded: a fixed number of examples per route (derandomised, no example database), so the
whole module runs in well under a minute on either database.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.access import is_public

from .support import CSRF_RE, login, make_account, make_episode, make_patient, post
from .support_objects import extra_objects

EXAMPLES = 8
# Signing out or changing one's own password would end the fuzzing session: exercised anonymously
# and in their own tests instead.
SKIP_SIGNED_IN = {"auth.logout"}

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1" + "0" * 40, "-" + "9" * 30, "1e400", "NaN",
                     "inf", "2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "<script>x</script>",
                     "'; DROP TABLE patients; --", "\u202eevil", "a\x00b", "x" * 5000, "%00", "../../etc/passwd",
                     "true", "on", "null", "[]", "{}", "\r\nSet-Cookie: x=y"]),
    # A NUL inside otherwise ordinary text (PostgreSQL cannot store it).
    st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda parts: parts[0] + "\x00" + parts[1]),
)


QUERY_KEYS = ["q", "page", "saved", "next", "sort"]


def _form_fields(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    names = {el.get("name") for el in soup.find_all(["input", "select", "textarea", "button"]) if el.get("name")}
    names.discard("csrf_token")
    return sorted(names)


def _payloads(fields: list[str]):
    extra = ["action", "days", "page", "reauth_password", "dob_year", "email", "password"]
    names = sorted(set(fields) | set(extra))
    return st.dictionaries(st.sampled_from(names), st.one_of(ODD_TEXT, st.lists(ODD_TEXT, max_size=3)), max_size=12)


def _objects(app, admin):
    pid = make_patient(app, admin)
    eid = make_episode(app, admin, pid)
    values = {"patient_id": pid, "episode_id": eid, "kind": "clinician", "name": "report.css", "step": 0,
              "filename": "app.css"}
    values.update(extra_objects(app, admin, pid, eid))
    colleague = make_account(app, clinic="Clinic A")
    values["user_id"] = colleague.id
    return values


def _url(rule, values) -> str:
    return rule.build({name: values.get(name, "0" * 32) for name in rule.arguments}, append_unknown=False)[1]


def _check(failures: list, method: str, url: str, resp, data) -> None:
    if resp.status_code >= 500:
        failures.append(f"{method} {url} -> {resp.status_code} with {data!r:.300}")
    resp.close()  # static files are streamed from an open file


def _fuzz_posts(client, rules, values, failures, relogin):
    for rule in rules:
        url = _url(rule, values)
        page = client.get(url)
        fields = _form_fields(page.get_data(as_text=True)) if page.status_code == 200 else []

        # Systematic first: each field alone with a NUL and a huge number ...
        # (the other fields hold a plain "1", so a required-field check does not stop the request early).
        for field in fields:
            for value in ("a\x00b", "9" * 45):
                data = {**dict.fromkeys(fields, "1"), field: value}
                resp = client.post(url, data={**data, "csrf_token": relogin()})
                _check(failures, "POST", url, resp, data)
        # ... then Hypothesis mixes fields and values.
        _run_posts(client, url, fields, failures, relogin)


def _run_posts(client, url, fields, failures, relogin) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_payloads(fields))
    def run(data):
        token = relogin()
        resp = client.post(url, data={**data, "csrf_token": token})
        _check(failures, "POST", url, resp, data)

    run()


def test_fuzz_every_post_route_signed_in(app):
    admin = make_account(app, clinic="Clinic A", role="admin")
    values = _objects(app, admin)
    # A draft the clinician can fill in step by step.
    client = app.test_client()
    login(client, admin)
    resp = post(client, f"/episodes/{values['episode_id']}/assessments/new",
                {"instruments": ["iciq-ui-sf"], "performed_on": "2026-01-01"})
    draft = re.search(r"/assessments/([0-9a-f]{32})/", resp.headers["Location"]).group(1)
    state = {"token": CSRF_RE.search(client.get("/account/password").get_data(as_text=True)).group(1)}

    def relogin() -> str:
        if client.get("/account/password").status_code != 200:
            login(client, admin)
            html = client.get("/account/password").get_data(as_text=True)
            state["token"] = CSRF_RE.search(html).group(1)
        return state["token"]

    rules = [r for r in app.url_map.iter_rules()
             if "POST" in (r.methods or ()) and r.endpoint not in SKIP_SIGNED_IN]
    failures: list[str] = []
    with app.test_request_context():
        rules = [r for r in rules if not is_public(r.endpoint)]
    assert len(rules) >= 12
    _fuzz_posts(client, rules, values, failures, relogin)
    _fuzz_posts(client, [r for r in rules if r.endpoint == "assessments.step"],
                {**values, "assessment_id": draft, "step": 1}, failures, relogin)
    assert not failures, "\n".join(failures[:10])


def test_fuzz_public_routes_anonymous(app):
    clinician = app.test_client()
    acct = make_account(app)
    login(clinician, acct)
    pid = make_patient(app, acct)
    eid = make_episode(app, acct, pid)
    resp = post(clinician, f"/episodes/{eid}/invite", {"instruments": ["intake-bleeding"], "days": "14"})
    token = re.search(r'id="invite-link" value="[^"]+/p/([^"]+)"', resp.get_data(as_text=True)).group(1)
    values = {"token": token, "step": 0, "filename": "app.css"}
    anon = app.test_client()

    def fresh_token() -> str:
        return CSRF_RE.search(anon.get("/login").get_data(as_text=True)).group(1)

    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules()
                 if "POST" in (r.methods or ()) and is_public(r.endpoint)]
    assert len(rules) >= 3
    failures: list[str] = []
    _fuzz_posts(anon, rules, values, failures, fresh_token)
    # The same again inside a verified intake session (after the date-of-birth check).
    page = anon.get(f"/p/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    anon.post(f"/p/{token}", data={"dob_day": "3", "dob_month": "2", "dob_year": "1901", "csrf_token": csrf})
    _fuzz_posts(anon, [r for r in rules if r.endpoint.startswith("patient_link.")], values, failures, fresh_token)
    assert not failures, "\n".join(failures[:10])


def test_fuzz_query_strings_on_every_get_route(app):
    admin = make_account(app, clinic="Clinic A", role="admin")
    values = _objects(app, admin)
    client = app.test_client()
    login(client, admin)
    # The PDF download reads no query string and renders a PDF per request: covered by its own tests.
    rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ()) and r.endpoint != "reports.download"]
    failures: list[str] = []
    for rule in rules:
        _run_gets(client, _url(rule, values), failures)
    assert not failures, "\n".join(failures[:10])


def _run_gets(client, url, failures) -> None:
    for key in QUERY_KEYS:
        for value in ("a\x00b", "9" * 45):
            _check(failures, "GET", url, client.get(url, query_string={key: value}), {key: value})

    @settings(max_examples=4, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(QUERY_KEYS), ODD_TEXT, max_size=3))
    def run(query):
        resp = client.get(url, query_string=query)
        _check(failures, "GET", url, resp, query)

    run()


PATH_VALUES = st.one_of(st.integers(min_value=-(2**70), max_value=2**70),
                        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/"), min_size=1,
                                max_size=60),
                        st.sampled_from(["99999999999999999999", "0" * 32, "ab\x00cd", "..", "%2e%2e", "report.css"]))


def test_fuzz_path_arguments_on_every_route(app):
    admin = make_account(app, clinic="Clinic A", role="admin")
    client = app.test_client()
    login(client, admin)
    token = CSRF_RE.search(client.get("/account/password").get_data(as_text=True)).group(1)
    failures: list[str] = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in SKIP_SIGNED_IN:
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            _run_paths(client, rule, method, token, failures)
    assert not failures, "\n".join(failures[:10])


def _run_paths(client, rule, method, token, failures) -> None:
    from urllib.parse import quote

    @settings(max_examples=6, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({name: PATH_VALUES for name in sorted(rule.arguments)}))
    def run(args):
        # Built by hand: the converters would refuse most of these values, which is the point.
        url = rule.rule
        for name, value in args.items():
            url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + ">", quote(str(value), safe=""), url)
        resp = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        _check(failures, method, url, resp, args)

    run()
