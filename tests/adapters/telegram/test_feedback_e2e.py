"""End to end: the rating prompt as a native inline keyboard (64-byte callback data), a star editing that
very message, with a toast (real PTB). The prompt, stars and comment scenario is shared:
tests/scenarios/test_feedback.py."""

from __future__ import annotations

import json
from datetime import timedelta

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.feedback.push import plan_due
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram

RATER = 4242


def _keyboard(call: dict) -> list[list[dict]]:  # type: ignore[type-arg]
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return markup.get("inline_keyboard", [])  # type: ignore[no-any-return]


async def test_a_star_edits_the_prompt_in_place_with_a_toast(
    fake_telegram: FakeTelegram, core: Core, clock: FakeClock
) -> None:
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(RATER, "/subscribe 2", lang="en"))
        await fake_telegram.wait_for("sendMessage", 1)
        talk = core.programme.talk(2)
        assert talk is not None and talk.end is not None
        clock.set(talk.end + timedelta(minutes=5))
        assert plan_due(runtime.host) == 1
        await runtime.dispatch_now()
        prompt = (await fake_telegram.wait_for("sendMessage", 2))[1]
        (stars,) = _keyboard(prompt)
        assert all(len(b["callback_data"].encode()) <= 64 for b in stars)
        message = {"message_id": 77, "date": 0, "chat": {"id": RATER, "type": "private"}, "text": prompt["text"]}
        fake_telegram.push(fake_telegram.callback_update(RATER, stars[3]["callback_data"], message, lang="en"))
        (edit,) = await fake_telegram.wait_for("editMessageText")
        assert str(edit["message_id"]) == "77" and "You gave it ★★★★☆ (4/5)" in edit["text"]
        (toast,) = await fake_telegram.wait_for("answerCallbackQuery")
        assert toast.get("text") == "Saved: ★★★★☆"
    finally:
        await runtime.stop()
        await adapter.stop()
