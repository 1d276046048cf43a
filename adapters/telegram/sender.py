"""Sending pushes to Telegram with its rate limits, reporting outcomes to the outbox."""

from __future__ import annotations

import warnings
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from adapters.telegram.render import MAX_CAPTION, keyboard, to_html
from bot.delivery import SendResult
from bot.messages import Address, Reply


def _retry_seconds(err: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


MAX_TRACKED_CHATS = 10_000


class TelegramSender:
    """Delivers one message per call within the global rate, 1 msg/s per private chat and
    20 msg/min per group. Never retries itself: the dispatcher owns retries."""

    platform = "telegram"

    def __init__(self, bot: Bot, rate_per_second: float = 30.0) -> None:
        self.bot = bot
        # the global rate with a small bucket (5): no first-second burst that draws 429s, yet
        # a late timer wake-up can catch up instead of losing its slot
        self._global = AsyncLimiter(5, 5 / max(0.1, rate_per_second))
        self._chats: dict[str, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) >= MAX_TRACKED_CHATS:  # forget chats whose limiter has fully drained
                self._chats = {c: lim for c, lim in self._chats.items() if not lim.has_capacity(lim.max_rate)}
            group = chat_id.startswith("-")
            limiter = AsyncLimiter(20, 60) if group else AsyncLimiter(1, 1)
            self._chats[chat_id] = limiter
        return limiter

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Send and classify the outcome (429 → retry after exactly, 403 → blocked...)."""
        async with self._chat_limiter(address.chat_id), self._global:
            try:
                if reply.attachment is not None:
                    await self.bot.send_document(
                        address.chat_id,
                        document=reply.attachment.content,
                        filename=reply.attachment.filename,
                        caption=to_html(reply, MAX_CAPTION),
                        parse_mode=ParseMode.HTML,
                    )
                else:
                    await self.bot.send_message(
                        address.chat_id,
                        to_html(reply),
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard(reply),
                        disable_web_page_preview=True,
                    )
            except RetryAfter as err:
                return SendResult.retry(_retry_seconds(err), f"429 Too Many Requests: {err}")
            except Forbidden as err:
                return SendResult.blocked(f"403 {err.message}")
            except BadRequest as err:  # "chat not found" and other 400s: retrying won't help
                return SendResult.failed(f"400 {err.message}")
            except ChatMigrated as err:  # the group became a supergroup with a new id
                return SendResult.failed(f"400 group moved to chat {err.new_chat_id}")
            except (TimeoutError, TimedOut, NetworkError) as err:  # timeouts, 5xx, connection errors
                return SendResult("retry", None, f"network: {err}")  # the dispatcher backs off
            except TelegramError as err:  # anything else (404, 409...): retried a bounded number of times
                return SendResult("retry", None, f"telegram: {err}")
        return SendResult.sent()
