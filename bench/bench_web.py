"""Web benchmarks (ARCHITECTURE.md budgets), measured side by side in one run.

1. Intake submission under gunicorn with 2 workers: requests per second of POSTing an ICIQ-UI SF
   step (CSRF check, validate, score, triage, commit) vs a bare Flask endpoint on the same server.
   Budget: the submission sustains >= 40 % of the bare endpoint's rate.  Load comes from ``wrk``
   (Debian package; installed when missing and running as root).
2. Patient list and search with 100 000 patients vs 1 000: median time of the same requests.
   Budget: within 2x.

Run: ``.venv/bin/python bench/bench_web.py [--seconds 10] [--connections 8]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-" + "z" * 40
PASSWORD = "bench pass phrase long enough"
SUBMIT_TARGETS = 12000
"""Assessments the submission benchmark saves, one per request (see _seed_user)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed (apt-get install wrk)")
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "wrk"], check=True,
                   stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk install failed")


def _app(db_url: str, instance: str):
    from clinic import create_app

    return create_app({"PHAT_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
                       "RATELIMIT_ENABLED": False}, instance_path=instance)


def _seed_user(app) -> tuple[int, str, str]:
    from clinic.db import db
    from clinic.models import Clinic, Episode, Patient, User
    from clinic.operations import start_assessment
    from clinic.security import hash_password

    with app.app_context():
        clinic = Clinic(name="Bench clinic")
        db.session.add(clinic)
        db.session.flush()
        user = User(clinic_id=clinic.id, email="bench@example.org", name="Bench", role="admin",
                    password_hash=hash_password(PASSWORD))
        db.session.add(user)
        db.session.flush()
        patient = Patient(clinic_id=clinic.id, date_of_birth=dt.date(1990, 1, 1), sex="female")
        patient.set_name("Bench", "Patient")
        db.session.add(patient)
        db.session.flush()
        episode = Episode(clinic_id=clinic.id, patient_id=patient.id, complaints=["incontinence"],
                          opened_on=dt.date.today())
        db.session.add(episode)
        db.session.flush()
        # Every save states the version it read (row_version 1 here), so each request of the
        # benchmark saves a different assessment: a repeated save of one would be a stale write.
        ids = []
        for _ in range(SUBMIT_TARGETS):
            ids.append(start_assessment(episode, user, ["iciq-ui-sf"]).id)
        db.session.commit()
        return clinic.id, ids, user.email


def _login(base: str) -> tuple[str, str]:
    """Sign in over HTTP; return (cookie header, CSRF token)."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": "bench@example.org", "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(base + "/login", data=data)
    page = opener.open(base + "/account/password").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


def _wrk(wrk: str, url: str, seconds: int, connections: int, script: str | None, args: tuple = ()) -> float:
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url, *(["--", *map(str, args)] if args else [])], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return rps


def web_ratio(seconds: int, connections: int) -> dict:
    wrk = _ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    db_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    from clinic.db import upgrade

    upgrade(db_url)
    app = _app(db_url, str(folder / "instance"))
    _clinic_id, assessment_ids, _ = _seed_user(app)
    app.extensions["phat_engine"].dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PHAT_ENV": "testing", "SECRET_KEY": SECRET,
           "PHAT_INSTANCE_PATH": str(folder / "instance"), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "--log-level", "warning", "bench.wsgi_bench:app"],
                              cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cookie, token = _login(base)
        body = urllib.parse.urlencode({"csrf_token": token, "row_version": "1", "3": "two_three_weekly",
                                       "4": "small", "5": "4", "6": "cough_sneeze", "action": "save"})
        ids = ", ".join(f'"{i}"' for i in assessment_ids)
        script = folder / "post.lua"
        # Each request saves the next unsaved assessment (threads interleave; each wrk run starts
        # at its own block of ids, passed after "--").
        script.write_text(
            f"ids = {{{ids}}}\n"
            "local thread_no = 0\n"
            "function setup(thread) thread:set('me', thread_no); thread_no = thread_no + 1 end\n"
            "function init(args) start = tonumber(args[1]); n = 0 end\n"
            "function request()\n"
            "  n = n + 1\n"
            "  local i = start + (n - 1) * 2 + me\n"
            "  return wrk.format('POST', '/assessments/' .. ids[i] .. '/steps/1', nil, nil)\n"
            "end\n"
            'wrk.method = "POST"\n'
            f'wrk.body = "{body}"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            f'wrk.headers["Cookie"] = "{cookie}"\n'
            f'wrk.headers["Referer"] = "{base}/"\n')
        submit_url = f"{base}/assessments/{assessment_ids[0]}/steps/1"
        block = SUBMIT_TARGETS // 4
        # Warm up both, then interleave: bare, submit, bare, submit.
        _wrk(wrk, base + "/bench/bare", 2, connections, None)
        _wrk(wrk, submit_url, 2, connections, str(script), (1,))
        bare, submit = [], []
        for run in range(2):
            bare.append(_wrk(wrk, base + "/bench/bare", seconds, connections, None))
            submit.append(_wrk(wrk, submit_url, seconds, connections, str(script), (1 + block * (run + 1),)))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    b, s = statistics.mean(bare), statistics.mean(submit)
    return {"bare_rps": bare, "submit_rps": submit, "ratio": s / b}


def _bulk_patients(app, clinic_id: int, n: int) -> None:
    import random

    from sqlalchemy import insert

    from clinic.db import db
    from clinic.models import Patient, PatientNamePart, name_parts, new_id

    rng = random.Random(42)
    syllables = ["an", "bel", "cor", "dan", "el", "fen", "gar", "hol", "is", "jor", "kel", "lin", "mor", "nor",
                 "ol", "par", "quin", "ros", "sal", "tor", "ul", "ver", "wil", "yan", "zel"]
    with app.app_context():
        rows, parts = [], []
        for i in range(n):
            family = (rng.choice(syllables) + rng.choice(syllables) + rng.choice(syllables)).capitalize()
            if i % 20 == 0:  # one in twenty double-barrelled
                family += "-" + (rng.choice(syllables) + rng.choice(syllables)).capitalize()
            given = (rng.choice(syllables) + rng.choice(syllables)).capitalize()
            pid = new_id()
            rows.append({"id": pid, "clinic_id": clinic_id, "given_name": given, "family_name": family,
                         "given_key": given.lower(), "family_key": family.lower(),
                         "date_of_birth": dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25000)),
                         "sex": "female", "is_demo": False})
            parts.extend({"clinic_id": clinic_id, "part": part, "patient_id": pid}
                         for part in name_parts(given, family))
            if len(rows) == 5000:
                db.session.execute(insert(Patient), rows)
                db.session.execute(insert(PatientNamePart), parts)
                rows, parts = [], []
        if rows:
            db.session.execute(insert(Patient), rows)
            db.session.execute(insert(PatientNamePart), parts)
        db.session.commit()


def list_scale(repeats: int) -> dict:
    from clinic.db import upgrade

    results = {}
    queries = ["/patients", "/patients?q=harper", "/patients?q=mor", "/patients?q=morelan",
               "/patients?q=1970-05-05", "/patients?page=20"]
    apps = {}
    for n in (1_000, 100_000):
        folder = Path(tempfile.mkdtemp(prefix=f"bench-list-{n}-"))
        url = f"sqlite:///{folder / 'list.sqlite3'}"
        upgrade(url)
        app = _app(url, str(folder / "instance"))
        clinic_id, _, _ = _seed_user(app)
        _bulk_patients(app, clinic_id, n)
        with app.app_context():
            from clinic.maintenance import optimize
            optimize()  # what `phat db-optimize` (or db-upgrade) does on a real installation
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token})
        apps[n] = (app, client, folder)
    for q in queries:
        times = {1_000: [], 100_000: []}
        # Search terms travel in a POST and stay in the session (never in the URL): set them
        # first, then time the list page that runs the search.
        term = q.split("?q=", 1)[1] if "?q=" in q else ""
        path = "/patients" + (q[len("/patients"):] if "?page=" in q else "")
        for _, client, _folder in apps.values():
            page = client.get("/account/password").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            client.post("/patients/search", data={"q": term, "csrf_token": token})
        for _ in range(repeats):  # interleaved, so both sizes see the same machine noise
            for n, (_, client, _folder) in apps.items():
                t0 = time.perf_counter()
                resp = client.get(path)
                times[n].append(time.perf_counter() - t0)
                assert resp.status_code == 200, (q, resp.status_code)
        small, large = statistics.median(times[1_000]), statistics.median(times[100_000])
        results[q] = (small * 1000, large * 1000, large / small)
    for app, _client, folder in apps.values():
        app.extensions["phat_engine"].dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--only", choices=("submit", "list"), help="run one of the two parts")
    args = parser.parse_args()
    if args.only != "list":
        web = web_ratio(args.seconds, args.connections)
        print(f"bare endpoint rps: {', '.join(f'{x:.0f}' for x in web['bare_rps'])}")
        print(f"intake step save rps: {', '.join(f'{x:.0f}' for x in web['submit_rps'])}")
        print(f"ratio submission / bare: {web['ratio']:.2f} (budget >= 0.40)")
    if args.only == "submit":
        return
    scale = list_scale(args.repeats)
    print("patient list: request | 1k median ms | 100k median ms | ratio (budget <= 2)")
    for q, (small, large, ratio) in scale.items():
        print(f"  {q:26} {small:8.1f} {large:8.1f} {ratio:6.2f}")


if __name__ == "__main__":
    main()
