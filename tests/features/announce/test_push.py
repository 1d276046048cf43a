"""Room and channel announcements: once per talk, in time order, following schedule changes."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.chat.messages import Address, Reply, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.sender import SendResult
from bot.features.schedule.changes import apply_programme
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from tests.conftest import SHANGHAI
from tests.factories import small_content
from tests.helpers import actions, ask, dispatcher_for, press

ORGANIZER = Address("console", "organizer", "organizer")  # an organizer in the test settings
ATTENDEE = Address("console", "mallory", "mallory")
DAY1 = datetime(2026, 12, 12, tzinfo=SHANGHAI)
DAY2 = datetime(2026, 12, 13, tzinfo=SHANGHAI)

SOON_1 = "⏰ Starting in 5 minutes in Hall A:\n#1 From the Linux kernel to eBPF\n🎤 Chen Lijun (陈莉君)"
NEXT_2 = "⏭ Up next in Hall A, 10:00 (UTC+8):\n#2 XDP <fast> & furious\n🎤 Alice Wang"
SOON_2 = "⏰ Starting in 5 minutes in Hall A:\n#2 XDP <fast> & furious\n🎤 Alice Wang"
SOON_4 = "⏰ Starting in 5 minutes in Hall A:\n#4 Hunting network jitter\n🎤 Chen Lijun (陈莉君)"


def at(day: datetime, hh: int, mm: int) -> datetime:
    """A local time on a conference day."""
    return day.replace(hour=hh, minute=mm)


def in_group(core: Core, text: str, group: str = "grp", who: Address = ORGANIZER) -> str:
    """Send ``text`` in a group chat; the reply's text."""
    replies = core.handle(Request(who, text=text, locale="en", is_group=True, channel=group))
    assert len(replies) == 1
    return replies[0].plain_text


@dataclass
class TimedSender:
    """Records (clock time, chat, text) of every post; yields so concurrent claims interleave."""

    clock: FakeClock
    platform: str = "console"
    rate_per_second: float = 100.0
    posts: list[tuple[datetime, str, str]] = field(default_factory=list)
    outcome: dict[str, SendResult] = field(default_factory=dict)  # chat -> forced outcome
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        await asyncio.sleep(0)
        if address.chat_id in self.outcome:
            return self.outcome[address.chat_id]
        assert not reply.buttons, "a shared chat gets no buttons"
        with self.lock:
            self.posts.append((self.clock.now(), address.chat_id, reply.plain_text))
        return SendResult.sent()

    def to(self, chat: str) -> list[tuple[datetime, str]]:
        return [(when, text) for when, c, text in self.posts if c == chat]


async def run_until(core: Core, sender: TimedSender, until: datetime, *, dispatchers: int = 1) -> None:
    """Advance the fake clock from due time to due time, dispatching at each, as the runtime does."""
    clock = sender.clock
    assert isinstance(core.clock, FakeClock)
    workers = [dispatcher_for(core, {"console": sender}, worker_id=f"w{i}") for i in range(dispatchers)]
    while True:
        with core.db.session() as s:
            due = outbox.next_due(s)
        if due is None or due > until:
            break
        if due > clock.now():
            clock.set(due)
        await asyncio.gather(*(w.run_due() for w in workers))
    clock.set(max(until, clock.now()))


def _edited(**changes: dict) -> Programme:  # type: ignore[type-arg]
    content = small_content()
    talks = [t.model_copy(update=changes.get(str(t.id), {})) for t in content.talks]
    return Programme.from_content(content.model_copy(update={"talks": talks}))


async def test_a_room_channel_gets_one_post_per_talk_and_the_changeovers_in_time_order(
    core: Core, clock: FakeClock
) -> None:
    answer = in_group(core, "/announce here A")
    assert answer.startswith("📣 This chat now gets Hall A") and "Posts planned: 4." in answer
    assert "Posts planned: 4." in in_group(core, "/announce here hall a")  # again: nothing doubled
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0))
    assert sender.to("grp") == [
        (at(DAY1, 8, 55), SOON_1),
        (at(DAY1, 9, 30), NEXT_2),  # talk 1 ends: the next in the room is named
        (at(DAY1, 9, 55), SOON_2),
        (at(DAY2, 9, 55), SOON_4),  # the first talk of a day follows no changeover
    ]


async def test_all_rooms_and_the_other_room(core: Core, clock: FakeClock) -> None:
    in_group(core, "/announce here all", group="everyone")
    in_group(core, "/announce here B", group="hall-b")
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0))
    everyone = [text.splitlines()[1].split()[0] for _, text in sender.to("everyone")]
    assert sorted(everyone) == ["#1", "#2", "#2", "#3", "#4", "#5"]  # #2 twice: up next, then soon
    assert [text.splitlines()[0] for _, text in sender.to("hall-b")] == [
        "⏰ Starting in 5 minutes in Hall B:",
        "⏰ Starting in 5 minutes in Hall B:",
    ]


async def test_nothing_is_posted_twice_after_a_restart(
    core: Core, clock: FakeClock, settings: Settings, db: Database, programme: Programme
) -> None:
    apply_programme(core, core.programme)
    in_group(core, "/announce here A")
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY1, 9, 30))
    assert [text for _, text in sender.to("grp")] == [SOON_1, NEXT_2]
    restarted = Core(settings, db, programme, clock)  # a new process on the same database
    apply_programme(restarted, restarted.programme)  # start-up re-plans every channel
    in_group(restarted, "/announce here A")  # and an organizer sets it again
    await run_until(restarted, sender, at(DAY2, 18, 0))
    assert [text for _, text in sender.to("grp")] == [SOON_1, NEXT_2, SOON_2, SOON_4]


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_post_everything_exactly_once(
    pg_db: Database, programme: Programme, clock: FakeClock, settings: Settings
) -> None:
    core = Core(settings, pg_db, programme, clock)
    for i in range(15):
        in_group(core, "/announce here all", group=f"g{i}")
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0), dispatchers=2)
    per_group = {f"g{i}": [text for _, text in sender.to(f"g{i}")] for i in range(15)}
    assert all(len(posts) == 6 for posts in per_group.values()), per_group  # 5 talks + 1 changeover
    assert len({(chat, text) for _, chat, text in sender.posts}) == len(sender.posts) == 90
    with pg_db.session() as s:
        assert outbox.counts(s) == {"sent": 90}


@pytest.mark.postgres
async def test_two_replicas_on_postgres_set_up_and_replan_without_doubles(
    pg_db: Database, programme: Programme, clock: FakeClock, settings: Settings
) -> None:
    """Two processes (threads with their own engines) re-plan the same channels at once."""
    first = Core(settings, pg_db, programme, clock)
    apply_programme(first, programme)
    for i in range(5):
        in_group(first, "/announce here A", group=f"g{i}")

    def replica() -> None:
        db = Database(pg_db.url, connect_args={"options": _search_path(pg_db)})
        apply_programme(Core(settings, db, programme, clock), programme)
        db.dispose()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with pg_db.session() as s:
        assert outbox.counts(s) == {"pending": 20}


def _search_path(db: Database) -> str:
    with db.engine.connect() as conn:
        return f"-csearch_path={conn.exec_driver_sql('SHOW search_path').scalar()}"


async def test_the_changes_channel_gets_each_move_once(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)
    assert in_group(core, "/announce here changes", group="news").startswith("📣 This chat is now the schedule")
    moved = {"2": {"start": at(DAY1, 14, 0), "room": "B"}}
    apply_programme(core, _edited(**moved))
    apply_programme(core, _edited(**moved))  # the same reload again (another replica, a restart)
    apply_programme(core, _edited(**moved, **{"5": {"cancelled": True}}))
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0))
    assert [text for _, text in sender.to("news")] == [
        "🔀 Schedule change:\n#2 XDP <fast> & furious\n"
        "moved to Sat 12 Dec 14:00 (UTC+8), Hall B (was Sat 12 Dec 10:00 (UTC+8))",
        "❌ Cancelled:\n#5 Watching the scheduler\nSend /agenda to find another talk.",
    ]  # no room posts in a changes channel, and nobody there subscribed to anything


async def test_announce_off_cancels_the_pending_posts(core: Core, clock: FakeClock) -> None:
    in_group(core, "/announce here all")
    assert in_group(core, "/announce off") == "🔕 Announcements here are off. Pending posts cancelled: 6."
    assert in_group(core, "/announce off") == "This chat isn't announcing anything."
    apply_programme(core, _edited(**{"2": {"start": at(DAY1, 15, 0)}}))  # a reload plans nothing for it
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0))
    assert sender.posts == []
    with core.db.session() as s:
        assert outbox.counts(s) == {"cancelled": 6}


async def test_a_moved_talk_takes_its_announcements_along(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)
    in_group(core, "/announce here A", group="a")
    in_group(core, "/announce here B", group="b")
    apply_programme(core, _edited(**{"2": {"start": at(DAY1, 14, 0), "room": "B"}}))  # from A 10:00 to B 14:00
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY1, 23, 0))
    assert sender.to("a") == [(at(DAY1, 8, 55), SOON_1)]  # nothing about #2 any more
    assert [(when, text.splitlines()[0], text.splitlines()[1]) for when, text in sender.to("b")] == [
        (at(DAY1, 9, 55), "⏰ Starting in 5 minutes in Hall B:", "#3 Observability with eBPF"),
        (at(DAY1, 10, 40), "⏭ Up next in Hall B, 14:00 (UTC+8):", "#2 XDP <fast> & furious"),
        (at(DAY1, 13, 55), "⏰ Starting in 5 minutes in Hall B:", "#2 XDP <fast> & furious"),
    ]


async def test_a_cancelled_talk_is_not_announced(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)
    in_group(core, "/announce here A")
    apply_programme(core, _edited(**{"2": {"cancelled": True}}))
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0))
    assert [text for _, text in sender.to("grp")] == [SOON_1, SOON_4]


def test_only_organizers_and_only_in_a_group(core: Core) -> None:
    assert in_group(core, "/announce here all", who=ATTENDEE) == "Only conference organizers can use /announce."
    assert "refused" in ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    private = ask(core, "/announce here all", who=ORGANIZER, locale="en").plain_text
    assert private.startswith("Send /announce here in the group or channel")
    assert "No such room. Rooms: Hall A (A), Hall B (B)" in in_group(core, "/announce here Z")
    with core.db.session() as s:
        assert list(s.scalars(select(OutboxMessage))) == []
        assert s.scalars(select(User.kind)).all() == ["person", "person"]


def test_the_channel_is_a_channel_row_and_listed(core: Core) -> None:
    in_group(core, "/announce here B", group="-100123")
    with core.db.session() as s:
        channel = s.scalar(select(User).where(User.kind == "channel"))
        assert channel is not None
        assert (channel.platform, channel.platform_user_id, channel.chat_id) == (
            "console",
            "channel:-100123",
            "-100123",
        )
        assert channel.language == "en"  # the organizer's language when it was set up
    listing = ask(core, "/announce", who=ORGANIZER, locale="en").plain_text
    assert listing == "📣 Chats announcing (1)\n• console -100123 · Hall B"


async def test_a_channel_that_removed_the_bot_is_deactivated_and_comes_back(core: Core, clock: FakeClock) -> None:
    in_group(core, "/announce here A")
    sender = TimedSender(clock, outcome={"grp": SendResult.blocked("403 bot was kicked")})
    await run_until(core, sender, at(DAY1, 9, 0))
    with core.db.session() as s:
        channel = s.scalar(select(User).where(User.kind == "channel"))
        assert channel is not None and not channel.active
        assert outbox.counts(s) == {"blocked": 1, "cancelled": 3}
    assert "the bot was removed" in ask(core, "/announce", who=ORGANIZER, locale="en").plain_text
    sender.outcome.clear()  # the bot is added back, and an organizer sets it up again
    assert "Posts planned: 3." in in_group(core, "/announce here A")
    await run_until(core, sender, at(DAY2, 18, 0))
    assert [text for _, text in sender.to("grp")] == [NEXT_2, SOON_2, SOON_4]


async def test_move_and_cancel_from_chat_take_the_posts_along(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)  # the bot starts: the schedule is announced
    in_group(core, "/announce here A", group="a")
    in_group(core, "/announce here changes", group="news")
    for command in ("/move 2 14:00", "/cancel 4"):
        shown = ask(core, command, who=ORGANIZER, locale="en")
        confirm = next(a for a in actions(shown) if a.startswith("confirm "))
        press(core, confirm, who=ORGANIZER, locale="en")
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY2, 18, 0))
    assert [(when, text.splitlines()[0]) for when, text in sender.to("a")] == [
        (at(DAY1, 8, 55), "⏰ Starting in 5 minutes in Hall A:"),
        (at(DAY1, 9, 30), "⏭ Up next in Hall A, 14:00 (UTC+8):"),  # talk 2, now at 14:00
        (at(DAY1, 13, 55), "⏰ Starting in 5 minutes in Hall A:"),
    ]  # and nothing for the cancelled talk 4
    assert [text.splitlines()[:2] for _, text in sender.to("news")] == [
        ["🔀 Schedule change:", "#2 XDP <fast> & furious"],
        ["❌ Cancelled:", "#4 Hunting network jitter"],
    ]


async def test_a_new_mode_replaces_the_old_one(core: Core, clock: FakeClock) -> None:
    in_group(core, "/announce here all")
    in_group(core, "/announce here B")  # from every room to Hall B only
    assert ask(core, "/announce", who=ORGANIZER, locale="en").plain_text.endswith("• console grp · Hall B")
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY1, 12, 0))
    assert [text.splitlines()[1] for _, text in sender.to("grp")] == ["#3 Observability with eBPF"]
    in_group(core, "/announce here changes")  # the room posts still ahead go
    await run_until(core, sender, at(DAY2, 18, 0))
    assert len(sender.posts) == 1
