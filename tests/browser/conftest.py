"""Browser layer: a real server on a free port with a file-backed SQLite database, driven by
Debian's Chromium through Playwright; axe-core checks every page a test visits.

Screenshots of each step are saved under ``test-artifacts/browser/<test name>/``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SECRET = "browser-test-secret-" + "y" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    folder = tmp_path_factory.mktemp("live")
    db_url = f"sqlite:///{folder / 'live.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": db_url, "PHAT_ENV": "testing", "SECRET_KEY": SECRET,
           "PHAT_INSTANCE_PATH": str(folder / "instance")}
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "clinic", "db-upgrade"], env=env, check=True,
                   cwd=ROOT, capture_output=True)
    port = _free_port()
    env["PHAT_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"  # emailed links start with it
    log = open(folder / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "clinic", "run", "--port", str(port),
                             "--no-reload", "--with-threads"], env=env, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("live server did not start: " + (folder / "server.log").read_text()) from None
            time.sleep(0.2)
    server = type("LiveServer", (), {"url": base, "env": env, "db_url": db_url, "folder": folder})()
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


class Steps:
    """Saves a screenshot per step and runs axe-core on every page it is shown."""

    def __init__(self, page, name: str):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.axe = Axe()
        self.checked: list[str] = []

    def check(self, label: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{label}.png"), full_page=True)
        results = self.axe.run(self.page)
        self.checked.append(self.page.url)
        if results.violations_count:
            raise AssertionError(f"axe-core violations on {self.page.url} ({label}):\n"
                                 + results.generate_report())


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def steps(page, request):
    return Steps(page, request.node.name)


def run_cli(live_server, *args: str, input_text: str | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "clinic", *args], env=live_server.env,
                            cwd=ROOT, input=input_text, capture_output=True, text=True, check=True)
    return result.stdout
