"""Calendar feeds: one token per user even when two replicas make it at once, gone when the user is
deactivated, and rotated by /ics reset."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import select, text

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.features.personal import calendar_feed
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import User
from tests.helpers import ask

PUBLIC = "https://bot.example.org/confbot"
ALICE = Address("console", "alice", "alice")


def _token(reply_text: str) -> str:
    found = re.search(re.escape(PUBLIC) + r"/calendar/([A-Za-z0-9_-]{32})\.ics", reply_text)
    assert found, reply_text
    return found.group(1)


@pytest.fixture
def feed_core(core: Core) -> Core:
    core.settings = Settings(_env_file=None, public_url=PUBLIC)  # type: ignore[call-arg]
    ask(core, "/subscribe 2", locale="en")
    return core


def test_a_deactivated_users_feed_answers_nothing(feed_core: Core) -> None:
    token = _token(ask(feed_core, "/ics", locale="en").plain_text)
    assert feed_core.calendar_feed(token) is not None
    with feed_core.db.session() as session:
        user = session.scalar(select(User).where(User.platform_user_id == "alice"))
        assert user is not None
        user.active = False  # e.g. they blocked the bot, or an organizer removed them
    assert feed_core.calendar_feed(token) is None


def test_ics_reset_gives_a_new_address_and_the_old_one_stops_working(feed_core: Core) -> None:
    old = _token(ask(feed_core, "/ics", locale="en").plain_text)
    reply = ask(feed_core, "/ics reset", locale="en").plain_text
    new = _token(reply)
    assert new != old and "old one no longer works" in reply
    assert feed_core.calendar_feed(old) is None and feed_core.calendar_feed(new) is not None
    assert _token(ask(feed_core, "/ics", locale="en").plain_text) == new  # the new one stays
    (group,) = feed_core.handle(Request(Address("console", "alice", "g1"), text="/ics reset", is_group=True))
    assert "/calendar/" not in group.plain_text
    assert _token(ask(feed_core, "/ics", locale="en").plain_text) == new  # not rotated from a group


@pytest.mark.postgres
def test_two_replicas_making_the_first_token_at_once_agree_on_one(pg_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    with pg_db.session() as session:
        user = User(platform="console", platform_user_id="alice", chat_id="alice", first_seen=now, last_seen=now)
        session.add(user)
        session.flush()
        user_id = user.id
    seen: dict[str, object] = {}
    started = threading.Event()

    def other_replica() -> None:
        try:
            with pg_db.session() as session:
                seen["pid"] = session.scalar(text("select pg_backend_pid()"))
                started.set()
                other = session.get(User, user_id)
                assert other is not None
                seen["token"] = calendar_feed.token_for(session, other, now)
        except Exception as err:  # noqa: BLE001 - the test reports it
            seen["error"] = err
            started.set()

    with pg_db.session() as first:
        mine = first.get(User, user_id)
        assert mine is not None
        token = calendar_feed.token_for(first, mine, now)  # inserted, not yet committed
        thread = threading.Thread(target=other_replica)
        thread.start()
        started.wait(30)
        deadline = time.monotonic() + 30  # wait until the other replica's insert waits on ours
        while "error" not in seen and time.monotonic() < deadline:
            with pg_db.session() as probe:  # a fresh transaction: pg_stat_activity is read once per one
                waiting = probe.scalar(
                    text("select wait_event_type from pg_stat_activity where pid = :pid"), {"pid": seen["pid"]}
                )
            if waiting == "Lock":
                break
            time.sleep(0.02)
    thread.join(30)
    assert "error" not in seen, seen.get("error")
    assert seen["token"] == token
