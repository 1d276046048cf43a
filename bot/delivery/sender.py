"""The contract between the outbox dispatcher and per-platform senders.

A sender delivers one rendered :class:`~bot.chat.messages.Reply` to one :class:`~bot.chat.messages.Address`
and reports what happened. Senders own platform rate limits and report their rate, which
fan-out planning reads; they never retry on their own: retries, back-off and bookkeeping
belong to the dispatcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.chat.messages import Address, Reply

Outcome = Literal["sent", "retry", "blocked", "failed", "unreachable"]
FIRST_RETRY = 0.1  # seconds before the first retry of a message the platform answered 5xx


@dataclass(frozen=True)
class SendResult:
    """What a send attempt came to."""

    outcome: Outcome
    retry_after: float | None = None  # seconds, for "retry"
    error: str | None = None
    # the platform may have delivered it although we saw no answer (a response timeout): a retry
    # can then be a duplicate, which platforms without idempotency keys (Telegram) can't prevent
    maybe_delivered: bool = False
    # a first retry this soon instead of the back-off (a 5xx: the platform sent nothing, and the
    # hiccup is usually over at once); later retries back off as usual
    first_retry: float | None = None
    rate_limited: bool = False  # the platform answered 429 (counted in confbot_rate_limited_total)

    @classmethod
    def sent(cls) -> SendResult:
        """Delivered."""
        return cls("sent")

    @classmethod
    def retry(cls, after: float, error: str) -> SendResult:
        """Try again in ``after`` seconds (429, 5xx, timeout)."""
        return cls("retry", retry_after=max(0.0, after), error=error)

    @classmethod
    def retry_soon(cls, error: str) -> SendResult:
        """Not sent (5xx, connection refused): try once more shortly, then back off."""
        return cls("retry", error=error, first_retry=FIRST_RETRY)

    @classmethod
    def throttled(cls, after: float, error: str) -> SendResult:
        """429 Too Many Requests: try again in exactly ``after`` seconds."""
        return cls("retry", retry_after=max(0.0, after), error=error, rate_limited=True)

    @classmethod
    def timed_out(cls, error: str) -> SendResult:
        """The request went out but no answer came back in time: retried with back-off."""
        return cls("retry", error=error, maybe_delivered=True)

    @classmethod
    def blocked(cls, error: str) -> SendResult:
        """The user is gone (blocked the bot, deactivated): stop pushing to them."""
        return cls("blocked", error=error)

    @classmethod
    def unreachable(cls, error: str) -> SendResult:
        """The platform lets nobody write to this person now (outside WeChat's customer-service
        window): not sent, not retried, recorded with its own outcome for /stats and the desk."""
        return cls("unreachable", error=error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        """Permanent failure for this message; keep the reason."""
        return cls("failed", error=error)


class Sender(Protocol):
    """Delivers pushes for one platform."""

    platform: str
    rate_per_second: float  # what it delivers at most, all chats together

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Send ``reply`` to ``address``; never raises for delivery problems."""
        ...


@runtime_checkable
class SharesRate(Protocol):
    """A sender whose ``rate_per_second`` is the whole bot's, of which it can take a share.

    With several replicas the push runtime tells each sender its share (1/N for N live replicas
    sending for the platform; see ``bot/delivery/replicas.py``), so together they stay within the rate.
    """

    def set_share(self, fraction: float) -> None:
        """From now on send at most ``rate_per_second × fraction`` (0 < fraction ≤ 1)."""
        ...


class SendRates:
    """The rate each platform's sender reports, for fan-out planning.

    A platform whose sender runs in another process (or nowhere yet) has no known rate;
    planning then keeps only its latency margin.
    """

    def __init__(self) -> None:
        self._rates: dict[str, float] = {}

    def register(self, senders: Iterable[Sender]) -> None:
        """Learn the rates of ``senders``."""
        self._rates.update({s.platform: s.rate_per_second for s in senders})

    def configure(self, rates: Mapping[str, float]) -> None:
        """Learn configured rates by platform (a command line plans pushes the running bot sends)."""
        self._rates.update(rates)

    def of(self, platform: str) -> float | None:
        """Messages per second for ``platform``, if a sender reported it."""
        return self._rates.get(platform)
