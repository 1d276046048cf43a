"""End to end on the fake Bot API (real PTB): a room host's /full five minutes before talk 3 sends its
subscriber one message with the room's live stream as a link and a button to the talk starting at
the same time elsewhere; marking again sends nothing more."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.storage.db import Database
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.features.rooms.conftest import BEFORE, STREAM, with_seats

SUBSCRIBER, HOST = 4242, 4343


def _full(fake: FakeTelegram) -> list[dict[str, Any]]:
    """The full-room messages the subscriber got."""
    return [p for p in fake.sent("sendMessage", SUBSCRIBER) if "is full" in p["text"]]


async def _reply(fake: FakeTelegram, user: int, text: str) -> str:
    before = len(fake.sent("sendMessage", user))
    fake.push(fake.message_update(user, text, lang="en"))
    return str((await fake.wait_for("sendMessage", before + 1, chat_id=user))[-1]["text"])


async def test_a_hosts_full_sends_the_subscriber_one_message_with_the_stream(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'confbot.db'}")
    db.migrate()
    settings = telegram_settings(fake_telegram, room_hosts=[f"A=telegram:{HOST}"])
    core = Core(settings, db, with_seats(), FakeClock(BEFORE))
    adapter = TelegramAdapter(settings, core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        await _reply(fake_telegram, SUBSCRIBER, "/subscribe 3")
        marked = await _reply(fake_telegram, HOST, "/full A")
        assert "Main Hall is marked full until 11:20" in marked and "once each, never again): 1" in marked
        await runtime.dispatch_now()
        for _ in range(500):
            if _full(fake_telegram):
                break
            await asyncio.sleep(0.01)
        (message,) = _full(fake_telegram)
        assert message["parse_mode"] == "HTML"
        assert f'<a href="{STREAM}">live stream</a>' in message["text"]
        assert "Room B <code>#4</code> <b>Hardware Accelerator for eBPF</b>" in message["text"]
        markup = message["reply_markup"]
        buttons = (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"]
        assert [b["callback_data"] for row in buttons for b in row] == ["talk 4"]

        again = await _reply(fake_telegram, HOST, "/full A")
        assert "once each, never again): 0" in again
        await runtime.dispatch_now()
        await asyncio.sleep(0.2)
        assert len(_full(fake_telegram)) == 1
    finally:
        await runtime.stop()
        await adapter.stop()
        db.dispose()
