"""A Telegram user whose app is set to Traditional Chinese (zh-TW) reads the bot in Traditional
Chinese end to end: the UI strings from the zh_Hant catalog, the talks' own texts converted (OpenCC
s2twp), while a Simplified Chinese reader's answers are unchanged."""

from __future__ import annotations

from typing import Any

from adapters.telegram import TelegramAdapter
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.fakes.telegram_server import FakeTelegram

BUNDLED = load_content(BUNDLED_CONTENT)
TW, CN = 5101, 5102


async def _say(fake: FakeTelegram, user: int, text: str, lang: str) -> dict[str, Any]:
    before = len(fake.sent("sendMessage", user))
    fake.push(fake.message_update(user, text, lang=lang))
    return (await fake.wait_for("sendMessage", before + 1, chat_id=user))[-1]


def _labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def test_a_zh_tw_user_reads_traditional_chinese(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core
) -> None:
    core.replace_programme(BUNDLED)
    start = await _say(fake_telegram, TW, "/start", "zh-TW")
    assert "歡迎來到首屆中國eBPF大會" in start["text"] and "欢迎" not in start["text"]
    assert "▶ 正在進行" in _labels(start)

    agenda = await _say(fake_telegram, TW, "/agenda 1", "zh-TW")
    assert "從Linux核心到eBPF" in agenda["text"]  # talk 1's title, 从Linux内核到eBPF
    assert "阿里基於eBPF的應用可觀測技術實踐" in agenda["text"]
    assert "从Linux内核到eBPF" not in agenda["text"]

    card = await _say(fake_telegram, TW, "/talk 3", "zh-TW")
    assert "阿里基於eBPF的應用可觀測技術實踐" in card["text"]
    assert "12月12日 週六" in card["text"] and "聽眾收穫" in card["text"]  # the day, a heading
    assert "總結與展望" in card["text"]  # an outline item, 总结与展望
    assert "⭐ 訂閱提醒" in _labels(card)

    simplified = await _say(fake_telegram, CN, "/talk 3", "zh-hans")
    assert "阿里基于eBPF的应用可观测技术实践" in simplified["text"]


async def test_lang_zh_hant_switches_a_simplified_reader(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core
) -> None:
    core.replace_programme(BUNDLED)
    choices = await _say(fake_telegram, CN, "/lang", "zh-hans")
    assert _labels(choices) == ["• 简体中文", "繁體中文", "English"]  # the current one marked
    assert "好的，之後我會用繁體中文回覆。" in (await _say(fake_telegram, CN, "/lang zh-hant", "zh-hans"))["text"]
    card = await _say(fake_telegram, CN, "/talk 1", "zh-hans")  # the choice wins over the app's locale
    assert "從Linux核心到eBPF" in card["text"]
