"""Per-chat pacing for platform senders: one small leaky bucket per chat, and a bounded map.

Telegram allows about 1 message a second to a private chat and 20 a minute to a group;
Slack about 1 a second to a channel. A bot with thousands of users would keep a bucket per
chat forever, so once ``max_tracked`` chats are known, buckets that have fully drained
(they hold no memory of recent sends) are forgotten.
"""

from __future__ import annotations

from collections.abc import Callable

from aiolimiter import AsyncLimiter

MAX_TRACKED_CHATS = 10_000


class ChatPacer:
    """Hands out each chat's limiter, made by ``make_limiter(chat_id)`` on first use."""

    def __init__(self, make_limiter: Callable[[str], AsyncLimiter], max_tracked: int = MAX_TRACKED_CHATS) -> None:
        self._make = make_limiter
        self._max = max_tracked
        self._chats: dict[str, AsyncLimiter] = {}

    def __call__(self, chat_id: str) -> AsyncLimiter:
        """The limiter of ``chat_id`` (use as ``async with pacer(chat_id): ...``)."""
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) >= self._max:
                self._chats = {c: lim for c, lim in self._chats.items() if not lim.has_capacity(lim.max_rate)}
            limiter = self._chats[chat_id] = self._make(chat_id)
        return limiter

    def can_send_now(self, chat_id: str) -> bool:
        """Whether a message to ``chat_id`` would go out without waiting for its pace."""
        limiter = self._chats.get(chat_id)
        return limiter is None or limiter.has_capacity()

    def __len__(self) -> int:
        return len(self._chats)
