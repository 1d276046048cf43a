"""Telegram: organizer commands are in the organizers' own chat menus only, and /help and /stats follow suit."""

from __future__ import annotations

import logging

import httpx
import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.commands import organizer_chats
from bot.chat.messages import Address
from bot.chat.registry import listed
from bot.core import Core
from bot.settings import Account, Settings
from tests.fakes.telegram_server import FakeTelegram

ORGANIZER = 4242
NEVER_STARTED = 5151  # an organizer who has not opened a chat with the bot yet
ATTENDEE = 1001


def _settings(fake: FakeTelegram) -> Settings:
    return Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,  # type: ignore[call-arg]
        organizers=[f"telegram:{ORGANIZER}", f"telegram:{NEVER_STARTED}", "slack:U0ORG", "console:organizer"],
    )


async def test_organizer_menus_are_per_chat_and_the_public_menus_stay_public(
    fake_telegram: FakeTelegram, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.unknown_chats.add(NEVER_STARTED)
    adapter = TelegramAdapter(_settings(fake_telegram), core)
    with caplog.at_level(logging.WARNING):
        await adapter.start()  # the organizer Telegram can't reach does not stop the bot
    await adapter.stop()

    public = [c.name for c in listed()]
    organizer = public + [c.name for c in listed(organizer=True) if c.organizer_only]  # after the public ones
    assert {"stats", "audit"} <= set(organizer) - set(public)
    for language in ("", "zh", "en"):
        assert fake_telegram.menus[("default", None, language)] == public
        assert fake_telegram.menus[("chat", ORGANIZER, language)] == organizer
    assert {scope for scope in fake_telegram.menus} == {
        (kind, chat, language)
        for kind, chat in (("default", None), ("chat", ORGANIZER))
        for language in ("", "zh", "en")
    }
    scoped = {p.get("language_code"): p["commands"] for p in fake_telegram.sent("setMyCommands") if p.get("scope")}
    descriptions = {lang: {c["command"]: c["description"] for c in scoped[lang]} for lang in ("zh", "en")}
    assert descriptions["zh"]["stats"] != descriptions["en"]["stats"]
    (warning,) = [r.getMessage() for r in caplog.records if "organizer command menu" in r.getMessage()]
    assert f"telegram:{NEVER_STARTED}" in warning and "Chat not found" in warning


async def test_the_fake_checks_the_scope_against_the_published_api(fake_telegram: FakeTelegram) -> None:
    url = f"{fake_telegram.base_url}{fake_telegram.token}/setMyCommands"
    commands = [{"command": "stats", "description": "stats"}]
    async with httpx.AsyncClient() as client:
        no_chat = await client.post(url, json={"commands": commands, "scope": {"type": "chat"}})
        unknown = await client.post(url, json={"commands": commands, "scope": {"type": "organizers", "chat_id": 1}})
        good = await client.post(url, json={"commands": commands, "scope": {"type": "chat", "chat_id": 1}})
    assert no_chat.status_code == 400 and "chat_id" in no_chat.json()["description"]
    assert unknown.status_code == 400
    assert good.json() == {"ok": True, "result": True}


async def test_help_and_stats_on_telegram(fake_telegram: FakeTelegram, core: Core) -> None:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(_settings(fake_telegram), core)
    await adapter.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/help", lang="en"))
        (organizer_help,) = await fake_telegram.wait_for("sendMessage")
        fake_telegram.push(fake_telegram.message_update(ATTENDEE, "/help", lang="en"))
        attendee_help = (await fake_telegram.wait_for("sendMessage", 2))[1]
        fake_telegram.push(fake_telegram.message_update(ATTENDEE, "/stats", lang="en"))
        refused = (await fake_telegram.wait_for("sendMessage", 3))[2]
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/stats", lang="en"))
        stats = (await fake_telegram.wait_for("sendMessage", 4))[3]
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/audit", lang="en"))
        audit = (await fake_telegram.wait_for("sendMessage", 5))[4]
    finally:
        await adapter.stop()
    assert "<b>Organizer commands:</b>" in organizer_help["text"] and "/stats" in organizer_help["text"]
    assert "Organizer" not in attendee_help["text"] and "/stats" not in attendee_help["text"]
    assert refused["text"] == "Only conference organizers can use /stats."
    assert "<b>📊 Stats</b>" in stats["text"] and "People: 2 (2 active, 0 blocked the bot)" in stats["text"]
    assert f"telegram:{ATTENDEE} · <code>/stats</code> → refused" in audit["text"]
    assert f"telegram:{ORGANIZER} · <code>/stats</code> → ok" in audit["text"]


def test_organizer_menus_go_to_numeric_telegram_accounts_only(caplog: pytest.LogCaptureFixture) -> None:
    accounts = [Account("telegram", "12"), Account("slack", "U1"), Account("telegram", "@alice")]
    accounts.append(Account("telegram", "12"))
    with caplog.at_level(logging.WARNING):
        assert organizer_chats(accounts) == [12]
    assert "'telegram:@alice' is not telegram:<numeric user id>" in caplog.text
