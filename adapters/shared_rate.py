"""A platform's bot-wide rate limit, of which this replica sends its share.

An aiolimiter leaky bucket at ``rate × share`` with ``burst × share`` messages of burst (at least
one), so N replicas at 1/N each send the whole rate with the whole burst between them. A new share
gets a new bucket; messages still waiting in the old one move over to it instead of being let out
at the old pace, so a lowered share holds from the moment it is set.
"""

from __future__ import annotations

from types import TracebackType

from aiolimiter import AsyncLimiter

MIN_SHARE = 0.001


class SharedLimiter:
    """``async with limiter:`` waits for this replica's share of ``rate_per_second``."""

    def __init__(self, rate_per_second: float, burst: float) -> None:
        self.rate_per_second = max(0.1, rate_per_second)
        self.burst = max(1.0, burst)
        self.share = 1.0
        self._bucket = self._new_bucket()

    def _new_bucket(self) -> AsyncLimiter:
        size = max(1.0, self.burst * self.share)
        return AsyncLimiter(size, size / self.messages_per_second)

    @property
    def messages_per_second(self) -> float:
        """What this replica sends at most."""
        return self.rate_per_second * self.share

    def set_share(self, fraction: float) -> None:
        """Send ``fraction`` of the rate from now on (messages already waiting included)."""
        fraction = min(1.0, max(MIN_SHARE, fraction))
        if fraction != self.share:
            self.share = fraction
            self._bucket = self._new_bucket()

    async def __aenter__(self) -> None:
        while True:
            bucket = self._bucket
            await bucket.acquire()
            if bucket is self._bucket:
                return
            # the share changed while this message waited: wait its turn at the new pace

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None
