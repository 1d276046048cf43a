"""The HTTP server's limits on a request head: its size, its header count and the time it may take.

uvicorn parses HTTP here with h11 (pinned, not httptools), because h11 buffers at most
``max_incomplete_event_size`` bytes of a head it has not finished reading and then refuses it: a
hostile 2 MB header never grows past that cap, so fifty of them cost little and nothing is left
behind when they close. On top of it :class:`GuardedH11` adds what uvicorn lacks:

- a head with more than ``max_headers`` headers is refused (431) before the app runs;
- a head not received in full within ``header_timeout`` seconds of its first byte (or of the
  connection opening) ends with 408 and a closed connection: slow-loris clients sending a byte at a
  time and silent connections are disconnected;
- every refusal says which limit it hit (``431 request head over 16384 bytes``), in the body and in
  one WARNING line.

Between requests a kept-alive connection is closed after ``keepalive_timeout`` seconds of silence
(uvicorn's ``timeout_keep_alive``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

log = logging.getLogger(__name__)
MAX_HEADER_BYTES = 16 * 1024  # h11's own default; Telegram's and Slack's heads are well under 2 KB
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


class _Connection(h11.Connection):
    """h11's server side that hands a refused head to ``refuse`` (status, the limit it broke) instead of raising."""

    def __init__(self, limits: HeadLimits, refuse: Callable[[int, str], None]) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=limits.max_bytes)
        self.limits = limits
        self.refuse = refuse

    def next_event(self) -> Any:
        """The next event; a head over a limit is refused, and reads as "need more data" to uvicorn."""
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as err:
            if err.error_status_hint == 431:  # h11's buffer cap: the head did not end within max_bytes
                self.refuse(431, f"request head over {self.limits.max_bytes} bytes")
            else:
                self.refuse(err.error_status_hint, f"malformed request: {str(err).partition(':')[0][:80]}")
            return h11.NEED_DATA
        if isinstance(event, h11.Request) and len(event.headers) > self.limits.max_headers:
            self.refuse(431, f"more than {self.limits.max_headers} headers")
            return h11.NEED_DATA
        return event


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with the head's limits: 431 past its size or header count, 408 past its time."""

    limits = HeadLimits()

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _Connection(self.limits, self._refuse)
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send a complete head within ``header_timeout``."""
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does; then a head still incomplete keeps (or starts) its deadline. After a
        refusal what still comes is read and dropped, so the client gets the answer, not a reset."""
        if self._refused:
            return
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        """Between requests uvicorn's keep-alive timer runs; a pipelined head gets its own deadline."""
        super().on_response_complete()
        self._watch_head()

    def _watch_head(self) -> None:
        """Arm the deadline while a head is awaited (not between kept-alive requests: that is keep-alive's)."""
        awaiting = self.conn.their_state is h11.IDLE and not self._refused and not self.transport.is_closing()
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
        if self.conn.their_state is h11.IDLE and not self._refused and not self.transport.is_closing():
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


def protocol_with(limits: HeadLimits) -> type[GuardedH11]:
    """The protocol class uvicorn builds each connection with, holding ``limits``."""
    return type("GuardedH11WithLimits", (GuardedH11,), {"limits": limits})
