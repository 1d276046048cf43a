"""A platform's bot-wide rate limit as a rolling window, of which this replica sends its share.

Telegram documents its limit as "no more than 30 messages per second", and the fakes enforce it
the same way: at most N accepted messages in any rolling second. :class:`SharedLimiter` keeps
exactly that on the sending side, whatever the network delay: a send holds its slot while it is in
flight and for one window after its answer came (the platform counted it at some moment between
the two), and a new send goes only while fewer than N slots are held. Unlike a token bucket there
is no burst to catch up with after a late wake-up, and no send can land in the platform's window
of another: the price is that each slot is idle for one round trip per window (a few ms here,
about 10 % of the rate for a 100 ms round trip to Telegram).

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
REFUND_SHARE = 0.05  # of a window's slots, at most this many 5xx'd sends get theirs back per window


class Slot:
    """One send's place in the window; ``not_sent()`` if the platform answered that it did not send it."""

    __slots__ = ("refund",)

    def __init__(self) -> None:
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
        refund_share: float = REFUND_SHARE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate_per_second = max(0.1, rate_per_second)
        self.window = window
        self.refund_share = refund_share
        self.share = 1.0
        self._clock = clock
        self._sleep = sleep
        self._flying = 0  # sends waiting for their answer
        self._ended: deque[float] = deque()  # when the answers of the sends still counted came, oldest first
        self._refunds: deque[float] = deque()  # when slots were given back
        self._queue: deque[asyncio.Future[None]] = deque()  # waiters, first come first served
        self._poke: asyncio.Future[None] | None = None  # the head waiter's "something changed"
        self._resize()

    def _resize(self) -> None:
        per_window = self.messages_per_second * self.window
        self.capacity = max(1, math.floor(per_window + 1e-9))
        self.period = self.capacity / self.messages_per_second

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
        """Slots held now: sends in flight, and those answered within the period."""
        self._expire(self._clock())
        return self._flying + len(self._ended)

    def _expire(self, now: float) -> None:
        while self._ended and self._ended[0] + self.period <= now:
            self._ended.popleft()
        while self._refunds and self._refunds[0] + self.period <= now:
            self._refunds.popleft()

    def _take(self, now: float) -> Slot | None:
        self._expire(now)
        if self._flying + len(self._ended) >= self.capacity:
            return None
        self._flying += 1
        return Slot()

    def release(self, slot: Slot) -> None:
        """The send is over (its answer came, or it failed): its slot is held one period more,
        unless the platform did not send it and the refund allowance is not spent."""
        now = self._clock()
        self._flying -= 1
        self._expire(now)
        if slot.refund and len(self._refunds) < max(1.0, self.refund_share * self.capacity):
            self._refunds.append(now)
        else:
            self._ended.append(now)
        self._changed()  # the first waiter has a slot now, or at least a time to wait for

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
        """Until the oldest answered send ages out, or a send ends or gives its slot back, or the share changes."""
        self._poke = poke = asyncio.get_running_loop().create_future()
        waits: list[asyncio.Future[None]] = [poke]
        if self._ended:
            waits.append(asyncio.ensure_future(self._sleep(self._ended[0] + self.period - now)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits[1:]:
                waiting.cancel()
            self._poke = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        """A slot for one send, held while the send is in flight and one period after."""
        slot = await self.acquire()
        try:
            yield slot
        finally:
            self.release(slot)
