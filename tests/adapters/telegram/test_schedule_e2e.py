"""End to end on Telegram: an organizer moves a talk (preview, then the Confirm button) and its
subscriber gets exactly one "moved" push; a non-organizer's /move is refused (real PTB, fake Bot API)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram

ORGANIZER, ATTENDEE = 1001, 2002


def _buttons(call: dict[str, Any]) -> list[str]:
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def test_organizer_moves_a_talk_and_the_subscriber_gets_one_moved_push(
    fake_telegram: FakeTelegram, core: Core
) -> None:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ATTENDEE, "/subscribe 4", lang="en"))
        await fake_telegram.wait_for("sendMessage", chat_id=ATTENDEE)
        fake_telegram.push(fake_telegram.message_update(ATTENDEE, "/move 4 2 14:30 B", lang="en"))
        refused = (await fake_telegram.wait_for("sendMessage", 2, chat_id=ATTENDEE))[1]
        assert refused["text"] == "Only conference organizers can use /move."

        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/move 4 2 14:30 B", lang="en"))
        (shown,) = await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
        assert "to: Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in shown["text"]
        confirm = next(b for b in _buttons(shown) if b.startswith("confirm "))
        assert len(fake_telegram.sent("sendMessage", chat_id=ATTENDEE)) == 2  # nothing pushed before Confirm

        preview = fake_telegram.last_messages[ORGANIZER]
        fake_telegram.push(fake_telegram.callback_update(ORGANIZER, confirm, preview, lang="en"))
        pushed = (await fake_telegram.wait_for("sendMessage", 3, chat_id=ATTENDEE))[2]
        assert pushed["text"].startswith("🔀 Schedule change:")
        assert "moved to Sun 13 Dec 14:30 (UTC+8), Hall B (was Sun 13 Dec 10:00 (UTC+8))" in pushed["text"]
        await runtime.dispatch_now()  # another pass (or the safety job) sends nothing more
        await asyncio.sleep(0.2)
        assert len(fake_telegram.sent("sendMessage", chat_id=ATTENDEE)) == 3
        done = [p for p in fake_telegram.calls if p[0] in ("sendMessage", "editMessageText")]
        assert any("Moved #4" in p[1].get("text", "") for p in done if str(p[1].get("chat_id")) == str(ORGANIZER))
        assert "14:30" in (core.programme.talk(4).start.astimezone(core.programme.tz).strftime("%H:%M"))
    finally:
        await runtime.stop()
        await adapter.stop()
