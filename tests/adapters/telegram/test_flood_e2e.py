"""End to end: one attendee flooding the bot through python-telegram-bot and the fake Bot API."""

from __future__ import annotations

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from tests.fakes.telegram_server import FakeTelegram

FLOODER, OTHER = 6601, 6602
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
