"""End to end from Slack: each of the four audiences previews its size per platform and, once
confirmed, reaches exactly its people, on the fake Slack Web API and the fake Bot API at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from adapters.slack import SlackAdapter
from adapters.telegram.sender import TelegramSender
from bot.chat.messages import Address
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import block_action, slash
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.helpers import ask

SLACK = [("U5EVA", "en-US", "subscribe 2"), ("U6FAY", "zh-CN", "now")]  # (member id, locale, command)
TELEGRAM = [("101", "zh", "/subscribe 2"), ("102", "en", "/now")]  # (chat id, locale, first command)


@pytest.fixture
async def runtime(
    slack: FakeSlack, client: httpx.AsyncClient, adapter: SlackAdapter, core: Core
) -> AsyncIterator[tuple[Runtime, FakeTelegram]]:
    """A push runtime sending on Slack and Telegram, with people on both (the organizer U0ORG in English)."""
    telegram = FakeTelegram()
    await telegram.start()
    bot = Bot(telegram.token, base_url=telegram.base_url)
    await bot.initialize()
    runtime = Runtime(core, {"slack": adapter.sender(), "telegram": TelegramSender(bot, 1000)}, periodic=False)
    await runtime.start()
    try:
        for member, locale, command in SLACK:  # they use the bot on Slack
            slack.locales[member] = locale
            await post(slack, client, slash(slack, member, command, channel="D" + member[1:]))
        for chat, locale, command in TELEGRAM:  # and on Telegram (written through the core)
            ask(core, command, who=Address("telegram", chat, chat), locale=locale)
        yield runtime, telegram
    finally:
        await runtime.stop()
        await bot.shutdown()
        await telegram.stop()


async def test_each_audience_previews_its_size_per_platform_and_reaches_exactly_its_people(
    slack: FakeSlack, client: httpx.AsyncClient, runtime: tuple[Runtime, FakeTelegram]
) -> None:
    push, telegram = runtime
    slack_all = {"slack:D0ORG", "slack:D5EVA", "slack:D6FAY"}
    expected = {
        "all": ("5 people", "slack: 3 · telegram: 2", slack_all | {"telegram:101", "telegram:102"}),
        "talk:2": ("2 people", "slack: 1 · telegram: 1", {"slack:D5EVA", "telegram:101"}),
        "platform:slack": ("3 people", "slack: 3", slack_all),
        "platform:telegram": ("2 people", "telegram: 2", {"telegram:101", "telegram:102"}),
        "lang:en": ("3 people", "slack: 2 · telegram: 1", {"slack:D0ORG", "slack:D5EVA", "telegram:102"}),
        "lang:zh": ("2 people", "slack: 1 · telegram: 1", {"slack:D6FAY", "telegram:101"}),
    }
    for audience, (size, per_platform, people) in expected.items():
        text = f"Hello {audience.replace(':', ' ')}"
        shown = await post(slack, client, slash(slack, "U0ORG", f"broadcast {audience} {text}", channel="D0ORG"))
        preview = text_of(shown)
        assert f"audience {audience} · {size}" in preview and per_platform in preview, audience
        confirm = next(v for v in values_of(shown) if v.startswith("confirm "))
        assert f"is queued for {size}" in text_of(await post(slack, client, block_action(slack, "U0ORG", confirm)))

        def got(text: str = text) -> set[str]:
            on_slack = {f"slack:{m['channel']}" for m in slack.sent("chat.postMessage") if text_of(m) == text}
            return on_slack | {f"telegram:{p['chat_id']}" for p in telegram.sent("sendMessage") if p["text"] == text}

        for _ in range(100):  # dispatch until everyone has it (one DM a second per channel)
            await push.dispatch_now()
            if len(got()) >= len(people):
                break
            await asyncio.sleep(0.1)
        await push.dispatch_now()
        assert got() == people, audience
    status = await post(slack, client, slash(slack, "U0ORG", "broadcast status", channel="D0ORG"))
    assert text_of(status).count("pending 0 · failed 0 · blocked 0") == 5  # the latest 5, all done
