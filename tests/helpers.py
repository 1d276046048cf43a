"""Small helpers for driving the core like a user would."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import Core
from bot.messages import Address, Reply, Request
from bot.push.dispatcher import Dispatcher
from bot.push.sender import Sender

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
    return [button.action for row in reply.button_rows for button in row]


def dispatcher_for(core: Core, senders: Mapping[str, Sender], **options: Any) -> Dispatcher:
    """A dispatcher over ``core``'s database, clock and (current) programme."""
    return Dispatcher(core.db, core.clock, lambda: core.programme, senders, **options)
