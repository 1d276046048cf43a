"""End to end: an organizer's /poll on talk 3 is posted as a native, non-anonymous Telegram poll in
room A's announcement group, closing at the talk's end; an answer in Telegram's poll and a Slack button
press add up in /poll results (real PTB and slack-bolt, fake Bot API and Web API)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select

from adapters.http import build_asgi
from adapters.slack import SlackAdapter
from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.programme.content.loader import load_content_file
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT, Settings
from bot.storage.models import PollVote
from tests.adapters.slack.helpers import post
from tests.adapters.slack.test_e2e import SECRET, block_action
from tests.adapters.telegram.conftest import telegram_settings
from tests.conftest import SHANGHAI
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.telegram_server import FakeChannel, FakeTelegram

ORGANIZER, VOTER, GROUP = 1001, 2002, -100777
TALK3_END = datetime(2026, 12, 12, 11, 20, tzinfo=SHANGHAI)


@pytest.fixture
def programme() -> Programme:
    return Programme.from_content(load_content_file(BUNDLED_CONTENT))  # talk 3: room A, 10:40-11:20


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 12, 10, 45, tzinfo=SHANGHAI))


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


async def _votes(core: Core, count: int) -> None:
    """Wait until ``count`` votes are stored (a poll answer gets no reply to wait for)."""
    deadline = time.monotonic() + 10
    while True:
        with core.db.session() as s:
            if s.scalar(select(func.count()).select_from(PollVote)) == count:
                return
        assert time.monotonic() < deadline, "the vote was not counted"
        await asyncio.sleep(0.01)


async def test_a_poll_is_a_native_telegram_poll_and_telegram_and_slack_votes_add_up(
    fake_telegram: FakeTelegram, slack: FakeSlack, core: Core
) -> None:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    telegram = TelegramAdapter(telegram_settings(fake_telegram), core)
    slack_settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
    )
    slack_adapter = SlackAdapter(slack_settings, core)
    runtime = Runtime(core, {"telegram": telegram.sender()}, periodic=False)
    await telegram.start()
    await runtime.start()
    app = build_asgi(slack_adapter.routes())
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
            fake_telegram.push(
                fake_telegram.message_update(ORGANIZER, "/announce@confbot_test_bot here A", chat_id=GROUP)
            )
            await fake_telegram.wait_for("sendMessage", chat_id=GROUP)
            fake_telegram.push(
                fake_telegram.message_update(ORGANIZER, "/poll 3 Which tracer? | bpftrace | BCC | libbpf", lang="en")
            )
            (made,) = await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
            assert "📊 Poll 1: Which tracer?" in made["text"] and "Main Hall: 1" in made["text"]

            await runtime.dispatch_now()
            (native,) = await fake_telegram.wait_for("sendPoll", chat_id=GROUP)
            assert native["question"] == "Which tracer?"
            assert [o["text"] for o in native["options"]] == ["bpftrace", "BCC", "libbpf"]
            assert native["is_anonymous"] is False  # each answer reaches the bot, naming its voter
            end = int(TALK3_END.timestamp())
            assert native.get("close_date") == (end if 5 <= end - time.time() <= 2628000 else None)

            (poll_id,) = fake_telegram.polls
            fake_telegram.push(fake_telegram.poll_answer_update(VOTER, poll_id, [2]))
            await _votes(core, 1)
            pressed = await post(slack, client, block_action(slack, "U0BOB", "poll_vote 1 2"))
            assert "Your vote: libbpf" in str(pressed)
            fake_telegram.push(fake_telegram.poll_answer_update(ORGANIZER, poll_id, [0]))
            await _votes(core, 3)

            fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/poll results 1", lang="en"))
            results = (await fake_telegram.wait_for("sendMessage", 2, chat_id=ORGANIZER))[1]["text"]
            assert "1. bpftrace: 1 " in results and "3. libbpf: 2 " in results
            assert "Votes from every platform: 3" in results

            fake_telegram.push(fake_telegram.poll_answer_update(VOTER, poll_id, []))  # retracted in Telegram
            await _votes(core, 2)
    finally:
        await runtime.stop()
        await telegram.stop()


async def test_in_a_channel_the_poll_comes_with_vote_buttons_that_count(
    fake_telegram: FakeTelegram, core: Core
) -> None:
    news = -1001234567890
    fake_telegram.channels[news] = FakeChannel(news, "Conf news", "confnews", owner=ORGANIZER, admins={ORGANIZER})
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    telegram = TelegramAdapter(telegram_settings(fake_telegram), core)
    runtime = Runtime(core, {"telegram": telegram.sender()}, periodic=False)
    await telegram.start()
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/announce here A in @confnews", lang="en"))
        await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/poll 3 Ready? | yes | no", lang="en"))
        await fake_telegram.wait_for("sendMessage", 2, chat_id=ORGANIZER)
        await runtime.dispatch_now()
        (posted,) = await fake_telegram.wait_for("sendMessage", chat_id=news)
        assert fake_telegram.sent("sendPoll") == []  # Telegram refuses a non-anonymous poll in a channel
        assert "📊 Ready?" in posted["text"]
        buttons = [b["callback_data"] for row in posted["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == ["poll_vote 1 0", "poll_vote 1 1"]
        message = fake_telegram.last_messages[news]
        fake_telegram.push(fake_telegram.callback_update(VOTER, "poll_vote 1 0", message, lang="en"))
        await _votes(core, 1)
    finally:
        await runtime.stop()
        await telegram.stop()
