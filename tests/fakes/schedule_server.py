"""A published schedule on 127.0.0.1: serves whatever body the test sets, with ETag and Last-Modified.

It answers a conditional GET whose validators match with 304, counts requests by status, and can
be told to answer 500 or to go away (closed port), like a real pretalx/frab host on a bad day.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScheduleServer:
    """Serve ``body`` at ``/schedule.json``; change it between polls with :meth:`publish`."""

    def __init__(self) -> None:
        self.body = b""
        self.status = 200
        self.validators = True  # send ETag / Last-Modified and honour If-None-Match
        self.answers: Counter[int] = Counter()
        self.routes: dict[str, bytes] = {}  # other paths (with their query), e.g. a pretalx API
        self._modified = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The schedule's address."""
        return f"{self.base}/schedule.json"

    def publish(self, body: bytes) -> None:
        """A new version of the schedule (a new ETag and Last-Modified)."""
        self.body, self.status = body, 200
        self._modified += 60.0

    def _etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                if server.status != 200:
                    self._answer(server.status, b"oops")
                elif self.path in server.routes:
                    self._answer(200, server.routes[self.path])
                elif self.path != "/schedule.json":
                    self._answer(404, b'{"detail": "Not found."}')
                elif server.validators and self.headers.get("If-None-Match") == server._etag():
                    self._answer(304, b"")
                else:
                    self._answer(200, server.body)

            def _answer(self, status: int, body: bytes) -> None:
                server.answers[status] += 1
                self.send_response(status)
                if server.validators and status in (200, 304):
                    self.send_header("ETag", server._etag())
                    self.send_header("Last-Modified", formatdate(1_700_000_000 + server._modified, usegmt=True))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        return Handler

    def start(self) -> None:
        """Listen in a thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: the port is closed, the schedule unreachable."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def schedule_server() -> Iterator[ScheduleServer]:
    """A running server, stopped afterwards."""
    server = ScheduleServer()
    server.start()
    try:
        yield server
    finally:
        with suppress(OSError):
            server.stop()
