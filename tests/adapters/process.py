"""``confbot run`` as its own process, the way an operator starts it, for the process-level tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """A process's live child processes (``confbot run``'s workers under their supervisor)."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            found += [int(child) for child in children.read().split()]
    return found


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class ConfbotProcess:
    """One ``confbot run``: its HTTP port, its log file, and how it ended."""

    def __init__(self, db_url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.log = log
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
        self.env = clean | {
            "CONFBOT_DATABASE_URL": db_url,
            "CONFBOT_HTTP_HOST": "127.0.0.1",
            "CONFBOT_HTTP_PORT": str(self.port),
            "CONFBOT_WORKERS": "1",  # one process, whose pid is the bot's (tests/adapters/test_workers.py: more)
            **env,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=10)

    async def start(self) -> ConfbotProcess:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "adapters.cli",
                "run",
                cwd=ROOT,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        return self

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path)

    async def wait_for_http(self) -> None:
        """Until /healthz answers (it comes up before the platforms)."""
        deadline = time.monotonic() + 30
        while True:
            assert self.process is not None and self.process.returncode is None, self.output()
            try:
                if (await self.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the HTTP server did not come up"
            await asyncio.sleep(0.05)

    async def wait_ready(self) -> httpx.Response:
        await self.wait_for_http()
        deadline = time.monotonic() + 30
        while (ready := await self.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, ready.text
            await asyncio.sleep(0.05)
        return ready

    async def metrics(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        """Every sample of /metrics by (name, labels)."""
        text = (await self.get("/metrics")).text
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    async def terminate(self, within: float = 10.0) -> int:
        """SIGTERM, as Kubernetes and systemd stop a service; the exit status (it must come within ``within`` s)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"confbot run did not exit within {within} s of SIGTERM") from None

    async def wait_exit(self, timeout: float = 60.0) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def close(self) -> None:
        await self.http.aclose()
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def sample(metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """One sample's value, 0 when absent (a counter not yet touched)."""
    return metrics.get((name, frozenset(labels.items())), 0.0)
