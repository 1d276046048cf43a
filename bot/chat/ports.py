"""What the core may ask a platform while answering a request: small ports an adapter implements.

A platform without a port passes None; the core then answers without it (saying what it can't do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChatCheck:
    """The platform's answer about a chat a user named: its id, or why they may not set it up."""

    chat_id: str | None = None  # the chat's own id, when the user administers it and the bot may post
    problem: str | None = None  # else "not_found", "not_admin" or "bot_cannot_post"


class ChatRights(Protocol):
    """May this user have the bot post in that chat? (Telegram: getChat and getChatMember.)"""

    async def may_post(self, user_id: str, chat: str) -> ChatCheck:
        """Whether ``user_id`` administers ``chat`` (a name like ``@news`` or an id) and the bot may post there."""
        ...
