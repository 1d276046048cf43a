"""Listing pages (/agenda, /track, /room) keep their talk buttons within the Bot API's limits (the
buttons themselves: tests/scenarios/test_talk_buttons.py)."""

from __future__ import annotations

import json

import pytest

from adapters.telegram import TelegramAdapter
from bot.core import Core
from tests.factories import crowded_programme
from tests.fakes.telegram_server import FakeTelegram


def _keyboard(call: dict) -> list[list[dict]]:  # type: ignore[type-arg]
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return list(markup.get("inline_keyboard", []))


@pytest.mark.parametrize("text", ["/agenda 1", "/track net", "/room A", "/room B 3"])
async def test_crowded_pages_stay_within_the_bot_api_limits(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core, text: str
) -> None:
    core.replace_programme(crowded_programme())
    fake_telegram.push(fake_telegram.message_update(1001, text, lang="en"))
    (page,) = await fake_telegram.wait_for("sendMessage")  # the fake refuses keyboards Telegram refuses
    buttons = [b for row in _keyboard(page) for b in row]
    assert len(buttons) <= 100
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
