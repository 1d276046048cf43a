"""A local HTTP server for schedules (never the internet) and helpers to read the fixtures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = Path(__file__).resolve().parents[3] / "data"  # real published schedules (tests/data)


def fixture(name: str) -> bytes:
    """A fixture file's bytes."""
    return (FIXTURES / name).read_bytes()


@dataclass
class ScheduleServer:
    """Serves ``routes`` (path with query → body) on 127.0.0.1; ``tokens`` guards path prefixes."""

    base: str = ""
    routes: dict[str, bytes] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # path prefix → the token it needs
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)

    def serve_pretalx_api(self, slug: str = "hack-2026") -> str:
        """The pretalx API fixtures under /api/events/<slug>/; returns the event's API URL."""
        api = FIXTURES / "pretalx-api"
        root = f"/api/events/{slug}/"

        def body(name: str) -> bytes:
            return (
                (api / name)
                .read_text(encoding="utf-8")
                .replace("{base}", self.base)
                .replace("hack-2026", slug)
                .encode()
            )

        self.routes[root] = body("event.json")
        self.routes[root + "rooms/?limit=100"] = body("rooms.json")
        self.routes[root + "speakers/?limit=100"] = body("speakers-1.json")
        self.routes[root + "speakers/?limit=2&offset=2"] = body("speakers-2.json")
        expand = "submissions/?expand=slots,track,submission_type&limit=100"
        self.routes[root + expand] = body("submissions-1.json")
        self.routes[root + "submissions/?expand=slots%2Ctrack%2Csubmission_type&limit=2&offset=2"] = body(
            "submissions-2.json"
        )
        return self.base + root


@pytest.fixture
def schedule_server() -> Iterator[ScheduleServer]:
    """A threaded HTTP server on a free local port, stopped after the test."""
    state = ScheduleServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            auth = self.headers.get("Authorization")
            state.requests.append((self.path, auth))
            needed = next((t for prefix, t in state.tokens.items() if self.path.startswith(prefix)), None)
            if needed is not None and auth != f"Token {needed}":
                self._send(401, b'{"detail": "Authentication credentials were not provided."}')
            elif self.path in state.routes:
                self._send(200, state.routes[self.path])
            else:
                self._send(404, b'{"detail": "Not found."}')

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if body[:1] in b"{[" else "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
