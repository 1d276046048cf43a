"""The contract between the outbox dispatcher and per-platform senders.

A sender delivers one rendered :class:`~bot.messages.Reply` to one :class:`~bot.messages.Address`
and reports what happened. Senders own platform rate limits; they never retry on their own:
retries, back-off and bookkeeping belong to the dispatcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.messages import Address, Reply

Outcome = Literal["sent", "retry", "blocked", "failed"]


@dataclass(frozen=True)
class SendResult:
    """What a send attempt came to."""

    outcome: Outcome
    retry_after: float | None = None  # seconds, for "retry"
    error: str | None = None

    @classmethod
    def sent(cls) -> SendResult:
        """Delivered."""
        return cls("sent")

    @classmethod
    def retry(cls, after: float, error: str) -> SendResult:
        """Try again in ``after`` seconds (429, 5xx, timeout)."""
        return cls("retry", retry_after=max(0.0, after), error=error)

    @classmethod
    def blocked(cls, error: str) -> SendResult:
        """The user is gone (blocked the bot, deactivated): stop pushing to them."""
        return cls("blocked", error=error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        """Permanent failure for this message; keep the reason."""
        return cls("failed", error=error)


class Sender(Protocol):
    """Delivers pushes for one platform."""

    platform: str

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Send ``reply`` to ``address``; never raises for delivery problems."""
        ...
