"""requirements.lock (pip-compile --generate-hashes) pins every dependency of pyproject.toml
with hashes, so `pip install --require-hashes -r requirements.lock` and `make audit` (pip-audit)
check exactly what runs.  Regenerate with `make lock` after changing a dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return _canonical(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])


def _canonical(name: str) -> str:
    """PEP 503 normalised name: fhir.resources, fhir_resources and fhir-resources are one package."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def test_lock_pins_every_runtime_and_test_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock):
        m = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        if m:
            pinned[_canonical(m.group(1))] = block.count("--hash=sha256:")
    missing = sorted(wanted - set(pinned))
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    assert all(pinned[name] >= 1 for name in wanted)
    assert "file:///" not in lock and "--find-links" not in lock  # no machine-specific sources
