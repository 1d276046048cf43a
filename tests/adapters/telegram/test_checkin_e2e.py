"""End to end on the fake Bot API (real PTB): the check-in ask arrives with its inline button, pressing it
edits the ask into the confirmation with a toast, and the room host is then never told. The platform-
neutral scenario: tests/scenarios/test_checkin.py."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.checkin.push import plan_due
from bot.programme.content.programme import Programme
from bot.storage.db import Database
from tests.adapters.telegram.conftest import telegram_settings
from tests.conftest import SHANGHAI
from tests.fakes.telegram_server import FakeTelegram

SPEAKER, HOST = 4343, 4444
TALK1 = datetime(2026, 12, 12, 9, 0, tzinfo=SHANGHAI)  # talk 1, room A, speaker chenlijun


def _keyboard(call: dict) -> list[list[dict]]:  # type: ignore[type-arg]
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return markup.get("inline_keyboard", [])  # type: ignore[no-any-return]


async def test_the_ask_has_a_button_and_pressing_it_checks_in(
    fake_telegram: FakeTelegram, db: Database, programme: Programme, clock: FakeClock
) -> None:
    settings = telegram_settings(
        fake_telegram, speakers=[f"chenlijun=telegram:{SPEAKER}"], room_hosts=[f"A=telegram:{HOST}"]
    )
    core = Core(settings, db, programme, clock)
    adapter = TelegramAdapter(settings, core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        for who in (SPEAKER, HOST):
            fake_telegram.push(fake_telegram.message_update(who, "/start", lang="en"))
        await fake_telegram.wait_for("sendMessage", 2)
        clock.set(TALK1 - timedelta(minutes=60))
        assert plan_due(runtime.host) == 2  # the ask, and the host's escalation at 08:30
        await runtime.dispatch_now()
        ask = (await fake_telegram.wait_for("sendMessage", 3))[2]
        assert str(ask["chat_id"]) == str(SPEAKER) and "Time to check in for your talk" in ask["text"]
        assert "09:00 (UTC+8) in Hall A" in ask["text"]
        ((button,),) = _keyboard(ask)
        assert (button["text"], button["callback_data"]) == ("✅ I'm here", "checkin 1")

        clock.set(TALK1 - timedelta(minutes=50))
        message = {"message_id": 91, "date": 0, "chat": {"id": SPEAKER, "type": "private"}, "text": ask["text"]}
        fake_telegram.push(fake_telegram.callback_update(SPEAKER, button["callback_data"], message, lang="en"))
        (edit,) = await fake_telegram.wait_for("editMessageText")
        assert str(edit["message_id"]) == "91" and "Checked in for #1 at 08:10" in edit["text"]
        (toast,) = await fake_telegram.wait_for("answerCallbackQuery")
        assert toast.get("text") == "✅ Checked in for #1 at 08:10."

        for minutes in (30, 15):
            clock.set(TALK1 - timedelta(minutes=minutes))
            plan_due(runtime.host)
            await runtime.dispatch_now()
        assert len(fake_telegram.sent("sendMessage", chat_id=HOST)) == 1  # only the answer to /start
    finally:
        await runtime.stop()
        await adapter.stop()
