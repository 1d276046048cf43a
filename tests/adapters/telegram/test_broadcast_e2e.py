"""End to end on the fake Bot API: a broadcast reaches every user exactly once through 429s and 5xx, in
Telegram HTML; paid broadcasts. (Preview, Cancel, refusal and audiences: tests/scenarios/test_broadcast.py.)"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.settings import Settings
from bot.storage.models import Broadcast, User
from tests.factories import add_people
from tests.fakes.telegram_server import FakeTelegram

ORGANIZER, MALLORY = 7, 8
FIRST = 50_000  # chat ids of the attendees


def _settings(fake: FakeTelegram, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,  # type: ignore[call-arg]
        TELEGRAM_RATE_LIMIT=2000,  # the fake enforces no rate here; keeps 2 000 sends within seconds
        **extra,
    )


def _attendees(core: Core, count: int, now: datetime) -> list[int]:
    """``count`` Telegram users who have used the bot before (written directly: fast)."""
    with core.db.session() as s:
        return add_people(s, count, now, first=FIRST)


def _buttons(call: dict[str, Any]) -> list[str]:
    markup = call.get("reply_markup") or {}
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def _ask(fake: FakeTelegram, user: int, text: str) -> dict[str, Any]:
    before = len(fake.sent("sendMessage", user))
    fake.push(fake.message_update(user, text, lang="en"))
    return (await fake.wait_for("sendMessage", before + 1, chat_id=user))[-1]


async def _until_done(core: Core, runtime: Runtime, clock: FakeClock, broadcast_id: int) -> None:
    """Dispatch passes, the bot's clock moving on for retries, until the broadcast is done and summarized."""
    deadline = time.monotonic() + 180  # a hang guard, not a timing assert: generous for a loaded CI machine
    while time.monotonic() < deadline:
        await runtime.dispatch_now()
        with core.db.session() as s:
            cast = s.get(Broadcast, broadcast_id)
            done = cast is not None and cast.status == "done"
        if done:
            await runtime.dispatch_now()  # the summary
            return
        clock.advance(3)
    raise AssertionError("the broadcast did not finish")


@pytest.fixture
async def running(fake_telegram: FakeTelegram, core: Core) -> AsyncIterator[tuple[TelegramAdapter, Runtime]]:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    yield adapter, runtime
    await runtime.stop()
    await adapter.stop()


async def test_two_thousand_users_get_it_exactly_once_through_429s_and_5xx(
    fake_telegram: FakeTelegram, core: Core, clock: FakeClock, running: tuple[TelegramAdapter, Runtime]
) -> None:
    _, runtime = running
    began = time.monotonic()
    attendees = _attendees(core, 2_000, clock.now())
    fake_telegram.blocked.add(attendees[10])  # one of them blocked the bot
    shown = await _ask(fake_telegram, ORGANIZER, "/broadcast Doors open at *9:00* & <coffee>\nSee you!")
    assert "audience all · 2001 people" in shown["text"] and "telegram: 2001" in shown["text"]
    assert "Doors open at <b>9:00</b> &amp; &lt;coffee&gt;\nSee you!" in shown["text"]
    fake_telegram.flood.extend([1, 2, 1])  # 429 retry_after 1, 2, 1 s
    fake_telegram.server_errors.extend([502, 500, 502])
    fake_telegram.fail_every = 97  # and a 502 every 97th delivery attempt
    confirm = next(a for a in _buttons(shown) if a.startswith("confirm "))
    fake_telegram.push(
        fake_telegram.callback_update(ORGANIZER, confirm, fake_telegram.last_messages[ORGANIZER], lang="en")
    )
    (queued,) = await fake_telegram.wait_for("editMessageText")
    assert "Broadcast #1 is queued for 2001 people" in queued["text"]
    await _until_done(core, runtime, clock, 1)

    broadcast = [p for p in fake_telegram.sent("sendMessage") if p["text"].startswith("Doors open")]
    per_chat = Counter(int(p["chat_id"]) for p in broadcast)
    expected = {*attendees, ORGANIZER} - {attendees[10]}
    assert set(per_chat) == expected and set(per_chat.values()) == {1}  # everyone exactly once
    assert broadcast[0]["text"] == "Doors open at <b>9:00</b> &amp; &lt;coffee&gt;\nSee you!"
    assert all("allow_paid_broadcast" not in p for p in broadcast)  # not without TELEGRAM_PAID_BROADCAST
    statuses = Counter(p.get("_status") for m, p in fake_telegram.calls if m == "sendMessage" and not p.get("_ok"))
    assert statuses[429] == 3 and statuses[500] == 1 and statuses[502] >= 2 + 2000 // 97 - 1
    summary = [p["text"] for p in fake_telegram.sent("sendMessage", ORGANIZER) if "has finished" in p["text"]]
    assert summary == ["<b>📣 Broadcast #1 (all) has finished:</b>\n2000 sent, 0 failed, 1 blocked (of 2001)"]
    with core.db.session() as s:
        gone = s.scalar(select(User).where(User.platform_user_id == str(attendees[10])))
        assert gone is not None and gone.active is False  # deactivated, as for reminders
    await runtime.dispatch_now()  # nothing more, ever
    assert len([p for p in fake_telegram.sent("sendMessage") if p["text"].startswith("Doors open")]) == 2000
    status = await _ask(fake_telegram, ORGANIZER, "/broadcast status")
    assert "sent 2000 · pending 0 · failed 0 · blocked 1" in status["text"]
    print(f"2 000-user broadcast end to end: {time.monotonic() - began:.1f} s")


async def test_paid_broadcasts_carry_allow_paid_broadcast(fake_telegram: FakeTelegram, core: Core) -> None:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(_settings(fake_telegram, TELEGRAM_PAID_BROADCAST="true"), core)
    sender = adapter.sender()
    assert getattr(sender, "paid_rate", None) == 1000  # TELEGRAM_PAID_RATE_LIMIT's default
    runtime = Runtime(core, {"telegram": sender}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        attendees = _attendees(core, 20, core.clock.now())
        shown = await _ask(fake_telegram, ORGANIZER, "/broadcast Lunch is served")
        assert "allow_paid_broadcast" not in shown  # answers are ordinary messages
        confirm = next(a for a in _buttons(shown) if a.startswith("confirm "))
        fake_telegram.push(
            fake_telegram.callback_update(ORGANIZER, confirm, fake_telegram.last_messages[ORGANIZER], lang="en")
        )
        await fake_telegram.wait_for("editMessageText")
        await _until_done(core, runtime, core.clock, 1)  # type: ignore[arg-type]
        sent = [p for p in fake_telegram.sent("sendMessage") if p["text"] == "Lunch is served"]
        assert sorted(int(p["chat_id"]) for p in sent) == sorted([*attendees, ORGANIZER])
        assert all(p.get("allow_paid_broadcast") in (True, "true") for p in sent)
        summary = [p for p in fake_telegram.sent("sendMessage", ORGANIZER) if "has finished" in p["text"]]
        assert len(summary) == 1 and "allow_paid_broadcast" not in summary[0]
    finally:
        await runtime.stop()
        await adapter.stop()


async def test_the_audit_shows_a_refused_command_as_code(
    fake_telegram: FakeTelegram, running: tuple[TelegramAdapter, Runtime]
) -> None:
    await _ask(fake_telegram, MALLORY, "/broadcast free pizza")
    audit = await _ask(fake_telegram, ORGANIZER, "/audit")
    assert "telegram:8 · <code>/broadcast free pizza</code> → refused" in audit["text"]
