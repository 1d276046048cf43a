"""The calendar feed's guard against token guessing: wrong tokens are counted per client, and a client
past its limit gets 429 until its window is over.

A feed URL holds a 192-bit token, so guessing one is hopeless, but each guess costs a database query
and a client guessing fast is worth an operator's attention. Each client (its IP address; behind a
reverse proxy, the one in ``X-Forwarded-For`` when uvicorn's ``FORWARDED_ALLOW_IPS`` trusts the proxy)
may get ``limit`` wrong tokens (404) in a window of ``window`` seconds, counted from its first; past
that every feed request from it is 429 with ``Retry-After`` until the window ends, without a query.
Calendar apps with a valid URL never miss, so a venue's shared address is only limited if someone
behind it guesses. Each miss and each refusal is counted (``confbot_calendar_feed_misses_total``),
and a client that reaches its limit is one WARNING line per window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.ops.metrics import CALENDAR_FEED_MISSES

log = logging.getLogger(__name__)
MAX_CLIENTS = 10_000  # clients remembered at once; past it the oldest windows are forgotten


@dataclass
class _Window:
    since: float
    misses: int = 0


class FeedGuard:
    """Counts each client's wrong feed tokens; ``refusal`` says whether (and how long) one is refused."""

    def __init__(self, limit: int, window: float, now: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self.now = now
        self._clients: dict[str, _Window] = {}

    def refusal(self, client: str) -> float | None:
        """Seconds until ``client`` may try again, or None when it may ask now."""
        seen = self._current(client, self.now())
        if seen is None or seen.misses < self.limit:
            return None
        CALENDAR_FEED_MISSES.labels("refused").inc()
        return max(1.0, seen.since + self.window - self.now())

    def missed(self, client: str) -> None:
        """``client`` asked for a token nobody holds (404)."""
        now = self.now()
        CALENDAR_FEED_MISSES.labels("not_found").inc()
        seen = self._current(client, now)
        if seen is None:
            self._forget_old(now)
            seen = self._clients[client] = _Window(now)
        seen.misses += 1
        if seen.misses == self.limit:
            log.warning(
                "calendar feed: %s tried %d wrong tokens in %.0f s; refused (429) until %.0f s after its first",
                client,
                seen.misses,
                now - seen.since,
                self.window,
            )

    def _current(self, client: str, now: float) -> _Window | None:
        seen = self._clients.get(client)
        if seen is not None and now - seen.since >= self.window:
            del self._clients[client]
            return None
        return seen

    def _forget_old(self, now: float) -> None:
        if len(self._clients) < MAX_CLIENTS:
            return
        for client in [c for c, seen in self._clients.items() if now - seen.since >= self.window]:
            del self._clients[client]
        while len(self._clients) >= MAX_CLIENTS:  # all still in their window: the oldest go first
            del self._clients[next(iter(self._clients))]
