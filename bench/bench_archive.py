"""Signed-report archive and responsiveness while reports render (issue 12), side by side in one run.

1. Downloading a signed report (the archived bytes) against rendering the same report: median
   time of each, through the app (test client).  Budget: the download takes <= 0.05x the render.
2. A patient page's p95 under gunicorn (2 workers x 4 threads) at rest, then while three clients
   keep downloading unsigned reports (each a fresh render in the isolated render process).
   Budget: p95 under rendering <= 2x p95 at rest.

Run: ``.venv/bin/python bench/bench_archive.py [--downloads 60] [--renders 12] [--requests 300]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
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
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-" + "a" * 40
PASSWORD = "bench pass phrase long enough"
CONTEXT = {"age": "52", "menopause": "post", "given_birth": "no", "contraception": ["none"],
           "running_status": "regular", "run_km_week": "40", "load_change": "none", "rest_days": "2",
           "skip_meals": "no", "push_through_fatigue": "no", "sleep_hours": "7", "fatigue": "usual",
           "diagnoses": ["none"], "mental_health": ["none"], "feels_off": "no"}
ICIQ = {"3": "two_three_weekly", "4": "small", "5": "4", "6": ["cough_sneeze"], "action": "next"}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="row_version" value="(\d+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _seed(app) -> tuple[str, str, str]:
    """A patient with one signed (archived) and one unsigned assessment; returns their ids."""
    from clinic.db import db
    from clinic.models import Clinic, Episode, Patient, User
    from clinic.security import hash_password

    with app.app_context():
        clinic = Clinic(name="Bench clinic", address="1 Bench Street", phone="0100 000 000")
        db.session.add(clinic)
        db.session.flush()
        db.session.add(User(clinic_id=clinic.id, email="bench@example.org", name="Bench Physio", role="admin",
                            password_hash=hash_password(PASSWORD), job_title="Physiotherapist"))
        patient = Patient(clinic_id=clinic.id, date_of_birth=dt.date(1974, 5, 1), sex="female")
        patient.set_name("Bench", "Patient")
        db.session.add(patient)
        db.session.flush()
        episode = Episode(clinic_id=clinic.id, patient_id=patient.id, complaints=["incontinence", "bleeding"],
                          opened_on=dt.date.today() - dt.timedelta(days=60))
        db.session.add(episode)
        db.session.commit()
        patient_id, episode_id = patient.id, episode.id
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD,
                                "csrf_token": TOKEN.search(page).group(1)})

    def post(path, data, version_from=None):
        page = client.get(version_from or path).get_data(as_text=True)
        payload = {**data, "csrf_token": TOKEN.search(page).group(1)}
        if m := VERSION.search(page):
            payload.setdefault("row_version", m.group(1))
        return client.post(path, data=payload)

    ids = []
    for _ in range(2):
        resp = post(f"/episodes/{episode_id}/assessments/new",
                    {"instruments": ["intake-bleeding", "iciq-ui-sf"], "performed_on": dt.date.today().isoformat()})
        aid = resp.headers["Location"].split("/assessments/")[1].split("/")[0]
        post(f"/assessments/{aid}/steps/0", {**CONTEXT, "action": "next"})
        post(f"/assessments/{aid}/steps/1", {"heavy_periods": "no_periods", "any_bleeding": "yes",
                                             "source": "vaginal", "action": "save"})
        post(f"/assessments/{aid}/steps/2", ICIQ)
        ids.append(aid)
    signed = ids[0]
    page = post(f"/assessments/{signed}/sign", {"notes": "Bench."}, version_from=f"/assessments/{signed}")
    html = page.get_data(as_text=True)
    done = client.post(f"/assessments/{signed}/sign/confirm",
                       data={"csrf_token": TOKEN.search(html).group(1), "row_version": VERSION.search(html).group(1),
                             "notes": "Bench."})
    assert done.status_code == 303, done.status_code
    return patient_id, signed, ids[1]


def archive_vs_render(app, signed: str, downloads: int, renders: int) -> dict:
    """Median of an archived download against a render of the same report (in-process and isolated)."""
    import pdf
    from clinic import archive
    from clinic.db import db
    from clinic.models import Assessment
    from clinic.reports import build_context

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD,
                                "csrf_token": TOKEN.search(page).group(1)})
    url = f"/assessments/{signed}/report/clinician.pdf"
    first = client.get(url).data
    with app.app_context():
        context = build_context(db.session.get(Assessment, signed))
        pdf.render(context, "clinician")  # warm this process
        archive.render_isolated(context, ("clinician",))  # start the fork server
    download, inproc, isolated = [], [], []
    for i in range(max(downloads, renders)):
        if i < downloads:
            t = time.perf_counter()
            data = client.get(url).data
            download.append(time.perf_counter() - t)
            assert data == first
        if i < renders:
            with app.app_context():
                t = time.perf_counter()
                pdf.render(context, "clinician")
                inproc.append(time.perf_counter() - t)
                t = time.perf_counter()
                archive.render_isolated(context, ("clinician",))
                isolated.append(time.perf_counter() - t)
    d, r, s = statistics.median(download), statistics.median(inproc), statistics.median(isolated)
    return {"download_ms": d * 1000, "render_ms": r * 1000, "isolated_ms": s * 1000, "ratio": d / r,
            "ratio_isolated": d / s, "bytes": len(first), "downloads": downloads, "renders": renders}


class _Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=120) as resp:
            return resp.read()

    def login(self) -> None:
        page = self.get("/login").decode()
        data = urllib.parse.urlencode({"email": "bench@example.org", "password": PASSWORD,
                                       "csrf_token": TOKEN.search(page).group(1)}).encode()
        self.opener.open(self.base + "/login", data=data, timeout=30).read()


def responsiveness(db_url: str, instance: str, patient_id: str, unsigned: str, requests: int) -> dict:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PHAT_ENV": "testing", "SECRET_KEY": SECRET,
           "PHAT_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--threads", "4",
                               "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                               "clinic:create_app()"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        viewer = _Browser(base)
        viewer.login()
        page = f"/patients/{patient_id}"

        def sample(n: int) -> list[float]:
            out = []
            for _ in range(n):
                t = time.perf_counter()
                viewer.get(page)
                out.append(time.perf_counter() - t)
            return out

        sample(30)  # warm both workers
        rest = sample(requests)
        stop = threading.Event()
        rendered = [0]
        renderers = [_Browser(base) for _ in range(3)]
        for b in renderers:
            b.login()
            b.get(f"/assessments/{unsigned}/report/clinician.pdf")

        def render_loop(b: _Browser) -> None:
            while not stop.is_set():
                data = b.get(f"/assessments/{unsigned}/report/clinician.pdf")
                assert data.startswith(b"%PDF")
                rendered[0] += 1

        threads = [threading.Thread(target=render_loop, args=(b,), daemon=True) for b in renderers]
        for t in threads:
            t.start()
        time.sleep(2)  # all three renders under way
        loaded = sample(requests)
        health = []
        for _ in range(20):
            t = time.perf_counter()
            urllib.request.urlopen(base + "/healthz", timeout=30).read()
            health.append(time.perf_counter() - t)
        stop.set()
        for t in threads:
            t.join(120)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"rest_p50": statistics.median(rest) * 1000, "rest_p95": _p(rest, 0.95) * 1000,
            "load_p50": statistics.median(loaded) * 1000, "load_p95": _p(loaded, 0.95) * 1000,
            "ratio": _p(loaded, 0.95) / _p(rest, 0.95), "renders": rendered[0], "requests": requests,
            "health_p95": _p(health, 0.95) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--downloads", type=int, default=60)
    parser.add_argument("--renders", type=int, default=12)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    from clinic import create_app
    from clinic.db import upgrade

    folder = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    db_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    try:
        upgrade(db_url)
        app = create_app({"PHAT_ENV": "testing", "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
                          "RATELIMIT_ENABLED": False}, instance_path=str(folder / "instance"))
        patient_id, signed, unsigned = _seed(app)
        load = os.getloadavg()[0]
        a = archive_vs_render(app, signed, args.downloads, args.renders)
        app.extensions["phat_engine"].dispose()
        b = responsiveness(db_url, str(folder / "instance"), patient_id, unsigned, args.requests)
        end_load = os.getloadavg()[0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average {load:.2f} at the start, {end_load:.2f} at the end")
    print(f"1. signed download (archived bytes, {a['bytes']} B): median {a['download_ms']:.1f} ms over "
          f"{a['downloads']}; render of the same report: in-process {a['render_ms']:.0f} ms, isolated process "
          f"{a['isolated_ms']:.0f} ms (median of {a['renders']}); download / render = {a['ratio']:.3f}x "
          f"(in-process), {a['ratio_isolated']:.3f}x (isolated); budget <= 0.05x: "
          f"{'MET' if a['ratio'] <= 0.05 else 'MISSED'}")
    print(f"2. patient page over {b['requests']} requests: at rest p50 {b['rest_p50']:.1f} ms, p95 "
          f"{b['rest_p95']:.1f} ms; while 3 clients render ({b['renders']} reports rendered) p50 "
          f"{b['load_p50']:.1f} ms, p95 {b['load_p95']:.1f} ms; ratio {b['ratio']:.2f}x; budget <= 2x: "
          f"{'MET' if b['ratio'] <= 2 else 'MISSED'}; /healthz p95 under rendering {b['health_p95']:.1f} ms")


if __name__ == "__main__":
    main()
