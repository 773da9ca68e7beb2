"""The toolkit installs as a wheel and runs outside the checkout.

A clinic's IT person builds a wheel and installs it on a server: nothing may be found through the
checkout or the working directory. This test builds the wheel, installs it with its dependencies
into a fresh virtual environment in a temporary folder (pip's cache makes that quick once the test
dependencies are installed), and from another directory migrates a database, loads the demo data,
renders a report and asks every command for its help without a SECRET_KEY.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, *, cwd, env, timeout=600):
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder, clean environment, working folder) of a venv holding only the built wheel."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PHAT_", "VIRTUAL_ENV", "PYTHON")) and k not in ("SECRET_KEY", "DATABASE_URL")}
    # Build from a copy of the sources, so no build/ folder is left in (or reused from) the checkout.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "test-artifacts"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)], cwd=base, env=env)
    wheels = list(dist.glob("pelvic_health_toolkit-*.whl"))
    assert len(wheels) == 1, wheels
    target = base / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    bin_dir = target / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheels[0])],
         cwd=base, env=env)
    work = base / "elsewhere"
    work.mkdir()
    return bin_dir, env, work


def test_wheel_holds_templates_migrations_and_definitions(installed):
    bin_dir, env, work = installed
    code = (
        "import clinic, pdf, assessments, pathlib\n"
        "c = pathlib.Path(clinic.__file__).parent; p = pathlib.Path(pdf.__file__).parent\n"
        "assert 'site-packages' in str(c), c\n"
        "assert (c / 'templates' / 'base.html').is_file()\n"
        "assert (c / 'templates' / 'patient_link' / 'step.html').is_file()\n"
        "assert (c / 'migrations' / 'alembic.ini').is_file()\n"
        "assert len(list((c / 'migrations' / 'versions').glob('*.py'))) >= 2\n"
        "assert (p / 'templates' / 'report' / 'clinician.html').is_file()\n"
        "assert list((p / 'fonts').glob('*.otf'))\n"
        "assert len(assessments.load_all()) >= 19\n"
        "from assessments.catalogue import load_catalogue; load_catalogue()\n"
    )
    _run([str(bin_dir / "python"), "-c", code], cwd=work, env=env)


def test_installed_app_migrates_loads_demo_and_renders_a_report(installed):
    bin_dir, env, work = installed
    instance = work / "instance"
    run_env = dict(env, PHAT_ENV="development", PHAT_INSTANCE_PATH=str(instance))
    phat = str(bin_dir / "phat")
    assert "db-upgrade" in _run([phat, "--help"], cwd=work, env=env).stdout  # no SECRET_KEY needed for help
    _run([phat, "db-upgrade"], cwd=work, env=run_env)
    assert "Demo data loaded" in _run([phat, "demo-data"], cwd=work, env=run_env).stdout
    with sqlite3.connect(instance / "phat.sqlite3") as conn:
        assessment_id = conn.execute("SELECT id FROM assessments WHERE status = 'signed' LIMIT 1").fetchone()[0]
    out = work / "report.pdf"
    _run([phat, "render-report", assessment_id, "--out", str(out)], cwd=work, env=run_env)
    assert out.read_bytes().startswith(b"%PDF-")
    assert not (ROOT / "instance" / "report.pdf").exists()


def test_every_command_prints_its_help_without_a_secret_key(installed):
    bin_dir, env, work = installed
    phat = str(bin_dir / "phat")
    listing = _run([phat, "--help"], cwd=work, env=env).stdout
    commands = [line.split()[0] for line in listing.split("Commands:")[1].splitlines() if line.strip()]
    assert "render-report" in commands
    for command in commands:
        proc = _run([phat, command, "--help"], cwd=work, env=env)
        assert "Usage:" in proc.stdout and "Traceback" not in proc.stderr, command
