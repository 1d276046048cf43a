"""End to end: real python-telegram-bot, polling and webhook, against the fake Bot API."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from adapters.http import build_asgi
from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from bot.storage.models import User
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram, check_html

ALICE = 1001
SECRET = "X-Telegram-Bot-Api-Secret-Token"
SIGNED = {SECRET: "s3cret"}
BUNDLED = load_content(BUNDLED_CONTENT)


def _buttons(call: dict) -> list[str]:  # type: ignore[type-arg]
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def test_commands_are_registered_in_chinese_and_english(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter
) -> None:
    menus = {p.get("language_code"): p["commands"] for p in fake_telegram.sent("setMyCommands")}
    assert {None, "zh", "en"} <= set(menus)
    zh = {c["command"]: c["description"] for c in menus["zh"]}
    en = {c["command"]: c["description"] for c in menus["en"]}
    assert zh.keys() == en.keys() and {"agenda", "now", "talk", "subscribe", "lang"} <= zh.keys()
    assert zh["agenda"] != en["agenda"]


async def test_browsing_answers_in_telegram_html(fake_telegram: FakeTelegram, polling_bot: TelegramAdapter) -> None:
    """Telegram's own in browsing (the scenario: tests/scenarios/test_browsing.py): HTML, escaped."""
    fake_telegram.push(fake_telegram.message_update(ALICE, "/agenda"))
    (agenda,) = await fake_telegram.wait_for("sendMessage")
    assert agenda["parse_mode"] == "HTML"
    fake_telegram.push(fake_telegram.message_update(2002, "/talk 2", lang="en"))
    talk = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert "<b>XDP &lt;fast&gt; &amp; furious</b>" in talk["text"]  # talk text escaped, valid HTML
    assert "Packets &amp; &lt;b&gt;bold&lt;/b&gt; claims" in talk["text"]


async def test_day_and_page_buttons_edit_the_message(fake_telegram: FakeTelegram, polling_bot: TelegramAdapter) -> None:
    fake_telegram.push(fake_telegram.message_update(ALICE, "/agenda"))
    (agenda,) = await fake_telegram.wait_for("sendMessage")
    message = {"message_id": 5, "date": 0, "chat": {"id": ALICE, "type": "private"}, "text": agenda["text"]}
    fake_telegram.push(fake_telegram.callback_update(ALICE, "agenda 2", message))
    (edit,) = await fake_telegram.wait_for("editMessageText")
    assert "第2天" in edit["text"] and "第1天 ·" not in edit["text"]
    await fake_telegram.wait_for("answerCallbackQuery")


async def test_subscribe_button_edits_in_place_with_a_toast(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter
) -> None:
    """Telegram's own in the toggle (the scenario: tests/scenarios/test_browsing.py)."""
    fake_telegram.push(fake_telegram.message_update(ALICE, "/talk 3", lang="en"))
    (card,) = await fake_telegram.wait_for("sendMessage")
    message = {"message_id": 9, "date": 0, "chat": {"id": ALICE, "type": "private"}, "text": "card"}
    fake_telegram.push(fake_telegram.callback_update(ALICE, _buttons(card)[0], message, lang="en"))
    (edit,) = await fake_telegram.wait_for("editMessageText")
    assert _buttons(edit)[0] == "unsub 3" and int(edit["message_id"]) == 9
    answers = await fake_telegram.wait_for("answerCallbackQuery")
    assert answers[0].get("text") == "Subscribed"


async def test_deep_link_opens_a_talk(fake_telegram: FakeTelegram, polling_bot: TelegramAdapter) -> None:
    fake_telegram.push(fake_telegram.message_update(ALICE, "/start talk_4", lang="en"))
    (card,) = await fake_telegram.wait_for("sendMessage")
    assert "Hunting network jitter" in card["text"] and "sub 4" in _buttons(card)


async def test_groups_answer_addressed_commands_only(fake_telegram: FakeTelegram, polling_bot: TelegramAdapter) -> None:
    group = -100123
    fake_telegram.push(fake_telegram.message_update(ALICE, "hello everyone, lunch?", chat_id=group))
    fake_telegram.push(fake_telegram.message_update(ALICE, "/agenda@some_other_bot", chat_id=group))
    fake_telegram.push(fake_telegram.message_update(ALICE, "/now@confbot_test_bot", chat_id=group))
    (answer,) = await fake_telegram.wait_for("sendMessage", chat_id=group)
    assert "正在进行" in answer["text"]
    fake_telegram.push(fake_telegram.message_update(ALICE, "/help", chat_id=ALICE))
    await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
    assert len(fake_telegram.sent("sendMessage", chat_id=group)) == 1


async def test_inline_mode_offers_talks_to_share(fake_telegram: FakeTelegram, polling_bot: TelegramAdapter) -> None:
    fake_telegram.push(fake_telegram.inline_update(ALICE, "xdp"))
    (answer,) = await fake_telegram.wait_for("answerInlineQuery")
    results = json.loads(answer["results"]) if isinstance(answer["results"], str) else answer["results"]
    assert results[0]["id"] == "talk-2" and "XDP" in results[0]["title"]
    assert "&lt;fast&gt;" in results[0]["input_message_content"]["message_text"]


async def test_reminder_blocked_user_and_429_storm(fake_telegram: FakeTelegram, core: Core, clock: FakeClock) -> None:
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        users = list(range(3001, 3021))
        for uid in users:
            fake_telegram.push(fake_telegram.message_update(uid, "/subscribe 2", lang="en"))
        await fake_telegram.wait_for("sendMessage", len(users))
        fake_telegram.blocked.add(3020)
        fake_telegram.flood.extend([2, 1, 3, 1, 2])  # a 429 storm
        talk = core.programme.talk(2)
        assert talk is not None and talk.start is not None
        clock.set(talk.start - timedelta(minutes=10))
        for _ in range(10):
            await runtime.dispatch_now()
            clock.advance(3)
        reminders = [c for c in fake_telegram.sent("sendMessage") if "Starting in" in c["text"]]
        chats = sorted(int(c["chat_id"]) for c in reminders)
        assert chats == users[:-1]  # everyone once, the blocked user not at all
        assert reminders[0]["text"].startswith("⏰ Starting in")
        assert _buttons(reminders[0])[0] == "unsub 2"
        with core.db.session() as s:
            blocked = s.scalar(select(User).where(User.platform_user_id == "3020"))
            assert blocked is not None and blocked.active is False
        assert sum(1 for m, p in fake_telegram.calls if m == "sendMessage" and not p.get("_ok")) >= 6
    finally:
        await runtime.stop()
        await adapter.stop()


async def test_webhook_checks_the_secret(fake_telegram: FakeTelegram, core: Core) -> None:
    settings = telegram_settings(
        fake_telegram, TELEGRAM_WEBHOOK_URL="https://bot.example.org", TELEGRAM_WEBHOOK_SECRET="s3cret"
    )
    adapter = TelegramAdapter(settings, core)
    await adapter.start()
    try:
        assert fake_telegram.webhook_url == "https://bot.example.org/telegram/webhook"
        app = build_asgi(adapter.routes())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
            update = fake_telegram.message_update(ALICE, "/now", lang="en")
            forged = await client.post("/telegram/webhook", json=update, headers={SECRET: "nope"})
            missing = await client.post("/telegram/webhook", json=update)
            assert forged.status_code == 403 and missing.status_code == 403
            assert fake_telegram.sent("sendMessage") == []
            ok = await client.post("/telegram/webhook", json=update, headers=SIGNED)
            assert ok.status_code == 200
            (answer,) = fake_telegram.sent("sendMessage")
            assert "Running now" in answer["text"]
            update_zh = fake_telegram.message_update(4004, "/now")
            await client.post("/telegram/webhook", json=update_zh, headers=SIGNED)
            assert "正在进行" in fake_telegram.sent("sendMessage")[1]["text"]
            assert (await client.get("/healthz")).text == "ok"
    finally:
        await adapter.stop()


async def test_search_pages_in_place_and_a_shown_day_is_no_error(
    fake_telegram: FakeTelegram, core: Core, polling_bot: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    core.replace_programme(BUNDLED)
    fake_telegram.push(fake_telegram.message_update(ALICE, "ebpf", lang="en"))
    (results,) = await fake_telegram.wait_for("sendMessage")
    assert "search #2 ebpf" in _buttons(results)
    shown = fake_telegram.last_messages[ALICE]
    fake_telegram.push(fake_telegram.callback_update(ALICE, "search #2 ebpf", shown, lang="en"))
    (page2,) = await fake_telegram.wait_for("editMessageText")
    assert int(page2["message_id"]) == shown["message_id"] and page2["text"] != results["text"]
    assert "search #3 ebpf" in _buttons(page2)
    fake_telegram.push(fake_telegram.message_update(ALICE, "/agenda 1", lang="en"))
    await fake_telegram.wait_for("sendMessage", 2)
    day1 = fake_telegram.last_messages[ALICE]
    fake_telegram.push(fake_telegram.callback_update(ALICE, "agenda 1", day1, lang="en"))  # the day already shown
    await fake_telegram.wait_for("answerCallbackQuery", 2)
    fake_telegram.push(fake_telegram.message_update(ALICE, "/now", lang="en"))  # a later update: the edit is done
    await fake_telegram.wait_for("sendMessage", 3)
    refused = [p for m, p in fake_telegram.calls if m == "editMessageText" and p.get("_status") == 400]
    assert refused and "telegram update failed" not in caplog.text


async def test_ics_button_sends_the_calendar_file(fake_telegram: FakeTelegram, polling_bot: TelegramAdapter) -> None:
    fake_telegram.push(fake_telegram.message_update(ALICE, "/subscribe 2", lang="en"))
    await fake_telegram.wait_for("sendMessage")
    fake_telegram.push(fake_telegram.callback_update(ALICE, "ics", fake_telegram.last_messages[ALICE], lang="en"))
    (document,) = await fake_telegram.wait_for("sendDocument")
    assert document["document"].startswith(b"BEGIN:VCALENDAR") and "XDP" in document["document"].decode()
    assert document["parse_mode"] == "HTML" and check_html(document["caption"])
    await fake_telegram.wait_for("answerCallbackQuery")


async def test_the_bot_token_stays_out_of_the_logs(
    fake_telegram: FakeTelegram, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    await adapter.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ALICE, "/now", lang="en"))
        await fake_telegram.wait_for("sendMessage")
    finally:
        await adapter.stop()
    assert "started as @confbot_test_bot" in caplog.text and fake_telegram.token not in caplog.text


async def test_a_shared_card_answers_its_presser_and_stays_as_shared(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter
) -> None:
    fake_telegram.push(fake_telegram.callback_update(ALICE, "sub 2", None, lang="en"))  # on an @bot inline message
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery")
    assert answer.get("text") == "Subscribed"
    fake_telegram.blocked.add(2002)  # someone who never opened the bot presses "parallel talks"
    fake_telegram.push(fake_telegram.callback_update(2002, "parallel 2", None, lang="en"))
    fake_telegram.push(fake_telegram.message_update(ALICE, "/my", lang="en"))
    (mine,) = await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
    assert "XDP &lt;fast&gt;" in mine["text"]  # the press did subscribe Alice
    await fake_telegram.wait_for("answerCallbackQuery", 2)
    assert fake_telegram.sent("editMessageText") == []  # the shared card is not rewritten for everyone


async def test_two_webhook_replicas_share_all_state_through_the_database(
    fake_telegram: FakeTelegram, core: Core, clock: FakeClock
) -> None:
    settings = telegram_settings(
        fake_telegram, TELEGRAM_WEBHOOK_URL="https://bot.example.org", TELEGRAM_WEBHOOK_SECRET="s3cret"
    )
    second_core = Core(settings, core.db, core.programme, clock)  # another process, same database
    replicas = [TelegramAdapter(settings, core), TelegramAdapter(settings, second_core)]
    for replica in replicas:
        await replica.start()
    try:
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=build_asgi(r.routes())), base_url="http://bot")
            for r in replicas
        ]
        await clients[0].post(
            "/telegram/webhook", json=fake_telegram.message_update(ALICE, "/subscribe 2", lang="en"), headers=SIGNED
        )
        await clients[1].post(
            "/telegram/webhook", json=fake_telegram.message_update(ALICE, "/my", lang="en"), headers=SIGNED
        )
        subscribed, mine = fake_telegram.sent("sendMessage")
        assert "Subscribed" in subscribed["text"] and "XDP &lt;fast&gt;" in mine["text"]
        await clients[1].post(
            "/telegram/webhook", json=fake_telegram.message_update(ALICE, "/lang zh", lang="en"), headers=SIGNED
        )
        await clients[0].post(
            "/telegram/webhook", json=fake_telegram.message_update(ALICE, "/now", lang="en"), headers=SIGNED
        )
        assert "正在进行" in fake_telegram.sent("sendMessage")[-1]["text"]  # the language chosen on the other replica
        for client in clients:
            await client.aclose()
    finally:
        for replica in replicas:
            await replica.stop()
