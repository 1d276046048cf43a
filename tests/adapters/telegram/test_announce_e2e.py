"""End to end: /announce here all in a Telegram group (addressed to the bot), every room's posts arrive
there once in valid HTML, and a group that removed the bot is deactivated (real PTB, fake Bot API). The
refusals and /announce off are a shared scenario in tests/scenarios/test_announce.py."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.storage.models import User
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram, check_html

ORGANIZER, GROUP = 1001, -100777


async def test_announce_here_all_in_a_group_then_the_posts_arrive_there_once(
    fake_telegram: FakeTelegram, core: Core, clock: FakeClock
) -> None:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        command = "/announce@confbot_test_bot here all"
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, command, lang="en", chat_id=GROUP))
        (set_up,) = await fake_telegram.wait_for("sendMessage", chat_id=GROUP)
        assert set_up["text"].startswith("📣 This chat now gets every room")

        talk = core.programme.talk(2)
        assert talk is not None and talk.start is not None
        clock.set(talk.start - timedelta(minutes=5))  # talk 1 is over, talks 2 and 3 start in 5 minutes
        await runtime.dispatch_now()
        await runtime.dispatch_now()  # a second pass (or the safety job) sends nothing more
        posts = [p["text"] for p in fake_telegram.sent("sendMessage", chat_id=GROUP)][1:]
        assert sorted(p.splitlines()[0] for p in posts) == [
            "⏭ Up next in Hall A, 10:00 (UTC+8):",
            "⏰ Starting in 5 minutes in Hall A:",
            "⏰ Starting in 5 minutes in Hall B:",
        ]
        (hall_a,) = [p for p in posts if p.startswith("⏰ Starting in 5 minutes in Hall A")]  # sent concurrently
        assert "<b>#2 XDP &lt;fast&gt; &amp; furious</b>" in hall_a  # escaped, valid HTML
        assert all(check_html(p) for p in posts)
        group_posts = fake_telegram.sent("sendMessage", chat_id=GROUP)[1:]
        assert all(not p.get("reply_markup") for p in group_posts)  # no buttons in a shared chat

        fake_telegram.blocked.add(GROUP)  # the group removes the bot
        clock.set(talk.start + timedelta(days=1) - timedelta(minutes=5))
        await runtime.dispatch_now()
        with core.db.session() as s:
            channel = s.scalar(select(User).where(User.kind == "channel"))
            assert channel is not None and channel.chat_id == str(GROUP) and channel.active is False
    finally:
        await runtime.stop()
        await adapter.stop()
