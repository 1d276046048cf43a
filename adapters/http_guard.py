"""The HTTP server's limits on a request head: its size, its header count and the time it may take.

uvicorn parses HTTP here with httptools (llhttp, in C: a third of h11's cost per request), held to
limits it lacks on its own (:class:`GuardedHttpTools`):

- a head that has not ended after ``max_bytes`` bytes is refused (431) as those bytes arrive, so a
  hostile 2 MB header is never buffered past that cap (plus one read, 64 KB) and fifty of them
  cost little, with nothing left behind when they close;
- a head with more than ``max_headers`` headers is refused (431) before the app runs;
- a head not received in full within ``header_timeout`` seconds of its first byte (or of the
  connection opening) ends with 408 and a closed connection: slow-loris clients sending a byte at a
  time and silent connections are disconnected;
- a malformed head gets 400 with llhttp's reason;
- every refusal says which limit it hit (``431 request head over 16384 bytes``), in the body and in
  one WARNING line.

Between requests a kept-alive connection is closed after ``keepalive_timeout`` seconds of silence
(uvicorn's ``timeout_keep_alive``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

log = logging.getLogger(__name__)
MAX_HEADER_BYTES = 16 * 1024  # as h11's default; Telegram's and Slack's heads are well under 2 KB
MAX_HEADERS = 100  # as Python's http.client
HEADER_TIMEOUT = 10.0  # seconds from a head's first byte (or the connection opening) to its end
KEEPALIVE_TIMEOUT = 15  # seconds an idle kept-alive connection stays open
MAX_CONNECTIONS = 1000  # connections (or requests under way) past which a request gets 503
LINGER = 1.0  # seconds a refused connection still reads (and drops) what the client sends, then closes


@dataclass(frozen=True)
class HeadLimits:
    """What a request head may be: bytes, headers, seconds to arrive; and idle keep-alive seconds."""

    max_bytes: int = MAX_HEADER_BYTES
    max_headers: int = MAX_HEADERS
    header_timeout: float = HEADER_TIMEOUT
    keepalive_timeout: int = KEEPALIVE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head's limits: 431 past its size or header count, 408 past its
    time, 400 with the parser's reason for a malformed one."""

    limits = HeadLimits()

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._in_head = True  # a head is awaited or arriving (between its first byte and its end)
        self._head_bytes = 0  # what arrived while the head was still incomplete
        self._headers = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send a complete head within ``header_timeout``."""
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does, counting what arrives while the head is incomplete. After a refusal
        what still comes is read and dropped, so the client gets the answer, not a reset."""
        if self._refused:
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:  # as uvicorn does: no websocket here, so a warning
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as err:
            self._refuse(400, f"malformed request: {str(err)[:80]}")
            return
        if self._refused:
            return
        if self._in_head:  # a head under way when the read ended: what came counts toward its cap
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_bytes:
                self._refuse(431, f"request head over {self.limits.max_bytes} bytes")
            else:
                self._watch_head()

    def on_message_begin(self) -> None:
        """A new head: its bytes and headers are counted from here."""
        if self._refused:
            return
        super().on_message_begin()
        self._in_head, self._headers, self._head_bytes = True, 0, 0

    def on_header(self, name: bytes, value: bytes) -> None:
        """One more header; past the count the app never runs (the refusal follows the parse)."""
        self._headers += 1
        if self._headers <= self.limits.max_headers:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The head is whole: the app runs, unless the head broke the header count (refused at once:
        nothing after it on the connection is answered)."""
        self._in_head, self._head_bytes = False, 0
        self._stop_head_timer()
        if self._refused:
            return
        if self._headers > self.limits.max_headers:
            self._refuse(431, f"more than {self.limits.max_headers} headers")
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """A body part, unless its head was refused (then no app reads it)."""
        if not self._refused and self.cycle is not None:
            super().on_body(body)

    def on_message_complete(self) -> None:
        """The request is whole, unless its head was refused."""
        if not self._refused and self.cycle is not None:
            super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        """Between requests uvicorn's keep-alive timer runs; the next head is counted from its first
        byte (``on_message_begin``), never the rest of a body the app did not read."""
        super().on_response_complete()

    def _watch_head(self) -> None:
        """Arm the deadline while a head is awaited (not between kept-alive requests: that is keep-alive's)."""
        awaiting = self._in_head and not self._refused and not self.transport.is_closing()
        if not awaiting:
            self._stop_head_timer()
        elif self._head_timer is None and self.timeout_keep_alive_task is None:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self._refused and not self.transport.is_closing():
            self._refuse(408, f"request head not received within {self.limits.header_timeout:g} s")

    def _refuse(self, status: int, reason: str) -> None:
        """Answer ``status`` naming the limit, stop parsing, and close once the client has the answer
        (a lingering close: what it still sends is dropped for up to a second, then the socket closes)."""
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self._stop_head_timer()
        who = self.client[0] if self.client else "unknown"
        log.warning("refused a request from %s: %d %s", who, status, reason)
        phrase = {408: "Request Timeout", 431: "Request Header Fields Too Large"}.get(status, "Bad Request")
        body = (reason + "\n").encode("ascii", "replace")
        head = (
            f"HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER, self.transport.close)
        else:
            self.transport.close()


def protocol_with(limits: HeadLimits) -> type[GuardedHttpTools]:
    """The protocol class uvicorn builds each connection with, holding ``limits``."""
    return type("GuardedHttpToolsWithLimits", (GuardedHttpTools,), {"limits": limits})
