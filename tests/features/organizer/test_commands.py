"""/stats and `confbot stats`: numbers from a database filled through the core, on one page, organizers only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.chat.messages import Address, ReplyBuilder
from bot.chat.pages import paginate
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.sender import SendResult
from bot.features.organizer.commands import stats_lines
from bot.features.organizer.stats import BroadcastOutcome, PlatformUsers, PushCounts, Stats, TalkSubscriptions, collect
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Broadcast, OutboxMessage, Subscription, User
from tests.conftest import SHANGHAI
from tests.factories import write_content as _write_content
from tests.fakes.senders import RecordingSender
from tests.helpers import ask, dispatcher_for

ORGANIZER = Address("console", "organizer", "organizer")


def tg(n: int) -> Address:
    return Address("telegram", str(n), str(n))


def slack(user: str) -> Address:
    return Address("slack", user, f"D{user}")


async def _event_so_far(core: Core, clock: FakeClock) -> None:
    """Five attendees on two platforms star talks; reminders go out (one blocked, one failed, one missed);
    a channel that receives posts exists; two broadcasts have rows in every state."""
    ask(core, "/help", who=ORGANIZER, locale="en")
    stars = {
        tg(1): ("en", [3, 2]),
        tg(2): ("en", [3]),
        tg(3): ("zh-hans", [3, 1]),
        slack("U1"): ("en", [3]),
        slack("U2"): ("zh", [2]),
    }
    for who, (locale, talks) in stars.items():
        for talk in talks:
            ask(core, f"/subscribe {talk}", who=who, locale=locale)
    now = clock.now()
    with core.db.session() as session:  # a group that gets room posts: a users row, never a person
        channel = User(
            platform="telegram",
            platform_user_id="-100777",
            chat_id="-100777",
            language="zh",
            first_seen=now,
            last_seen=now,
            kind="channel",
        )
        session.add(channel)
        session.flush()
        session.add(Subscription(user_id=channel.id, talk_id=1, created_at=now))
    # 09:55: talk 1 (09:00) has started, its reminder is missed; talks 2 and 3 (10:00) are reminded
    clock.set(datetime(2026, 12, 12, 9, 55, tzinfo=SHANGHAI))
    telegram = RecordingSender(platform="telegram", per_chat={"2": SendResult.blocked("403 blocked")})
    slack_sender = RecordingSender(platform="slack", per_chat={"DU1": SendResult.failed("400 bad")})
    await dispatcher_for(core, {"telegram": telegram, "slack": slack_sender}).run_due()
    with core.db.session() as session:
        ids = {u.platform_user_id: u.id for u in session.query(User).all()}
        for number, (status, audience, rows) in enumerate(
            [
                ("done", "all", {"1": "sent", "3": "sent", "U2": "blocked", "U1": "failed"}),
                ("sending", "lang:en", {"1": "pending", "U1": "sending", "2": "cancelled"}),
            ],
            start=1,
        ):
            session.add(
                Broadcast(
                    id=number,
                    created_by="console:organizer",
                    created_at=now + timedelta(minutes=number),
                    text=f"news {number}",
                    audience=audience,
                    recipients=len(rows),
                    status=status,
                )
            )
            for user, state in rows.items():
                key = f"broadcast:{number}"
                outbox.enqueue(
                    session,
                    recipient_id=ids[user],
                    kind="broadcast",
                    key=key,
                    due_at=now,
                    priority=outbox.BULK,
                    now=now,
                )
                session.query(OutboxMessage).filter_by(recipient_id=ids[user], key=key).update({"status": state})
        # the organizer's summary of broadcast 1 is not one of its recipients
        outbox.enqueue(
            session, recipient_id=ids["organizer"], kind="broadcast_done", key="broadcast-done:1", due_at=now, now=now
        )


def _core_on(database: Database, settings: Settings, programme: Programme, clock: FakeClock) -> Core:
    return Core(settings, database, programme, clock)


async def test_stats_count_people_talks_reminders_and_broadcasts(
    any_db: Database, settings: Settings, programme: Programme, clock: FakeClock
) -> None:
    core = _core_on(any_db, settings, programme, clock)
    await _event_so_far(core, clock)
    with any_db.session() as session:
        stats = collect(session, core.programme)

    assert (stats.users, stats.active, stats.blocked) == (6, 5, 1)  # the channel is not a person
    assert stats.platforms == (
        PlatformUsers("telegram", 3, {"en": 2, "zh": 1}),
        PlatformUsers("slack", 2, {"en": 1, "zh": 1}),
        PlatformUsers("console", 1, {"en": 1}),
    )
    ranked = [(t.talk_id, t.subscribers, t.room, t.room_en) for t in stats.talks]
    assert ranked == [(3, 4, "B厅", "Hall B"), (2, 2, "A厅", "Hall A"), (1, 1, "A厅", "Hall A")]  # not the channel's
    assert stats.subscriptions == 7
    # talk 3: tg1, tg3 sent, tg2 blocked, U1 failed; talk 2: tg1, U2 sent; talk 1: tg3 missed
    assert stats.reminders == PushCounts(sent=4, pending=0, failed=1, missed=1, blocked=1)
    newest, oldest = stats.broadcasts
    assert (newest.id, newest.status, newest.audience) == (2, "sending", "lang:en")
    assert (newest.sent, newest.pending, newest.failed, newest.blocked) == (0, 2, 0, 1)
    assert (oldest.sent, oldest.pending, oldest.failed, oldest.blocked) == (2, 0, 1, 1)


async def test_stats_in_chat_and_as_json(
    tmp_path: Path,
    settings: Settings,
    db: Database,
    programme: Programme,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core = _core_on(db, settings, programme, clock)
    await _event_so_far(core, clock)

    text = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
    assert "People: 6 (5 active, 1 blocked the bot)" in text
    assert "· telegram: 3 (en 2 · zh 1)" in text and "· slack: 2 (en 1 · zh 1)" in text
    assert "Subscriptions per talk (7 on 3 talks, times in Asia/Shanghai):" in text
    assert "1. 4 · #3 Observability with eBPF — Hall B · 12-12 10:00" in text
    assert "2. 2 · #2 XDP <fast> & furious — Hall A · 12-12 10:00" in text
    assert "Reminders: 4 sent · 0 pending · 1 missed · 1 failed · 1 blocked" in text
    assert "#2 12-12 08:02 · lang:en · 3 recipients · sending" in text
    assert "#1 12-12 08:01 · all · 4 recipients · done" in text
    assert "   2 sent · 0 pending · 1 failed · 1 blocked" in text
    zh = ask(core, "/stats", who=ORGANIZER, locale="zh").plain_text
    assert "用户：6 人（活跃 5，已屏蔽机器人 1）" in zh and "1. 4 人 · #3 基于eBPF的可观测 — B厅" in zh

    content = tmp_path / "content"
    _write_content(content)  # the same small programme, as files
    monkeypatch.setenv("CONFBOT_CONTENT", str(content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", db.url)
    result = CliRunner().invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["users"], data["active"], data["blocked"]) == (6, 5, 1)
    assert data["platforms"][0] == {"platform": "telegram", "total": 3, "languages": {"en": 2, "zh": 1}}
    assert [(t["talk_id"], t["subscribers"], t["room_en"]) for t in data["talks"]] == [
        (3, 4, "Hall B"),
        (2, 2, "Hall A"),
        (1, 1, "Hall A"),
    ]
    assert data["talks"][0]["start"] == "2026-12-12T02:00:00+00:00"
    assert data["reminders"] == {"sent": 4, "pending": 0, "failed": 1, "missed": 1, "blocked": 1, "unreachable": 0}
    assert [(b["id"], b["sent"], b["pending"], b["failed"], b["blocked"]) for b in data["broadcasts"]] == [
        (2, 0, 2, 0, 1),
        (1, 2, 0, 1, 1),
    ]
    plain = CliRunner().invoke(app, ["stats"])
    assert plain.exit_code == 0 and "1. 4 · #3 Observability with eBPF — Hall B" in plain.output


def test_stats_on_an_empty_database_say_so(core: Core) -> None:
    text = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
    assert "People: 1 (1 active, 0 blocked the bot)" in text  # the organizer asking
    assert "Nobody has starred a talk yet." in text and "Broadcasts: none yet." in text


def test_a_non_organizer_is_refused_stats_and_the_attempt_is_audited(core: Core) -> None:
    refused = ask(core, "/stats", who=tg(1), locale="en").plain_text
    assert refused == "Only conference organizers can use /stats."
    log = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert "telegram:1 · /stats → refused" in log
    ask(core, "/stats", who=ORGANIZER, locale="en")
    assert "console:organizer · /stats → ok" in ask(core, "/audit", who=ORGANIZER, locale="en").plain_text


def test_a_big_event_pages_every_talk_and_broadcast_within_the_page_limits() -> None:
    long_title = "A very long talk title about eBPF, XDP, kernels & observability at scale " * 2
    when = datetime(2026, 12, 12, 2, 0, tzinfo=SHANGHAI)
    talks = tuple(
        TalkSubscriptions(
            n, 500 - n, long_title, long_title, "A", "主会场大厅" * 4, "Main hall " * 6, when, n % 7 == 0, True
        )
        for n in range(1, 121)
    )
    broadcasts = tuple(
        BroadcastOutcome(n, "telegram:1", when, "platform:telegram", "x", 10_000, "done", when, 9990, 0, 3, 7)
        for n in range(30, 0, -1)
    )
    platforms = tuple(PlatformUsers(p, 10_000, {"zh": 6_000, "en": 4_000}) for p in ("telegram", "slack", "console"))
    stats = Stats(30_000, 29_000, 1_000, platforms, 10_000, talks, PushCounts(9, 9, 9, 9, 9), broadcasts)
    for lang in ("en", "zh"):
        lines = stats_lines(stats, lang, SHANGHAI, top_talks=None, top_broadcasts=None, top_misses=10)
        pages = paginate(lines)
        assert len(pages) > 1  # paged, not cut: /stats 2, /stats 3 …
        text = "\n".join(ReplyBuilder(page).build().plain_text for page in pages)
        assert all(f"#{n} " in text for n in range(1, 121))  # every talk, by rank
        assert all(f"#{n}" in text for n in range(1, 31))  # every broadcast
        assert "more talks" not in text and "另有" not in text
