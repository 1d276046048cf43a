"""Small content built in code, for tests that don't need the bundled conference."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.clock import FakeClock
from bot.delivery import outbox
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Break, Conference, ContentFile, Room, Speaker, Talk, Track
from bot.storage.db import Database
from bot.storage.models import User


def small_content() -> ContentFile:
    """Two days, two rooms, five talks (one with HTML-like characters), lunch."""
    conf = Conference(
        id="testconf",
        name="测试大会",
        name_en="Test Conference",
        timezone="Asia/Shanghai",
        rooms=[Room(id="A", name="A厅", name_en="Hall A"), Room(id="B", name="B厅", name_en="Hall B")],
        tracks=[
            Track(id="net", name="网络", name_en="Networking"),
            Track(id="obs", name="可观测", name_en="Observability"),
        ],
    )
    speakers = [
        Speaker(id="chenlijun", name="陈莉君", name_en="Chen Lijun", affiliation="西安邮电大学", bio="Linux内核专家"),
        Speaker(id="alice", name="Alice Wang", affiliation="Example Corp", bio="XDP hacker"),
    ]
    talks = [
        Talk(
            id=1,
            kind="keynote",
            title="从Linux内核到eBPF",
            title_en="From the Linux kernel to eBPF",
            speakers=["chenlijun"],
            room="A",
            start="2026-12-12 09:00",
            duration=30,
            tags=["kernel"],
            tags_zh=["内核"],
        ),
        Talk(
            id=2,
            title="XDP <fast> & furious",
            title_en="XDP <fast> & furious",
            abstract="Packets & <b>bold</b> claims",
            speakers=["alice"],
            track="net",
            room="A",
            start="2026-12-12 10:00",
            duration=40,
            tags=["networking", "XDP"],
            tags_zh=["网络"],
        ),
        Talk(
            id=3,
            title="基于eBPF的可观测",
            title_en="Observability with eBPF",
            speakers=["alice"],
            track="obs",
            room="B",
            start="2026-12-12 10:00",
            duration=40,
            tags=["observability"],
            tags_zh=["可观测"],
        ),
        Talk(
            id=4,
            title="网络抖动排查",
            title_en="Hunting network jitter",
            speakers=["chenlijun"],
            track="net",
            room="A",
            start="2026-12-13 10:00",
            duration=40,
            tags=["networking"],
            tags_zh=["网络"],
        ),
        Talk(
            id=5,
            title="调度器观测",
            title_en="Watching the scheduler",
            speakers=["alice"],
            track="obs",
            room="B",
            start="2026-12-13 11:00",
            duration=40,
            tags=["scheduling"],
            tags_zh=["调度"],
        ),
    ]
    breaks = [Break(title="午餐", title_en="Lunch", kind="lunch", start="2026-12-12 12:00", duration=60)]
    return ContentFile(conference=conf, speakers=speakers, talks=talks, breaks=breaks)


def small_programme() -> Programme:
    """:func:`small_content` indexed."""
    return Programme.from_content(small_content())


def seed_due_reminders(db: Database, clock: FakeClock, programme: Programme, n: int, *, first_id: int = 0) -> None:
    """``n`` Telegram users (ids from ``first_id``), each with a reminder of talk 2 that is due now."""
    talk = programme.talk(2)
    assert talk is not None and talk.start is not None
    with db.session() as s:
        users = [
            User(
                platform="telegram",
                platform_user_id=str(first_id + i),
                chat_id=str(first_id + i),
                language="en",
                first_seen=clock.now(),
                last_seen=clock.now(),
            )
            for i in range(n)
        ]
        s.add_all(users)
        s.flush()
        for user in users:
            outbox.enqueue(
                s,
                recipient_id=user.id,
                kind="reminder",
                key=f"reminder:2:{talk.start.isoformat()}",
                due_at=clock.now() - timedelta(seconds=1),
                payload={"talk": 2},
                expires_at=talk.start,
                now=clock.now(),
            )


def crowded_programme(count: int = 120) -> Programme:
    """:func:`small_content` plus ``count`` five-minute talks with long titles on day 1 (many pages)."""
    content = small_content()
    many = [
        Talk(
            id=100 + i,
            title="很长的标题" * 12 if i % 2 else "A rather long English title about eBPF " * 3,
            room="A" if i % 2 else "B",
            track="net",
            start=f"2026-12-12 {8 + i // 12:02d}:{(i % 12) * 5:02d}",
            duration=5,
            speakers=["alice"],
        )
        for i in range(count)
    ]
    return Programme.from_content(content.model_copy(update={"talks": [*content.talks, *many]}))


def add_people(
    session: Session,
    count: int,
    now: datetime,
    *,
    first: int,
    platform: str = "telegram",
    language: Callable[[int], str] = lambda chat: "en",
) -> list[int]:
    """``count`` people who have used the bot (chat ids ``first``, ``first + 1``, …, each in
    ``language(chat id)``), in one INSERT; their chat ids."""
    ids = list(range(first, first + count))
    rows = [
        {
            "platform": platform,
            "platform_user_id": str(i),
            "chat_id": str(i),
            "language": language(i),
            "language_set": False,
            "first_seen": now,
            "last_seen": now,
            "active": True,
            "reminders_on": True,
            "lead_minutes": 10,
            "kind": "person",
        }
        for i in ids
    ]
    session.execute(insert(User), rows)
    return ids


def content_data(talk2_start: str = "2026-12-12 10:00") -> dict[str, Any]:
    """:func:`small_content` as it is written in YAML (local times, durations)."""
    data = small_content().model_dump(mode="json", exclude_none=True)
    for talk in data["talks"]:
        talk.pop("end", None)
        talk["start"] = talk["start"][:16].replace("T", " ")
        talk["duration"] = 40 if talk["id"] != 1 else 30
        if talk["id"] == 2:
            talk["start"] = talk2_start
    for item in data["breaks"]:
        item.pop("end", None)
        item["start"], item["duration"] = item["start"][:16].replace("T", " "), 60
    return data


def write_content(directory: Path, talk2_start: str = "2026-12-12 10:00") -> None:
    directory.mkdir(exist_ok=True)
    (directory / "content.yaml").write_text(
        yaml.safe_dump(content_data(talk2_start), allow_unicode=True), encoding="utf-8"
    )
