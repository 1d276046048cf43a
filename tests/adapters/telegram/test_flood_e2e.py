"""End to end: one attendee flooding the bot through python-telegram-bot and the fake Bot API."""

from __future__ import annotations

import asyncio

import httpx
from prometheus_client import REGISTRY

from adapters.http import build_asgi
from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram

FLOODER, OTHER = 6601, 6602
SIGNED = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
SLOW_DOWN = "您发消息太快了，请稍等片刻再试。在此之前的消息不会得到回复。"


async def test_a_flooder_gets_one_slow_down_in_their_language_and_everyone_else_is_answered(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core, clock: FakeClock
) -> None:
    burst = core.settings.flood_burst
    for _ in range(burst + 30):
        fake_telegram.push(fake_telegram.message_update(FLOODER, "/now", lang="zh-hans"))
    answers = await fake_telegram.wait_for("sendMessage", burst + 1, chat_id=FLOODER)
    fake_telegram.push(fake_telegram.message_update(OTHER, "/now", lang="en"))
    (other,) = await fake_telegram.wait_for("sendMessage", chat_id=OTHER)
    assert other["text"].startswith("<b>▶ Running now")
    clock.advance(1 / core.settings.flood_per_second)  # a token back: the flooder is answered again
    fake_telegram.push(fake_telegram.message_update(FLOODER, "/now", lang="zh-hans"))
    answers = await fake_telegram.wait_for("sendMessage", burst + 2, chat_id=FLOODER)
    texts = [a["text"] for a in fake_telegram.sent("sendMessage", FLOODER)]
    assert len(texts) == burst + 2  # the 29 others of the flood got nothing at all
    assert texts.count(SLOW_DOWN) == 1
    assert answers[-1]["text"].startswith("<b>▶ 正在进行")


async def test_through_the_webhook_a_silenced_persons_updates_are_dropped_at_the_door_and_counted(
    fake_telegram: FakeTelegram, core: Core
) -> None:
    settings = telegram_settings(
        fake_telegram, TELEGRAM_WEBHOOK_URL="https://bot.example.org", TELEGRAM_WEBHOOK_SECRET="s3cret"
    )
    adapter = TelegramAdapter(settings, core)
    await adapter.start()
    dropped = REGISTRY.get_sample_value("confbot_flood_refused_total", {"platform": "telegram", "verdict": "dropped"})
    try:
        app = build_asgi(adapter.routes())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
            for _ in range(core.settings.flood_burst + 1):
                update = fake_telegram.message_update(FLOODER, "/now", lang="en")
                assert (await client.post("/telegram/webhook", json=update, headers=SIGNED)).status_code == 200
            texts = [m["text"] for m in fake_telegram.sent("sendMessage", FLOODER)]
            assert (
                texts[-1]
                == "You're sending messages too fast. Please wait a moment: until then, messages get no answer."
            )
            for _ in range(10):
                update = fake_telegram.message_update(FLOODER, "/now", lang="en")
                assert (await client.post("/telegram/webhook", json=update, headers=SIGNED)).status_code == 200
            assert len(fake_telegram.sent("sendMessage", FLOODER)) == len(texts)  # nothing more
    finally:
        await adapter.stop()
    after = REGISTRY.get_sample_value("confbot_flood_refused_total", {"platform": "telegram", "verdict": "dropped"})
    assert (after or 0) - (dropped or 0) == 10  # what an operator sees on /metrics


async def test_a_silenced_persons_private_updates_are_answered_after_a_hold_and_group_ones_at_once(
    fake_telegram: FakeTelegram, core: Core
) -> None:
    """A flooder answered at once could send thousands a second; in their private chat the webhook's
    answer waits (CONFBOT_FLOOD_HOLD_SECONDS), in a group it does not (the group's other members'
    updates come after theirs)."""
    settings = telegram_settings(
        fake_telegram, TELEGRAM_WEBHOOK_URL="https://bot.example.org", TELEGRAM_WEBHOOK_SECRET="s3cret"
    ).model_copy(update={"flood_hold_seconds": 60.0})
    adapter = TelegramAdapter(settings, core)
    await adapter.start()
    try:
        app = build_asgi(adapter.routes())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
            for _ in range(core.settings.flood_burst + 1):  # told to slow down: silenced from now on
                update = fake_telegram.message_update(FLOODER, "/now", lang="en")
                await client.post("/telegram/webhook", json=update, headers=SIGNED)
            private = fake_telegram.message_update(FLOODER, "/now", lang="en")
            held = asyncio.ensure_future(client.post("/telegram/webhook", json=private, headers=SIGNED))
            for _ in range(500):
                if adapter.tarpit.held:
                    break
                await asyncio.sleep(0.01)
            assert adapter.tarpit.held == 1 and not held.done()  # the flooder's own chat waits
            in_group = fake_telegram.message_update(FLOODER, "/now", lang="en", chat_id=-100777)
            answered = await asyncio.wait_for(client.post("/telegram/webhook", json=in_group, headers=SIGNED), 10)
            assert answered.status_code == 200 and adapter.tarpit.held == 1  # the group's went at once
            held.cancel()
            await asyncio.gather(held, return_exceptions=True)
    finally:
        await adapter.stop()
