"""An in-memory platform sender that records deliveries and can be told to misbehave."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

from bot.chat.messages import Address, Reply
from bot.delivery.sender import SendResult


@dataclass
class RecordingSender:
    """Records every delivered reply per chat; scripted results are returned first."""

    platform: str = "console"
    rate_per_second: float = 100.0
    delivered: list[tuple[Address, Reply]] = field(default_factory=list)
    script: deque[SendResult] = field(default_factory=deque)
    per_chat: dict[str, SendResult] = field(default_factory=dict)  # chat_id -> permanent outcome
    attempts: Counter[str] = field(default_factory=Counter)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Deliver, unless the script or the chat's outcome says otherwise."""
        self.attempts[address.chat_id] += 1
        if address.chat_id in self.per_chat:
            return self.per_chat[address.chat_id]
        if self.script:
            result = self.script.popleft()
            if result.outcome != "sent":
                return result
        self.delivered.append((address, reply))
        return SendResult.sent()

    def texts(self, chat_id: str | None = None) -> list[str]:
        """Delivered texts (for one chat, or all)."""
        return [r.plain_text for a, r in self.delivered if chat_id is None or a.chat_id == chat_id]
