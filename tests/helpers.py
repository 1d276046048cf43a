"""Small helpers for driving the core like a user would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from bot.chat.messages import Address, Reply, Request
from bot.clock import Clock
from bot.core import Core
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.sender import Sender
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme
from bot.settings import Settings

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


async def wait_until_up(client: httpx.AsyncClient, path: str = "/healthz", timeout: float = 10) -> None:
    """Poll ``path`` on an in-process HTTP server until it answers 200 (fails after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if (await client.get(path)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "HTTP server did not come up"
        await asyncio.sleep(0.05)


def live_core(directory: Path, content: Path, clock: Clock) -> Core:
    """A core built like `confbot run` builds it (content from ``content``, SQLite in ``directory``),
    its schedule announced as the runtime does at start-up."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        organizers=["console:organizer"],
        content=content,
        database_url=f"sqlite:///{directory / 'bot.db'}",
    )
    core = create_core(settings, clock)
    apply_programme(core, core.programme)
    return core
