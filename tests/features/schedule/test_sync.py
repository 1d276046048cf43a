"""Live sync of a published schedule served from 127.0.0.1 that changes between polls.

Polls are the sync job run directly (``Runtime.sync_now``); the clock is fake; nothing sleeps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.schedule import sync as schedule_sync
from bot.programme.content.frab import export_json
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.conftest import SHANGHAI
from tests.factories import small_programme
from tests.fakes.schedule_server import ScheduleServer, schedule_server
from tests.fakes.senders import RecordingSender
from tests.helpers import ask

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("console", "bob", "bob")


def published(**moves: str) -> bytes:
    """The small conference as a frab schedule.json, with talks moved: ``t2="2026-12-12T15:00:00+08:00"``."""
    data: dict[str, Any] = export_json(small_programme())
    for day in data["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for event in events:
                new = moves.get(f"t{event['id']}")
                if new:
                    event["date"], event["start"] = new, new[11:16]
    return json.dumps(data, ensure_ascii=False).encode()


@pytest.fixture
def server() -> Iterator[ScheduleServer]:
    """The published schedule, as first published."""
    with schedule_server() as srv:
        srv.publish(published())
        yield srv


@dataclass
class Replica:
    """One `confbot run`: its core, runtime and the messages its sender delivered."""

    core: Core
    runtime: Runtime
    sender: RecordingSender


async def _replica(url: str, db: Database, clock: FakeClock, programme: Programme | None = None) -> Replica:
    settings = Settings(_env_file=None, organizers=["console:organizer"], schedule_url=url)  # type: ignore[call-arg]
    core = Core(settings, db, programme or small_programme(), clock)
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)  # the jobs are run by hand
    await runtime.start()
    return Replica(core, runtime, sender)


@pytest.fixture
async def bot(server: ScheduleServer, db: Database, clock: FakeClock) -> AsyncIterator[Replica]:
    """A replica that synced the first published schedule; Alice follows talk 2, the organizer said hi."""
    replica = await _replica(server.url, db, clock)
    result = await replica.runtime.service("schedule_sync").sync_now()
    assert result is not None and result.outcome == "applied"
    ask(replica.core, "/subscribe 2", locale="en")
    ask(replica.core, "/start", who=ORGANIZER, locale="en")
    yield replica
    await replica.runtime.stop()


def _start_of(core: Core, talk_id: int) -> datetime:
    talk = core.programme.talk(talk_id)
    assert talk is not None and talk.start is not None
    return talk.start.astimezone(SHANGHAI)


async def test_a_moved_talk_is_announced_once_and_an_unchanged_schedule_says_nothing(
    bot: Replica, server: ScheduleServer
) -> None:
    server.publish(published(t2="2026-12-12T15:00:00+08:00"))
    result = await bot.runtime.service("schedule_sync").sync_now()
    assert result is not None and result.outcome == "applied" and result.report is not None
    assert result.report.moved == [2]
    await bot.runtime.dispatch_now()
    assert _start_of(bot.core, 2).hour == 15
    assert [t for t in bot.sender.texts("alice") if "moved to Sat 12 Dec 15:00" in t] != []
    assert len(bot.sender.texts("alice")) == 1

    for _ in range(3):  # the server answers 304: nothing happens
        assert (await bot.runtime.service("schedule_sync").sync_now()).outcome == "unchanged"  # type: ignore[union-attr]
    assert server.answers[304] == 3
    server.validators = False  # a host without ETags: the same bytes again are no change either
    assert (await bot.runtime.service("schedule_sync").sync_now()).outcome == "unchanged"  # type: ignore[union-attr]
    await bot.runtime.dispatch_now()
    assert len(bot.sender.texts("alice")) == 1 and bot.sender.texts("organizer") == []
    assert bot.runtime.service("schedule_sync").status() is None


async def test_a_broken_schedule_keeps_the_last_good_one_and_the_error_is_visible(
    bot: Replica, server: ScheduleServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.publish(b'{"schedule": {"conference": {"days": [{"rooms": {"A": [{"title": "no date"}]}}]}}}')
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            result = await bot.runtime.service("schedule_sync").sync_now()
            assert result is not None and result.outcome in ("failed", "unchanged")
    status = bot.runtime.service("schedule_sync").status()
    assert status is not None and server.url in status and "cannot import the schedule" in status
    assert _start_of(bot.core, 2).hour == 10 and len(bot.core.programme.talks) == 5  # the last good one
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None  # one line, no traceback, not one per poll
    await bot.runtime.dispatch_now()
    warnings = bot.sender.texts("organizer")
    assert len(warnings) == 1 and "was not applied" in warnings[0] and server.url in warnings[0]
    assert bot.sender.texts("alice") == []

    server.publish(published(t2="2026-12-12T16:00:00+08:00"))  # fixed at the source
    assert (await bot.runtime.service("schedule_sync").sync_now()).outcome == "applied"  # type: ignore[union-attr]
    assert bot.runtime.service("schedule_sync").status() is None and _start_of(bot.core, 2).hour == 16

    broken = b'{"schedule": {"conference": {"days": [{"rooms": {"A": [{"title": "no date"}]}}]}}}'
    server.publish(broken)  # the same problem comes back after a good schedule: the organizers hear again
    for _ in range(3):
        assert (await bot.runtime.service("schedule_sync").sync_now()).outcome in ("failed", "unchanged")  # type: ignore[union-attr]
    await bot.runtime.dispatch_now()
    assert len(bot.sender.texts("organizer")) == 2 and _start_of(bot.core, 2).hour == 16


async def test_a_schedule_whose_apply_fails_unexpectedly_is_applied_by_the_next_poll(
    bot: Replica, server: ScheduleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = schedule_sync.apply_programme
    failures = [OperationalError("UPDATE talks", {}, Exception("database is locked"))]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(schedule_sync, "apply_programme", flaky)
    server.publish(published(t2="2026-12-12T15:00:00+08:00"))
    result = await bot.runtime.service("schedule_sync").sync_now()
    assert result is not None and result.outcome == "failed"
    status = bot.runtime.service("schedule_sync").status()
    assert status is not None and "OperationalError" in status and server.url in status
    assert _start_of(bot.core, 2).hour == 10  # the last good programme is still shown

    result = await bot.runtime.service(
        "schedule_sync"
    ).sync_now()  # the same schedule again: this time it is applied and announced
    assert result is not None and result.outcome == "applied"
    assert bot.runtime.service("schedule_sync").status() is None and _start_of(bot.core, 2).hour == 15
    await bot.runtime.dispatch_now()
    assert [t for t in bot.sender.texts("alice") if "moved to Sat 12 Dec 15:00" in t] != []


async def test_an_unreachable_or_failing_host_keeps_the_programme(bot: Replica, server: ScheduleServer) -> None:
    server.status = 500
    assert (await bot.runtime.service("schedule_sync").sync_now()).outcome == "failed"  # type: ignore[union-attr]
    assert "HTTP 500" in (bot.runtime.service("schedule_sync").status() or "")
    server.stop()
    assert (await bot.runtime.service("schedule_sync").sync_now()).outcome == "failed"  # type: ignore[union-attr]
    assert "unreachable" in (bot.runtime.service("schedule_sync").status() or "")
    assert len(bot.core.programme.talks) == 5
    await bot.runtime.dispatch_now()
    assert bot.sender.delivered == []  # a network problem is for the operator (logs, /readyz), not a chat


@pytest.mark.parametrize(
    ("moves", "named"),
    [
        ({"t4": "2026-12-12T09:10:00+08:00"}, 'talk 1 "从Linux内核到eBPF" and talk 4 "网络抖动排查" overlap in room'),
        ({"t5": "2026-12-12T10:20:00+08:00"}, "overlap with speaker Alice Wang (alice)"),  # Alice gives talk 2
        ({"t5": "2026-12-20T10:00:00+08:00"}, "outside the conference days (2026-12-12 to 2026-12-13)"),
    ],
)
async def test_a_schedule_with_a_conflict_is_refused_and_the_organizers_are_warned_once(
    bot: Replica, server: ScheduleServer, moves: dict[str, str], named: str
) -> None:
    ask(bot.core, "/subscribe 4", locale="en")
    ask(bot.core, "/subscribe 5", locale="en")
    bad = published(**moves)
    server.publish(bad)
    for _ in range(3):
        result = await bot.runtime.service("schedule_sync").sync_now()
        assert result is not None and result.outcome in ("failed", "unchanged")
    assert named in (bot.runtime.service("schedule_sync").status() or "")
    await bot.runtime.dispatch_now()
    warnings = bot.sender.texts("organizer")
    assert len(warnings) == 1 and named in warnings[0]
    assert bot.sender.texts("alice") == []  # nothing moved for attendees
    assert _start_of(bot.core, 4).day == 13 and _start_of(bot.core, 5).day == 13  # the last good programme


async def test_two_replicas_polling_one_url_notify_each_subscriber_once(
    server: ScheduleServer, db: Database, clock: FakeClock
) -> None:
    first, second = await _replica(server.url, db, clock), await _replica(server.url, db, clock)
    try:
        await first.runtime.service("schedule_sync").sync_now()
        await second.runtime.service("schedule_sync").sync_now()
        ask(first.core, "/subscribe 2", locale="en")
        ask(second.core, "/subscribe 2", who=BOB, locale="en")
        server.publish(published(t2="2026-12-12T15:00:00+08:00"))
        await first.runtime.service("schedule_sync").sync_now()
        await second.runtime.service("schedule_sync").sync_now()
        assert _start_of(first.core, 2).hour == 15 and _start_of(second.core, 2).hour == 15
        await first.runtime.dispatch_now()
        await second.runtime.dispatch_now()
        texts = first.sender.texts() + second.sender.texts()
        assert len([t for t in texts if "moved to" in t]) == 2  # Alice once, Bob once
        assert {a.chat_id for a, _ in first.sender.delivered + second.sender.delivered} == {"alice", "bob"}
    finally:
        await first.runtime.stop()
        await second.runtime.stop()


async def test_a_restart_shows_the_last_good_schedule_even_when_the_host_is_down(
    bot: Replica, server: ScheduleServer, db: Database, clock: FakeClock
) -> None:
    server.publish(published(t2="2026-12-12T15:00:00+08:00"))
    await bot.runtime.service("schedule_sync").sync_now()
    await bot.runtime.dispatch_now()
    assert len(bot.sender.texts("alice")) == 1
    await bot.runtime.stop()
    server.stop()
    again = await _replica(server.url, db, clock)  # built from the content files, as create_core does
    try:
        assert _start_of(again.core, 2).hour == 15  # from the copy in the database
        await again.runtime.dispatch_now()
        assert again.sender.texts("alice") == []  # nothing announced twice after the restart
    finally:
        await again.runtime.stop()


async def test_reload_from_chat_points_to_the_sync_instead_of_reading_the_files(bot: Replica) -> None:
    text = ask(bot.core, "/reload", who=ORGANIZER, locale="en").plain_text
    assert "synced from" in text and "every 5 minutes" in text and "confbot content sync" in text
    assert len(bot.core.programme.talks) == 5


async def test_a_fix_made_on_another_replica_is_taken_up(
    bot: Replica, server: ScheduleServer, db: Database, clock: FakeClock
) -> None:
    other = await _replica(server.url, db, clock)
    try:
        server.publish(published(t4="2026-12-12T09:10:00+08:00"))  # a conflict: refused by both
        await bot.runtime.service("schedule_sync").sync_now()
        await other.runtime.service("schedule_sync").sync_now()
        assert other.runtime.service("schedule_sync").status() is not None
        from bot.features.schedule.sync import ScheduleSync

        forced = await ScheduleSync(bot.core, server.url).poll(force=True)  # `confbot content sync --force`
        assert forced.outcome == "applied"
        await other.runtime.service("schedule_sync").follow_tick()  # the 5-second job takes up the forced copy
        assert _start_of(other.core, 4).hour == 9 and other.runtime.service("schedule_sync").status() is None
    finally:
        await other.runtime.stop()


async def test_a_schedule_that_drops_most_talks_is_refused_like_a_reload(bot: Replica, server: ScheduleServer) -> None:
    data = json.loads(published())
    for day in data["schedule"]["conference"]["days"]:
        for name, events in day["rooms"].items():
            day["rooms"][name] = [e for e in events if e["id"] in (1, 2)]  # a half-written export
    server.publish(json.dumps(data).encode())
    assert (await bot.runtime.service("schedule_sync").sync_now()).outcome == "failed"  # type: ignore[union-attr]
    assert len(bot.core.programme.talks) == 5
    await bot.runtime.dispatch_now()
    (warning,) = bot.sender.texts("organizer")
    assert "would cancel 3 of 5 talks" in warning and "confbot content sync --force" in warning
    assert "content reload" not in warning and bot.sender.texts("alice") == []


async def test_a_pretalx_api_url_is_synced_by_content_with_stable_ids(
    server: ScheduleServer, db: Database, clock: FakeClock
) -> None:
    from tests.programme.content.importers.conftest import ScheduleServer as PretalxApi

    api = PretalxApi(base=server.base)
    url = api.serve_pretalx_api()
    server.routes.update(api.routes)
    replica = await _replica(url, db, clock)
    try:
        first = await replica.runtime.service("schedule_sync").sync_now()
        assert first is not None and first.outcome == "applied", first
        ids = sorted(t.id for t in replica.core.programme.talks)
        assert len(ids) == 3 and replica.core.programme.conference.first_day is not None
        again = await replica.runtime.service("schedule_sync").sync_now()  # the same event again: nothing to apply
        assert again is not None and again.outcome == "unchanged"
        await replica.runtime.stop()
        restarted = await _replica(url, db, clock)  # from the stored copy: the same talk ids
        assert sorted(t.id for t in restarted.core.programme.talks) == ids
        await restarted.runtime.stop()
    finally:
        await replica.runtime.stop()


async def test_confbot_run_polls_at_start_and_then_every_configured_interval(
    server: ScheduleServer, db: Database, clock: FakeClock
) -> None:
    from bot.features.schedule.sync import SYNC_JOB

    settings = Settings(_env_file=None, schedule_url=server.url, schedule_sync_minutes=2)  # type: ignore[call-arg]
    runtime = Runtime(Core(settings, db, small_programme(), clock), {"console": RecordingSender()})
    await runtime.start()
    try:
        job = runtime.scheduler._scheduler.get_job(SYNC_JOB)
        assert job is not None and job.trigger.interval.total_seconds() == 120
        # the first poll is due at start, not one interval in (nothing has awaited since start)
        assert job.next_run_time < datetime.now(job.next_run_time.tzinfo) + job.trigger.interval
        assert runtime.scheduler._scheduler.get_job("confbot.content") is not None  # follows other replicas
    finally:
        await runtime.stop()
