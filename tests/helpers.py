"""Small helpers for driving the core like a user would."""

from __future__ import annotations

from bot.app import Core
from bot.messages import Address, Reply, Request

ALICE = Address("console", "alice", "alice")


def ask(core: Core, text: str, *, who: Address = ALICE, locale: str | None = None) -> Reply:
    """Send one text and return the single reply."""
    replies = core.handle(Request(who, text=text, locale=locale))
    assert len(replies) == 1, replies
    return replies[0]


def press(core: Core, action: str, *, who: Address = ALICE, locale: str | None = None) -> Reply:
    """Press a button carrying ``action`` and return the single reply."""
    replies = core.handle(Request(who, text="", action=action, locale=locale))
    assert len(replies) == 1, replies
    return replies[0]


def actions(reply: Reply) -> list[str]:
    """Every button action of a reply, row by row."""
    return [button.action for row in reply.buttons for button in row]
