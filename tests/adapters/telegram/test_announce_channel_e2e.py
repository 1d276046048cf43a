"""End to end: a Telegram channel gets announcements, set up from the organizer's private chat once
Telegram confirms they administer it (real PTB, fake Bot API with channels, getChat, getChatMember)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.storage.models import OutboxMessage, User
from tests.adapters.telegram.conftest import telegram_settings
from tests.adapters.telegram.test_broadcast_e2e import _ask
from tests.fakes.telegram_server import FakeChannel, FakeTelegram

ORGANIZER, CHANNEL_ADMIN = 1001, 3003  # the second administers the channel but is no organizer
NEWS, OTHERS, MUTED = -1001888, -1001999, -1001777


@pytest.fixture
async def running(fake_telegram: FakeTelegram, core: Core) -> AsyncIterator[Runtime]:
    fake_telegram.channels[NEWS] = FakeChannel(NEWS, "Conf news", "confnews", owner=CHANNEL_ADMIN, admins={ORGANIZER})
    fake_telegram.channels[OTHERS] = FakeChannel(OTHERS, "Someone else's", "elsewhere", owner=CHANNEL_ADMIN)
    fake_telegram.channels[MUTED] = FakeChannel(MUTED, "Bot may not post", "mutedbot", owner=ORGANIZER)
    fake_telegram.channels[MUTED].bot_role = "member"
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    adapter = TelegramAdapter(telegram_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    yield runtime
    await runtime.stop()
    await adapter.stop()


def _channels(core: Core) -> list[str]:
    with core.db.session() as s:
        return sorted(u.chat_id for u in s.scalars(select(User).where(User.kind == "channel", User.active)))


async def test_a_channel_post_is_not_trusted_even_when_signed(
    fake_telegram: FakeTelegram, core: Core, running: Runtime
) -> None:
    fake_telegram.push(fake_telegram.channel_post_update(NEWS, "/announce here all", signature="User1001"))
    (hint,) = await fake_telegram.wait_for("sendMessage", chat_id=NEWS)
    assert "Organizers set up this channel (-1001888) from their private chat with the bot." in hint["text"]
    assert _channels(core) == []  # nothing set up: the post has no author the bot could check


async def test_an_organizer_sets_a_channel_up_from_their_private_chat_and_its_posts_arrive_once(
    fake_telegram: FakeTelegram, core: Core, clock: FakeClock, running: Runtime
) -> None:
    answer = await _ask(fake_telegram, ORGANIZER, "/announce here all in @ConfNews")
    first, planned, stop = answer["text"].splitlines()
    assert (first, stop) == ("📣 Channel -1001888 now gets: every room.", "To stop: /announce off in -1001888")
    planned_posts = int(planned.removeprefix("Posts planned: ").rstrip("."))
    assert _channels(core) == [str(NEWS)]
    asked = [(m, str(p.get("chat_id")), str(p.get("user_id"))) for m, p in fake_telegram.calls if m.startswith("getC")]
    assert asked == [  # the channel, the organizer's rights there, the bot's
        ("getChat", "@ConfNews", "None"),
        ("getChatMember", str(NEWS), str(ORGANIZER)),
        ("getChatMember", str(NEWS), "777000"),
    ]

    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None
    clock.set(talk.start - timedelta(minutes=5))
    await running.dispatch_now()
    await running.dispatch_now()  # nothing twice
    posts = sorted(p["text"].splitlines()[0] for p in fake_telegram.sent("sendMessage", chat_id=NEWS))
    assert posts == [
        "⏭ Up next in Hall A, 10:00 (UTC+8):",
        "⏰ Starting in 5 minutes in Hall A:",
        "⏰ Starting in 5 minutes in Hall B:",
    ]
    with core.db.session() as session:
        ahead = session.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        assert ahead is not None and 0 < ahead < planned_posts  # the posts still ahead (talk 1's was missed)
    off = await _ask(fake_telegram, ORGANIZER, f"/announce off in {NEWS}")
    assert off["text"] == f"🔕 Announcements in channel -1001888 are off. Pending posts cancelled: {ahead}."
    assert (await _ask(fake_telegram, ORGANIZER, "/announce"))["text"].startswith("<b>📣 Chats announcing (0)</b>")


async def test_refusals_say_why_and_are_audited(fake_telegram: FakeTelegram, core: Core, running: Runtime) -> None:
    refused = await _ask(fake_telegram, CHANNEL_ADMIN, "/announce here all in @confnews")
    assert refused["text"] == "Only conference organizers can use /announce."
    assert not [m for m, _ in fake_telegram.calls if m.startswith("getChat")]  # Telegram is asked for organizers only
    expected = {
        "@elsewhere": "Only the channel's owner or an administrator can set up its announcements.",
        "@mutedbot": "The bot can't post in that channel: make it an administrator allowed to post messages.",
        "@nosuchchannel": "I can't see that channel. Add the bot to it as an administrator who can post messages,",
    }
    for target, why in expected.items():
        answer = await _ask(fake_telegram, ORGANIZER, f"/announce here all in {target}")
        assert answer["text"].startswith(why), target
    assert _channels(core) == []
    audit = (await _ask(fake_telegram, ORGANIZER, "/audit"))["text"]
    assert "telegram:3003 · <code>/announce here all in @confnews</code> → refused" in audit
    assert audit.count("<code>/announce here all</code> → usage") == 3
