"""deploy/Dockerfile: hadolint-clean, multi-stage, non-root, health-checked; and its health check works.

Docker cannot build or run images on this machine; what its steps do is exercised without it by
deploy/image-steps.sh (docs/deploy.md says what was and was not).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.deploy.tools import DEPLOY, ROOT, run, tool

DOCKERFILE = DEPLOY / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_hadolint_finds_nothing() -> None:
    hadolint = tool("hadolint", "the Dockerfile lint")
    result = run(hadolint, "--no-color", str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_flag_a_bad_dockerfile(tmp_path: Path) -> None:
    # the lint is live: the usual mistakes are reported, so a clean result above means something
    hadolint = tool("hadolint", "the Dockerfile lint")
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\nCMD confbot run\n")
    result = run(hadolint, "--no-color", str(bad))
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # :latest
    assert "DL3008" in result.stdout  # unpinned apt package


def test_two_stages_and_the_last_one_runs_confbot_as_a_non_root_user() -> None:
    steps = instructions()
    stages = [i for i, (op, _) in enumerate(steps) if op == "FROM"]
    assert len(stages) >= 2, "multi-stage: the build tools stay out of the image"
    final = steps[stages[-1] :]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert users[-1].split(":")[0].isdigit(), "numeric, so Kubernetes' runAsNonRoot can verify it"
    assert json.loads(dict(final)["CMD"]) == ["confbot", "run"]
    healthcheck = dict(final)["HEALTHCHECK"]
    assert json.loads(healthcheck.split("CMD", 1)[1]) == ["python", "/app/healthcheck.py"]


def test_the_image_installs_the_built_wheel_not_the_source_tree() -> None:
    steps = instructions()
    build = " ".join(args for op, args in steps if op == "RUN")
    assert "pip wheel" in build and "pip install /wheels/confbot-" in build
    final = steps[[i for i, (op, _) in enumerate(steps) if op == "FROM"][-1] :]
    copied = [args for op, args in final if op == "COPY"]
    assert not any(args.startswith(("bot", "adapters", ".")) for args in copied)


def test_dockerignore_keeps_secrets_and_local_state_out_but_lets_every_copied_path_in() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "**" in ignore, "everything is excluded unless allowed"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert not any(".env" in path or ".venv" in path for path in allowed)
    for op, args in instructions():
        if op == "COPY" and not args.startswith("--from"):
            *sources, _ = args.split()
            for source in sources:
                assert source.rstrip("/") in allowed, f"{source} is copied but .dockerignore leaves it out"
                assert (ROOT / source).exists()


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    env = {"CONFBOT_HTTP_PORT": str(port), "PATH": ""}
    return subprocess.run(
        [sys.executable, str(DEPLOY / "healthcheck.py")], env=env, capture_output=True, text=True, timeout=30
    )


def test_healthcheck_passes_when_healthz_answers_200(health_server: HTTPServer) -> None:
    _Health.status = 200
    assert healthcheck(health_server.server_address[1]).returncode == 0


def test_healthcheck_fails_with_a_reason_when_healthz_does_not(health_server: HTTPServer) -> None:
    _Health.status = 503
    port = health_server.server_address[1]
    result = healthcheck(port)
    assert result.returncode == 1
    assert result.stdout.startswith(f"unhealthy: http://127.0.0.1:{port}/healthz")
    assert "503" in result.stdout


def test_healthcheck_fails_when_nothing_listens(health_server: HTTPServer) -> None:
    port = health_server.server_address[1]
    health_server.shutdown()
    health_server.server_close()
    result = healthcheck(port)
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy:")
