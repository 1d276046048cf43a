"""End to end from Telegram: each of the four audiences previews its size per platform and, once
confirmed, reaches exactly its people, on the fake Bot API and the fake Slack Web API at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.sender import SlackSender
from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.telegram.test_broadcast_e2e import _ask, _buttons, _settings
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.helpers import ask

ORGANIZER = 7  # English
# Telegram attendees: (chat id, language code, first command)
TELEGRAM = [
    (101, "zh-hans", "/subscribe 2"),
    (102, "en", "/subscribe 2"),
    (103, "zh-hans", "/now"),
    (104, "en", "/now"),
]
SLACK = [("U1", "en", "/subscribe 2"), ("U2", "zh", "/now")]  # (member id, locale, first command)


@pytest.fixture
async def both(fake_telegram: FakeTelegram, core: Core) -> AsyncIterator[tuple[FakeTelegram, FakeSlack, Runtime]]:
    """The Telegram adapter and a push runtime sending on Telegram and Slack, with people on both."""
    slack = FakeSlack()
    await slack.start()
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(_settings(fake_telegram), core)
    slack_sender = SlackSender(AsyncWebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=[]))
    runtime = Runtime(core, {"telegram": adapter.sender(), "slack": slack_sender}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        for chat, lang, command in TELEGRAM:  # they use the bot on Telegram
            fake_telegram.push(fake_telegram.message_update(chat, command, lang=lang))
            await fake_telegram.wait_for("sendMessage", chat_id=chat)
        for member, locale, command in SLACK:  # and on Slack (written through the core: fewer moving parts)
            ask(core, command, who=Address("slack", member, "D" + member), locale=locale)
        yield fake_telegram, slack, runtime
    finally:
        await runtime.stop()
        await adapter.stop()
        await slack.stop()


async def _broadcast(fake: FakeTelegram, slack: FakeSlack, runtime: Runtime, audience: str) -> tuple[str, set[str]]:
    """Preview ``/broadcast <audience> …`` and confirm it; the preview and who got the text."""
    text = f"Hello {audience.replace(':', ' ')}"
    shown = await _ask(fake, ORGANIZER, f"/broadcast {audience} {text}")
    confirm = next(a for a in _buttons(shown) if a.startswith("confirm "))
    edits = len(fake.sent("editMessageText"))
    fake.push(fake.callback_update(ORGANIZER, confirm, fake.last_messages[ORGANIZER], lang="en"))
    (queued,) = (await fake.wait_for("editMessageText", edits + 1))[edits:]
    size = int(queued["text"].split("queued for ")[1].split()[0])

    def got() -> set[str]:
        telegram = {f"telegram:{p['chat_id']}" for p in fake.sent("sendMessage") if p["text"] == text}
        return telegram | {f"slack:{m['channel']}" for m in slack.sent("chat.postMessage") if text in str(m)}

    for _ in range(100):  # dispatch until everyone counted at Confirm has it (per-chat pacing: ~1 s)
        await runtime.dispatch_now()
        if len(got()) >= size:
            break
        await asyncio.sleep(0.1)
    await runtime.dispatch_now()
    return shown["text"], got()


async def test_each_audience_previews_its_size_per_platform_and_reaches_exactly_its_people(
    both: tuple[FakeTelegram, FakeSlack, Runtime],
) -> None:
    fake, slack, runtime = both
    organizer = f"telegram:{ORGANIZER}"
    expected = {
        "all": ("7 people", "slack: 2 · telegram: 5", {organizer, *(f"telegram:{c}" for c, _, _ in TELEGRAM)}),
        "talk:2": ("3 people", "slack: 1 · telegram: 2", {"telegram:101", "telegram:102"}),
        "platform:telegram": ("5 people", "telegram: 5", {organizer, *(f"telegram:{c}" for c, _, _ in TELEGRAM)}),
        "platform:slack": ("2 people", "slack: 2", set()),
        "lang:en": ("4 people", "slack: 1 · telegram: 3", {organizer, "telegram:102", "telegram:104"}),
        "lang:zh": ("3 people", "slack: 1 · telegram: 2", {"telegram:101", "telegram:103"}),
    }
    slack_people = {"all": {"DU1", "DU2"}, "talk:2": {"DU1"}, "platform:slack": {"DU1", "DU2"}}
    slack_people |= {"lang:en": {"DU1"}, "lang:zh": {"DU2"}}
    for audience, (size, per_platform, telegram_people) in expected.items():
        preview, got = await _broadcast(fake, slack, runtime, audience)
        assert f"audience {audience} · {size}" in preview and per_platform in preview, audience
        assert got == telegram_people | {f"slack:{d}" for d in slack_people.get(audience, set())}, audience
    status = await _ask(fake, ORGANIZER, "/broadcast status")
    assert status["text"].count("pending 0 · failed 0 · blocked 0") == 5  # the latest 5, all done
