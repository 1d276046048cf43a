"""End to end: the rating prompt as a native inline keyboard, a star editing it, the comment (real PTB)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.feedback.push import plan_due
from bot.storage.models import Rating
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram

RATER = 4242


def _keyboard(call: dict) -> list[list[dict]]:  # type: ignore[type-arg]
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return markup.get("inline_keyboard", [])  # type: ignore[no-any-return]


async def test_prompt_stars_edit_in_place_and_the_comment(
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
        assert prompt["text"].startswith("⭐ How was this talk?") and "XDP &lt;fast&gt;" in prompt["text"]
        (stars,) = _keyboard(prompt)
        assert [b["text"] for b in stars] == ["1★", "2★", "3★", "4★", "5★"]
        assert all(len(b["callback_data"].encode()) <= 64 for b in stars)
        message = {"message_id": 77, "date": 0, "chat": {"id": RATER, "type": "private"}, "text": prompt["text"]}
        fake_telegram.push(fake_telegram.callback_update(RATER, stars[3]["callback_data"], message, lang="en"))
        (edit,) = await fake_telegram.wait_for("editMessageText")
        assert str(edit["message_id"]) == "77" and "You gave it ★★★★☆ (4/5)" in edit["text"]
        rows = _keyboard(edit)
        assert [b["text"] for b in rows[0]][3] == "• 4★" and rows[1][0]["callback_data"] == "skip comment 2"
        (toast,) = await fake_telegram.wait_for("answerCallbackQuery")
        assert toast.get("text") == "Saved: ★★★★☆"
        fake_telegram.push(fake_telegram.message_update(RATER, "Loved the live demo", lang="en"))
        saved = (await fake_telegram.wait_for("sendMessage", 3))[2]
        assert "Your comment on #2 is saved" in saved["text"]
        with core.db.session() as session:
            rating = session.scalars(select(Rating)).one()
            assert (rating.stars, rating.comment) == (4, "Loved the live demo")
        await runtime.dispatch_now()
        assert len(fake_telegram.sent("sendMessage")) == 3  # no second prompt
    finally:
        await runtime.stop()
        await adapter.stop()
