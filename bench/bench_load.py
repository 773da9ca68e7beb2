"""Mixed load (issue 14): simulated clinicians and patients against gunicorn, SQLite and PostgreSQL.

The server is the README's production gunicorn command (its options are read from the README,
or given with ``--server-options``) with ``PHAT_ENV=production``.  Each simulated clinician signs in, then
repeats: search for a patient by name, open her page, start an assessment, save two steps, download
a signed report (archived); every fifth round she signs out and in again (far more sign-ins than a
clinic sees).  Each simulated patient opens a fresh link from the clinic, confirms her date of
birth, saves two steps and submits.
Between actions each user waits a random think time (default 1-3 s, Locust's ``between(1, 3)``).

Measured in one run, per request kind (a POST that redirects is timed with the page it leads to,
as a user waits for both):

* **at rest**: one clinician, then one patient, alone on the server, a few rounds each;
* **under load**: ``--users`` users (default 60; one in four a patient) started at 5 per second,
  then measured for ``--seconds`` (default 60) once all have started.

Goal (issue 14): 0 errors, and for each kind the p95 under load within 10x the p50 at rest.

Run: ``.venv/bin/python bench/bench_load.py [--db sqlite|postgresql|both] [--users 60] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing as mp
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SECRET = "bench-load-secret-" + "q" * 40
PASSWORD = "bench pass phrase long enough"
HOST = "phat.bench.example"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="row_version" value="(\d+)"')
CLINICIAN_CONTEXT = {"age": "52", "menopause": "post", "given_birth": "no", "contraception": ["none"],
                     "running_status": "regular", "run_km_week": "40", "load_change": "none", "rest_days": "2",
                     "skip_meals": "no", "push_through_fatigue": "no", "sleep_hours": "7", "fatigue": "usual",
                     "diagnoses": ["none"], "mental_health": ["none"], "feels_off": "no"}
PATIENT_CONTEXT = {"menopause": "periods", "pregnancy": "no", "given_birth": "no", "contraception": ["none"],
                   "running_status": "regular", "run_km_week": "30", "load_change": "distance", "rest_days": "1",
                   "skip_meals": "no", "push_through_fatigue": "no", "sleep_hours": "7", "fatigue": "usual",
                   "diagnoses": ["none"], "mental_health": ["none"], "feels_off": "no"}
ICIQ = {"3": "two_three_weekly", "4": "small", "5": "4", "6": ["cough_sneeze"]}
PATIENT_DOB = dt.date(1990, 3, 2)
KINDS = [  # (key, what the user does); the first six are the issue's
    ("sign_in", "sign in (POST /login, then the dashboard)"),
    ("search", "search by name (POST /patients/search, then the list)"),
    ("patient", "open a patient (/patients/<id>)"),
    ("save_step", "save an assessment step (POST, then the next step)"),
    ("submit", "patient submits her intake (POST, then the thank-you page)"),
    ("download", "download a signed report (archived PDF)"),
    ("form", "open a form page (start, step, check)"),
    ("start", "start an assessment (POST, then its first step)"),
    ("link", "patient opens her link (GET /p/<token>)"),
    ("dob", "patient confirms her date of birth (POST, then step 1)"),
    ("patient_step", "patient saves a step (POST, then the next page)"),
]
SYLLABLES = ["an", "bel", "cor", "dan", "el", "fen", "gar", "hol", "is", "jor", "kel", "lin", "mor", "nor",
             "ol", "par", "quin", "ros", "sal", "tor", "ul", "ver", "wil", "yan", "zel"]


# --------------------------------------------------------------------------- the installation

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_create(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = urllib.parse.urlsplit(PG_ADMIN)
    return f"postgresql+psycopg://{base.netloc}/{name}"


def _pg_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(db_url: str, instance: str, clinicians: int, patient_links: int) -> dict:
    """One clinic: the benchmark's clinicians (each with her own patient to work on), 2 000 other
    patients to search among, a signed (archived) assessment to download, and fresh patient links."""
    import logging

    from bench_archive import _seed as seed_signed  # the signed, archived assessment and its clinic
    from bench_web import _bulk_patients

    from clinic import create_app
    from clinic.db import db
    from clinic.models import Clinic, User
    from clinic.operations import PatientDetails, create_invitation, create_patient, open_episode
    from clinic.security import hash_password

    app = create_app({"PHAT_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": db_url}, instance_path=instance)
    logging.getLogger("clinic").setLevel(logging.WARNING)  # the seed's audit lines are not the benchmark's
    _patient_id, signed, _unsigned = seed_signed(app)  # creates bench@example.org's clinic
    rng = random.Random(7)
    out = {"signed": signed, "clinicians": [], "links": []}
    with app.app_context():
        clinic = db.session.query(Clinic).one()
        lead = db.session.query(User).one()
        digest = hash_password(PASSWORD)  # the same password for every benchmark account
        for i in range(clinicians):
            user = User(clinic_id=clinic.id, email=f"physio{i:02d}@bench.example", name=f"Physio {i:02d}",
                        role="clinician", password_hash=digest, job_title="Physiotherapist")
            db.session.add(user)
            db.session.flush()
            family = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() + f"{chr(97 + i % 26)}ton"
            patient = create_patient(clinic.id, PatientDetails(
                given_name="Runner", family_name=family, date_of_birth=dt.date(1975, 1, 1) + dt.timedelta(days=i * 97),
                sex="female"))
            episode = open_episode(patient, user, title="Leaking on long runs", complaints=["incontinence"],
                                   opened_on=dt.date.today())
            out["clinicians"].append({"email": user.email, "patient": patient.id, "episode": episode.id,
                                      "search": family[:5].lower()})
        for i in range(patient_links):
            patient = create_patient(clinic.id, PatientDetails(
                given_name="Linked", family_name=f"Patient{i:04d}", date_of_birth=PATIENT_DOB, sex="female"))
            episode = open_episode(patient, lead, title="Intake before first visit", complaints=["incontinence"],
                                   opened_on=dt.date.today())
            _invitation, token = create_invitation(episode, lead, ["iciq-ui-sf"], days=14)
            out["links"].append(token)
        db.session.commit()
        clinic_id = clinic.id
    _bulk_patients(app, clinic_id, 2000)
    with app.app_context():
        from clinic.maintenance import optimize

        optimize()
    app.extensions["phat_engine"].dispose()
    return out


SERVER_OPTIONS: list[str] | None = None
"""gunicorn's options; None: those of the README's production command."""


def gunicorn_options() -> list[str]:
    """The options of the README's production gunicorn command, without its --bind and app."""
    import shlex

    if SERVER_OPTIONS is not None:
        return SERVER_OPTIONS
    line = next(x for x in (ROOT / "README.md").read_text().splitlines() if x.startswith(".venv/bin/gunicorn "))
    words = shlex.split(line)[1:]
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
        elif w == "--bind":
            skip = True
        elif w.startswith("--bind=") or ":create_app" in w:
            continue
        else:
            out.append(w)
    return out


def start_server(db_url: str, instance: str, log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PHAT_ENV": "production", "SECRET_KEY": SECRET,
           "PHAT_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT), "PHAT_PUBLIC_BASE_URL": f"https://{HOST}",
           # Every simulated patient comes from 127.0.0.1: the per-address link limit would count
           # them as one guesser.  Everything else is the production default.
           "PHAT_PATIENT_LINK_RATE_LIMIT": "100000 per minute"}
    cmd = [str(Path(sys.executable).parent / "gunicorn"), *gunicorn_options(), "--bind", f"127.0.0.1:{port}",
           "clinic:create_app()"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": HOST})
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start; see {log}:\n{log.read_text()[-3000:]}")


# --------------------------------------------------------------------------- the simulated users

class Failure(Exception):
    pass


class User:
    """One browser: its own cookies, one connection per request, redirects followed like a browser."""

    def __init__(self, port: int, record, think: tuple[float, float], rng: random.Random):
        self.port, self.record, self.think, self.rng = port, record, think, rng
        self.cookies: dict[str, str] = {}
        self.page = ""

    def pause(self) -> None:
        if self.think[1] > 0:
            time.sleep(self.rng.uniform(*self.think))

    def _one(self, method: str, path: str, body: str | None) -> tuple[int, str | None, bytes]:
        headers = {"Host": HOST, "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            for header, value in resp.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    val = rest.split(";", 1)[0]
                    if val and "Max-Age=0" not in value and "expires=Thu, 01 Jan 1970" not in value:
                        self.cookies[name] = val
                    else:
                        self.cookies.pop(name, None)
            return resp.status, resp.getheader("Location"), data
        finally:
            conn.close()

    def request(self, kind: str, method: str, path: str, data: dict | None = None, *, expect=(200,),
                binary=False) -> str:
        body = urllib.parse.urlencode(data, doseq=True) if data is not None else None
        t0 = time.perf_counter()
        try:
            status, location, payload = self._one(method, path, body)
            for _ in range(3):
                if status not in (302, 303) or not location:
                    break
                target = urllib.parse.urlsplit(location)
                status, location, payload = self._one("GET", target.path + (f"?{target.query}" if target.query
                                                                            else ""), None)
        except OSError as exc:
            self.record(kind, time.perf_counter() - t0, f"{type(exc).__name__}")
            raise Failure(kind) from exc
        elapsed = time.perf_counter() - t0
        if status not in expect:
            self.record(kind, elapsed, f"HTTP {status} on {method} /{path.split('/')[1]}")
            raise Failure(f"{kind}: HTTP {status} on {method} {path}")
        self.record(kind, elapsed, None)
        if binary:
            if not payload.startswith(b"%PDF"):
                raise Failure(kind)
            return ""
        self.page = payload.decode("utf-8", "replace")
        return self.page

    def form(self, name: str = "csrf_token") -> dict:
        found = TOKEN.search(self.page)
        if not found:
            raise Failure("no CSRF token on the page")
        out = {"csrf_token": found.group(1)}
        if version := VERSION.search(self.page):
            out["row_version"] = version.group(1)
        return out


def clinician_rounds(user: User, me: dict, signed: str, stop: threading.Event, rounds: int | None) -> None:
    def sign_in() -> None:
        user.request("form", "GET", "/login")
        user.pause()
        user.request("sign_in", "POST", "/login", {**user.form(), "email": me["email"], "password": PASSWORD})
        if "Sign out" not in user.page:
            raise Failure("sign in did not reach the dashboard")

    sign_in()
    n = 0
    while not stop.is_set() and (rounds is None or n < rounds):
        n += 1
        user.pause()
        user.request("search", "POST", "/patients/search", {**user.form(), "q": me["search"]})
        user.pause()
        user.request("patient", "GET", f"/patients/{me['patient']}")
        user.pause()
        user.request("form", "GET", f"/episodes/{me['episode']}/assessments/new")
        user.pause()
        user.request("start", "POST", f"/episodes/{me['episode']}/assessments/new",
                     {**user.form(), "instruments": ["iciq-ui-sf"], "performed_on": dt.date.today().isoformat()})
        user.pause()
        user.request("save_step", "POST", _path_of_form(user.page), {**user.form(), **CLINICIAN_CONTEXT,
                                                                       "action": "next"})
        user.pause()
        user.request("save_step", "POST", _path_of_form(user.page), {**user.form(), **ICIQ, "action": "next"})
        user.pause()
        user.request("download", "GET", f"/assessments/{signed}/report/clinician.pdf", binary=True)
        if n % 5 == 0 and not stop.is_set():
            user.pause()
            user.request("form", "GET", "/")
            user.request("sign_out", "POST", "/logout", user.form())
            user.cookies.clear()
            sign_in()


_STEP_ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="(/assessments/[^"]+/steps/\d+)"')


def _path_of_form(page: str) -> str:
    found = _STEP_ACTION.search(page) or re.search(r'action="(/assessments/[^"]+/steps/\d+)"', page)
    if not found:
        raise Failure("no step form on the page")
    return found.group(1)


def patient_rounds(user: User, tokens: list[str], stop: threading.Event, rounds: int | None) -> None:
    n = 0
    while tokens and not stop.is_set() and (rounds is None or n < rounds):
        n += 1
        token = tokens.pop()
        user.cookies.clear()
        user.request("link", "GET", f"/p/{token}")
        user.pause()
        user.request("dob", "POST", f"/p/{token}", {**user.form(), "dob_day": str(PATIENT_DOB.day),
                                                     "dob_month": str(PATIENT_DOB.month),
                                                     "dob_year": str(PATIENT_DOB.year)})
        user.pause()
        user.request("patient_step", "POST", "/intake/steps/0", {**user.form(), **PATIENT_CONTEXT, "action": "next"})
        user.pause()
        user.request("save_step", "POST", "/intake/steps/1", {**user.form(), **ICIQ, "action": "next"})
        user.pause()
        user.request("submit", "POST", "/intake/submit", user.form())
        if "Thank you" not in user.page:
            raise Failure("submission did not reach the thank-you page")
        user.pause()


def _client(port: int, plan: list[tuple], think: tuple[float, float], spawn_every: float, start_at: float,
            measure_from: float, stop_at: float, queue) -> None:
    """One load-generating process: a thread per simulated user; samples go back through ``queue``."""
    samples: list[tuple[str, float, str | None, float]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def record(kind, seconds, error):
        with lock:
            samples.append((kind, seconds, error, time.time()))

    def run(i: int, role: str, payload) -> None:
        time.sleep(max(0.0, start_at + i * spawn_every - time.time()))
        user = User(port, record, think, random.Random(i))
        while not stop.is_set():
            try:
                if role == "clinician":
                    clinician_rounds(user, payload[0], payload[1], stop, None)
                else:
                    patient_rounds(user, payload, stop, None)
                    return
            except Failure:
                user.cookies.clear()
                time.sleep(1)

    threads = [threading.Thread(target=run, args=p, daemon=True) for p in plan]
    for t in threads:
        t.start()
    time.sleep(max(0.0, stop_at - time.time()))
    stop.set()
    for t in threads:
        t.join(30)
    queue.put([s for s in samples if s[3] >= measure_from or s[2]])


def at_rest(port: int, clinician: dict, signed: str, tokens: list[str], rounds: int) -> list[tuple]:
    samples: list[tuple] = []

    def record(kind, seconds, error):
        samples.append((kind, seconds, error, time.time()))

    think = (0.05, 0.1)
    clinician_rounds(User(port, record, think, random.Random(0)), clinician, signed, threading.Event(), 1)  # warm
    patient_rounds(User(port, record, think, random.Random(0)), tokens, threading.Event(), 1)
    samples.clear()
    clinician_rounds(User(port, record, think, random.Random(1)), clinician, signed, threading.Event(), rounds)
    patient_rounds(User(port, record, think, random.Random(1)), tokens, threading.Event(), rounds)
    return samples


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(db: str, users: int, seconds: int, think: tuple[float, float], rest_rounds: int, procs: int) -> dict:
    from clinic.db import upgrade

    folder = Path(tempfile.mkdtemp(prefix=f"bench-load-{db}-"))
    pg_name = f"bench_load_{os.getpid()}"
    db_url = f"sqlite:///{folder / 'bench.sqlite3'}" if db == "sqlite" else _pg_create(pg_name)
    instance = str(folder / "instance")
    log = folder / "gunicorn.log"
    patients = max(1, users // 4)
    clinicians = users - patients
    per_patient = int(seconds / (4 * sum(think) / 2 + 1)) + 8  # rounds a patient user can do, with room
    server = None
    try:
        upgrade(db_url)
        t0 = time.perf_counter()
        data = seed(db_url, instance, clinicians + 1, patients * per_patient + 2 * rest_rounds + 4)
        seeded = time.perf_counter() - t0
        server, port = start_server(db_url, instance, log)
        tokens = data["links"]
        rest_tokens = [tokens.pop() for _ in range(rest_rounds + 2)]
        load_start = os.getloadavg()[0]
        rest = at_rest(port, data["clinicians"][-1], data["signed"], rest_tokens, rest_rounds)
        plan = []
        for i in range(users):
            if i % 4 == 3:
                plan.append((i, "patient", [tokens.pop() for _ in range(per_patient)]))
            else:
                plan.append((i, "clinician", (data["clinicians"][len([p for p in plan if p[1] == "clinician"])],
                                               data["signed"])))
        spawn_every = 1 / 5  # 5 users a second, as the checklist's Locust run
        start_at = time.time() + 1
        measure_from = start_at + users * spawn_every
        stop_at = measure_from + seconds
        queue = mp.get_context("fork").Queue()
        workers = [mp.get_context("fork").Process(
            target=_client, args=(port, plan[k::procs], think, spawn_every, start_at, measure_from, stop_at, queue))
            for k in range(procs)]
        cpu0 = os.times()
        for w in workers:
            w.start()
        loaded = []
        for _ in workers:
            loaded.extend(queue.get(timeout=seconds + users + 180))
        for w in workers:
            w.join(30)
        load_end = os.getloadavg()[0]
        del cpu0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        server_log = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        if db != "sqlite":
            _pg_drop(pg_name)
    errors = [s for s in loaded if s[2]]
    measured = [s for s in loaded if s[3] >= measure_from and not s[2]]
    kinds = {}
    for key, _label in KINDS + [("sign_out", "")]:
        at_rest_times = [s[1] for s in rest if s[0] == key and not s[2]]
        load_times = [s[1] for s in measured if s[0] == key]
        if not at_rest_times or not load_times:
            continue
        p50_rest = statistics.median(at_rest_times)
        kinds[key] = {"rest_n": len(at_rest_times), "rest_p50": p50_rest * 1000,
                      "rest_p95": _p(at_rest_times, 0.95) * 1000, "load_n": len(load_times),
                      "load_p50": statistics.median(load_times) * 1000, "load_p95": _p(load_times, 0.95) * 1000,
                      "ratio": _p(load_times, 0.95) / p50_rest}
    return {"server": gunicorn_options(), "db": db, "users": users,
             "clinicians": clinicians, "patients": patients, "seconds": seconds,
            "think": think, "kinds": kinds, "errors": errors, "rest_errors": [s for s in rest if s[2]],
            "requests": len(measured), "rps": len(measured) / seconds, "load_start": load_start,
            "load_end": load_end, "seeded": seeded,
            "worker_boots": server_log.count("Booting worker"),
            "server_errors": [line for line in server_log.splitlines()
                              if '"level": "ERROR"' in line or "Traceback" in line or "[ERROR]" in line]}


def report(res: dict) -> str:
    labels = dict(KINDS + [("sign_out", "sign out")])
    lines = [f"### {'SQLite (embedded)' if res['db'] == 'sqlite' else 'PostgreSQL'}: {res['users']} users "
             f"({res['clinicians']} clinicians, {res['patients']} patients), {res['seconds']} s, think time "
             f"{res['think'][0]:g}-{res['think'][1]:g} s",
             "",
             f"gunicorn {' '.join(res['server'])}. "
             f"Load average {res['load_start']:.2f} before the run, {res['load_end']:.2f} after. "
             f"{res['requests']} user actions measured under load ({res['rps']:.1f} per second); "
             f"errors: {len(res['errors'])} under load, {len(res['rest_errors'])} at rest; server log errors: "
             f"{len(res['server_errors'])}; gunicorn workers booted: {res['worker_boots']} (the first "
             f"ones included; more are recycles after --max-requests).",
             "",
             "| request kind | at rest: n | p50 | under load: n | p50 | p95 | p95 load / p50 rest (goal <= 10x) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for key, k in res["kinds"].items():
        mark = "" if k["ratio"] <= 10 else " MISSED"
        lines.append(f"| {labels[key]} | {k['rest_n']} | {k['rest_p50']:.0f} ms | {k['load_n']} | "
                     f"{k['load_p50']:.0f} ms | {k['load_p95']:.0f} ms | {k['ratio']:.1f}x{mark} |")
    if res["errors"]:
        by = {}
        for s in res["errors"]:
            by[(s[0], s[2])] = by.get((s[0], s[2]), 0) + 1
        lines += ["", "Errors: " + "; ".join(f"{k[0]} {k[1]} x{v}" for k, v in sorted(by.items()))]
    for line in res["server_errors"][:5]:
        lines.append(f"    server: {line[:200]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", default="1,3", help="think time range in seconds, e.g. 1,3")
    parser.add_argument("--rest-rounds", type=int, default=8)
    parser.add_argument("--procs", type=int, default=2, help="load-generating processes")
    parser.add_argument("--server-options", help="gunicorn options instead of the README's, e.g. "
                        "'--workers 2 --threads 4 --worker-class gthread'")
    args = parser.parse_args()
    global SERVER_OPTIONS
    if args.server_options:
        import shlex

        SERVER_OPTIONS = shlex.split(args.server_options)
    think = tuple(float(x) for x in args.think.split(","))
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    ok = True
    for db in dbs:
        res = run(db, args.users, args.seconds, think, args.rest_rounds, args.procs)
        print(report(res), flush=True)
        print()
        ok = ok and not res["errors"] and all(k["ratio"] <= 10 for k in res["kinds"].values())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {dt.date.today().isoformat()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
