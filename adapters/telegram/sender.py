"""Sending pushes to Telegram with its rate limits, reporting outcomes to the outbox."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from adapters.pacing import ChatPacer
from adapters.shared_rate import SharedLimiter
from adapters.telegram.outbound import send_poll, send_reply
from bot.chat.messages import Address, Reply
from bot.delivery.sender import SendResult

log = logging.getLogger(__name__)


def retry_seconds(err: RetryAfter) -> float:
    """The seconds a 429 asks to wait (PTB's ``retry_after``, a number or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# Telegram has no idempotency key: a push whose answer times out is retried and may arrive twice.
# A long read timeout keeps that rare (the Bot API answers in well under a second when healthy).
PUSH_READ_TIMEOUT = 20.0


def _chat_pace(chat_id: str) -> AsyncLimiter:
    """1 msg/s to a private chat, 20 msg/min to a group (negative ids)."""
    return AsyncLimiter(20, 60) if chat_id.startswith("-") else AsyncLimiter(1, 1)


class TelegramSender:
    """Delivers one message per call within the global rate, 1 msg/s per private chat and
    20 msg/min per group. Never retries itself: the dispatcher owns retries."""

    platform = "telegram"

    def __init__(
        self,
        bot: Bot,
        rate_per_second: float = 30.0,
        read_timeout: float = PUSH_READ_TIMEOUT,
        *,
        paid_rate: float | None = None,
    ) -> None:
        self.bot = bot
        self.read_timeout = read_timeout
        self.rate_per_second = rate_per_second
        # at most rate_per_second sends in any rolling second, as Telegram counts its limit; the
        # rate is the whole bot's, and with several replicas this one sends its share (set_share)
        self._global = SharedLimiter(rate_per_second)
        self._pace = ChatPacer(_chat_pace)
        # TELEGRAM_PAID_BROADCAST: bulk pushes (broadcasts) go as paid broadcasts at their own, higher rate
        self.paid_rate = paid_rate
        self._paid = SharedLimiter(paid_rate) if paid_rate else None
        # told (poll id, Telegram's poll id) after a native poll is posted, so its answers find the poll
        self.on_poll: Callable[[int, str], Awaitable[None]] | None = None

    def set_share(self, fraction: float) -> None:
        """Send ``fraction`` of ``rate_per_second`` (the push runtime's share for this replica)."""
        self._global.set_share(fraction)
        if self._paid is not None:
            self._paid.set_share(fraction)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Send and classify the outcome (429 → retry after exactly, 403 → blocked...)."""
        paid = reply.bulk and self._paid is not None
        limiter = self._paid if paid and self._paid is not None else self._global
        async with self._pace(address.chat_id), limiter.slot() as slot:
            try:
                if reply.poll is None or not await self._native_poll(address, reply):
                    await send_reply(
                        self.bot, address.chat_id, reply, read_timeout=self.read_timeout, paid_broadcast=paid
                    )
            except RetryAfter as err:
                return SendResult.throttled(retry_seconds(err), f"429 Too Many Requests: {err}")
            except Forbidden as err:
                return SendResult.blocked(f"403 {err.message}")
            except BadRequest as err:  # "chat not found" and other 400s: retrying won't help
                return SendResult.failed(f"400 {err.message}")
            except ChatMigrated as err:  # the group became a supergroup with a new id
                return SendResult.failed(f"400 group moved to chat {err.new_chat_id}")
            except (TimeoutError, TimedOut) as err:  # sent, but no answer in time: maybe delivered
                return SendResult.timed_out(f"timeout: {err}")  # the dispatcher backs off
            except NetworkError as err:  # 5xx, connection errors: not sent, so its rate slot comes back
                slot.not_sent()
                return SendResult.retry_soon(f"network: {err}")
            except TelegramError as err:  # anything else (404, 409...): retried a bounded number of times
                return SendResult("retry", None, f"telegram: {err}")
        return SendResult.sent()

    async def _native_poll(self, address: Address, reply: Reply) -> bool:
        """Post the reply's poll as a native poll; False when Telegram refuses it (a non-anonymous poll
        in a channel): the reply then goes as its text with a vote button per option, which work there."""
        assert reply.poll is not None
        try:
            ref = await send_poll(self.bot, address.chat_id, reply.poll, read_timeout=self.read_timeout)
        except BadRequest as err:
            log.info("native poll refused in %s (%s): sent with vote buttons", address.chat_id, err.message)
            return False
        if self.on_poll is not None:
            await self.on_poll(reply.poll.poll_id, ref)
        return True
