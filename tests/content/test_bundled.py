"""The bundled China eBPF Conference is a sound two-day, two-room draft programme."""

from __future__ import annotations

from itertools import combinations

import pytest

from bot import agenda
from bot.content.loader import load_content
from bot.content.programme import Programme
from bot.settings import BUNDLED_CONTENT


@pytest.fixture(scope="module")
def bundled() -> Programme:
    return load_content(BUNDLED_CONTENT)


def test_two_days_two_rooms_in_shanghai_marked_draft(bundled: Programme) -> None:
    assert len(bundled.days()) == 2 and len(bundled.conference.rooms) == 2
    assert bundled.conference.timezone == "Asia/Shanghai"
    assert bundled.conference.draft and bundled.conference.draft_note and bundled.conference.draft_note_en


def test_every_talk_is_scheduled_translated_tagged_and_tracked(bundled: Programme) -> None:
    assert len(bundled.talks) == 29
    for talk in bundled.talks:
        assert talk.start is not None and talk.room and talk.title_en and talk.tags and talk.tags_zh
        assert talk.start.tzinfo is not None
        assert talk.kind == "keynote" or bundled.track(talk.track) is not None
        assert all(bundled.speaker(s) for s in talk.speakers)


def test_keynotes_open_the_conference_alone(bundled: Programme) -> None:
    keynotes = [t for t in bundled.talks if t.kind == "keynote"]
    assert [t.id for t in keynotes] == [1, 2]
    first_talk = min((t for t in bundled.talks if t.kind != "keynote"), key=lambda t: t.start)
    assert all(k.end <= first_talk.start for k in keynotes)
    for keynote in keynotes:
        assert agenda.parallel(bundled, keynote) == []


def test_no_room_is_double_booked_and_breaks_are_free(bundled: Programme) -> None:
    for a, b in combinations(bundled.talks, 2):
        if a.room == b.room:
            assert not agenda.overlaps(a, b), (a.id, b.id)
    for item in bundled.breaks:
        if item.room is None:
            assert not [t for t in bundled.talks if t.start < item.end and item.start < t.end], item.title


def test_breaks_and_lunch_are_agenda_items(bundled: Programme) -> None:
    kinds = {b.kind for b in bundled.breaks}
    assert {"lunch", "break"} <= kinds
    day1 = agenda.day_items(bundled, bundled.days()[0])
    assert any(getattr(i, "kind", "") == "lunch" for i in day1)
