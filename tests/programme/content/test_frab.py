"""A hand-written c3voc schedule.json imports with its ids, zones, rooms and Chinese speakers."""

from __future__ import annotations

import json
from pathlib import Path

from bot.programme.content.importers import ScheduleError, load_schedule
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.programme.content.yamlio import dump_content

SCHEDULE = {
    "schedule": {
        "version": "1",
        "conference": {
            "acronym": "demo",
            "title": "Demo Conf",
            "time_zone_name": "Asia/Shanghai",
            "days": [
                {
                    "index": 1,
                    "date": "2026-12-12",
                    "rooms": {
                        "主会场": [
                            {
                                "id": 7,
                                "date": "2026-12-12T09:00:00+08:00",
                                "duration": "00:45",
                                "title": "开场 & 主题演讲",
                                "track": "Keynote",
                                "persons": [{"public_name": "陈莉君"}],
                                "links": [],
                            },
                            {
                                "id": "abc",
                                "date": "2026-12-12T10:00:00+08:00",
                                "duration": "0:30",
                                "title": "XDP 实战",
                                "track": "Networking",
                                "persons": [{"public_name": "陈莉君"}, {"public_name": "Alice Smith"}],
                            },
                        ],
                        "Room B": [
                            {
                                "id": 7,
                                "date": "2026-12-12T10:00:00+08:00",
                                "duration": "01:00",
                                "title": "Tracing",
                                "persons": [],
                            },
                        ],
                    },
                }
            ],
        },
    }
}


def test_c3voc_json_keeps_numeric_ids_numbers_others_and_slugs_chinese_names() -> None:
    programme = Programme.from_content(load_schedule(json.dumps(SCHEDULE).encode(), "demo.json"))
    ids = sorted(t.id for t in programme.talks)
    assert ids == [1, 2, 7]  # the numeric id kept; the others (no id, a clash) get the first free short ones
    opening = programme.talk(7)
    assert opening is not None and opening.title == "开场 & 主题演讲"
    assert opening.start is not None and opening.start.isoformat() == "2026-12-12T09:00:00+08:00"
    assert opening.end is not None and opening.end.isoformat() == "2026-12-12T09:45:00+08:00"
    assert sorted(programme.speakers) == ["alice-smith", "chenlijun"]
    assert {r.name for r in programme.conference.rooms} == {"主会场", "Room B"}
    assert programme.conference.timezone == "Asia/Shanghai"


def test_imported_schedule_written_as_yaml_loads_back_unchanged(tmp_path: Path) -> None:
    content = load_schedule(json.dumps(SCHEDULE).encode(), "demo.json")
    dump_content(content, tmp_path)
    text = (tmp_path / "talks.yaml").read_text(encoding="utf-8")
    assert "2026-12-12 09:00" in text and "开场 & 主题演讲" in text
    loaded = load_content(tmp_path)
    direct = Programme.from_content(content)
    assert [(t.id, t.title, t.start, t.end, t.room, t.speakers) for t in loaded.talks] == [
        (t.id, t.title, t.start, t.end, t.room, t.speakers) for t in direct.talks
    ]


def test_not_a_schedule_is_a_clear_error() -> None:
    try:
        load_schedule(json.dumps({"hello": 1}).encode(), "hello.json")
    except ScheduleError as exc:
        assert "hello.json" in str(exc) and "schedule.conference" in str(exc) and "found hello" in str(exc)
    else:
        raise AssertionError("expected a ScheduleError")
