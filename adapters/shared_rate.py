"""A platform's bot-wide rate limit as a rolling window, of which this replica sends its share.

Telegram documents its limit as "no more than 30 messages per second", and the fakes enforce it
the same way: at most N accepted messages in any rolling second. :class:`SharedLimiter` keeps
exactly that on the sending side: the start times of the last sends, and a new send goes only
while fewer than N of them fall within the window (plus a small ``margin`` for the time a request
takes to reach the platform). Unlike a token bucket there is no burst to catch up with after a
late wake-up: a slot comes free exactly one window after the send that used it.

- **In flight counts.** A send whose answer has not come yet holds its slot, however old it is.
- **Not sent, slot back.** When the platform answers that it did not send the message (a 5xx),
  ``slot.not_sent()`` gives the slot back, so a gateway hiccup does not cost the bot a message of
  its rate. At most ``refund_share`` of the window's slots are given back per window, so an API
  that answers only errors is never tried faster than ``(1 + refund_share) ×`` the rate. A 429
  keeps its slot: it means the window is full on the platform's side.
- **Shares.** With N replicas each sends ``1/N`` of the rate (``set_share``): its window holds
  ``capacity × share`` slots (at least one, over a longer window when that is below one). A
  lowered share holds at once, the recent sends still counted; waiting messages follow it.
- **Order.** Waiters get slots first come, first served (the dispatcher sends reminders first).

Both are injectable (``clock``, ``sleep``), so the tests drive it with a fake clock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

MIN_SHARE = 0.001
MARGIN = 0.01  # seconds added to the window: a request's way to the platform may vary by this much
REFUND_SHARE = 0.05  # of a window's slots, at most this many 5xx'd sends get theirs back per window


class Slot:
    """One send's place in the window; ``not_sent()`` if the platform answered that it did not send it."""

    __slots__ = ("done", "overdue", "refund", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.done = False
        self.overdue = False  # older than the window but still in flight: still counted
        self.refund = False

    def not_sent(self) -> None:
        """The platform did not send it (5xx): give the slot back when the send ends, if allowed."""
        self.refund = True


class SharedLimiter:
    """``async with limiter.slot() as slot:`` waits for this replica's share of ``rate_per_second``."""

    def __init__(
        self,
        rate_per_second: float,
        *,
        window: float = 1.0,
        margin: float = MARGIN,
        refund_share: float = REFUND_SHARE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate_per_second = max(0.1, rate_per_second)
        self.window = window
        self.margin = margin
        self.refund_share = refund_share
        self.share = 1.0
        self._clock = clock
        self._sleep = sleep
        self._recent: deque[Slot] = deque()  # sends started within the period, oldest first
        self._overdue = 0  # sends older than the period, still in flight
        self._refunds: deque[float] = deque()  # when slots were given back
        self._queue: deque[asyncio.Future[None]] = deque()  # waiters, first come first served
        self._poke: asyncio.Future[None] | None = None  # the head waiter's "something changed"
        self._resize()

    def _resize(self) -> None:
        per_window = self.messages_per_second * self.window
        self.capacity = max(1, math.floor(per_window + 1e-9))
        self.period = self.capacity / self.messages_per_second + self.margin

    @property
    def messages_per_second(self) -> float:
        """What this replica sends at most."""
        return self.rate_per_second * self.share

    def set_share(self, fraction: float) -> None:
        """Send ``fraction`` of the rate from now on (messages already waiting included)."""
        fraction = min(1.0, max(MIN_SHARE, fraction))
        if fraction != self.share:
            self.share = fraction
            self._resize()
            self._changed()

    def in_use(self) -> int:
        """Slots taken now: sends within the period, and older ones still in flight."""
        self._expire(self._clock())
        return len(self._recent) + self._overdue

    def _expire(self, now: float) -> None:
        while self._recent and self._recent[0].start + self.period <= now:
            old = self._recent.popleft()
            if not old.done:
                old.overdue = True
                self._overdue += 1
        while self._refunds and self._refunds[0] + self.period <= now:
            self._refunds.popleft()

    def _take(self, now: float) -> Slot | None:
        self._expire(now)
        if len(self._recent) + self._overdue >= self.capacity:
            return None
        slot = Slot(now)
        self._recent.append(slot)
        return slot

    def _finish(self, slot: Slot) -> None:
        slot.done = True
        freed = False
        if slot.overdue:
            self._overdue -= 1
            freed = True
        if slot.refund and not slot.overdue:
            now = self._clock()
            self._expire(now)
            if len(self._refunds) < max(1.0, self.refund_share * self.capacity) and slot in self._recent:
                self._recent.remove(slot)
                self._refunds.append(now)
                freed = True
        if freed:
            self._changed()

    def _changed(self) -> None:
        if self._poke is not None and not self._poke.done():
            self._poke.set_result(None)

    def _wake_head(self) -> None:
        if self._queue and not self._queue[0].done():
            self._queue[0].set_result(None)

    async def acquire(self) -> Slot:
        """Wait for a slot (the caller must ``release`` it; ``slot()`` does both)."""
        if not self._queue:
            slot = self._take(self._clock())
            if slot is not None:
                return slot
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        self._queue.append(turn)
        if self._queue[0] is turn:
            turn.set_result(None)
        try:
            await turn  # until first in line
            while True:
                now = self._clock()
                slot = self._take(now)
                if slot is not None:
                    return slot
                await self._wait_for_change(now)
        finally:
            if turn in self._queue:
                head = self._queue[0] is turn
                self._queue.remove(turn)
                if head:
                    self._wake_head()

    async def _wait_for_change(self, now: float) -> None:
        """Until the oldest counted send ages out, or a slot comes back, or the share changes."""
        self._poke = poke = asyncio.get_running_loop().create_future()
        waits: list[asyncio.Future[None]] = [poke]
        if self._recent:
            waits.append(asyncio.ensure_future(self._sleep(self._recent[0].start + self.period - now)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits[1:]:
                waiting.cancel()
            self._poke = None

    def release(self, slot: Slot) -> None:
        """The send is over (its answer came, or it failed)."""
        self._finish(slot)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        """A slot for one send, held while the send is in flight."""
        slot = await self.acquire()
        try:
            yield slot
        finally:
            self.release(slot)
