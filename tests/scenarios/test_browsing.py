"""Browsing in Chinese and English: the agenda with its day buttons, a talk card with its actions,
search by plain text, help; the subscribe button toggles; the reminder reaches the subscriber."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.core import Core
from tests.scenarios.driver import Platform


async def test_browsing_in_chinese_and_english(platform: Platform) -> None:
    agenda = await platform.send("alice", "/agenda", lang="zh")
    assert "第1天" in agenda.text and {"agenda 1", "agenda 2"} <= set(agenda.actions)
    help_zh = await platform.send("alice", "/help", lang="zh")
    assert "/agenda" in help_zh.text and "可用命令" in help_zh.text
    talk = await platform.send("bob", "/talk 2")
    assert "XDP <fast> & furious" in talk.text and platform.escaped("XDP <fast> & furious") in talk.raw  # escaped once
    assert "Packets & <b>bold</b> claims" in talk.text and platform.well_formed(talk)
    assert talk.actions == ["sub 2", "parallel 2", "ask 2"]
    search = await platform.send("bob", "observability")
    assert "Observability with eBPF" in search.text


async def test_the_day_button_shows_that_day(platform: Platform) -> None:
    await platform.send("alice", "/agenda")
    day2 = await platform.press("alice", "agenda 2")
    assert "Day 2 ·" in day2.text and "#4" in day2.text and "Day 1 ·" not in day2.text


async def test_subscribe_button_toggles_and_the_reminder_arrives(
    platform: Platform, core: Core, clock: FakeClock
) -> None:
    runtime = await platform.runtime()
    card = await platform.send("alice", "/talk 3")
    assert card.actions[0] == "sub 3"
    subscribed = await platform.press("alice", "sub 3")
    assert subscribed.actions[0] == "unsub 3"
    unsubscribed = await platform.press("alice", "unsub 3")
    assert unsubscribed.actions[0] == "sub 3"
    await platform.press("alice", "sub 2")
    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None
    clock.set(talk.start - timedelta(minutes=10))
    await runtime.dispatch_now()
    (reminder,) = await platform.wait_posts("alice", 1)
    assert reminder.text.startswith("⏰ Starting in 10 minutes") and "unsub 2" in reminder.actions
    mine = await platform.send("alice", "/my")
    assert "XDP <fast>" in mine.text and "Observability" not in mine.text
