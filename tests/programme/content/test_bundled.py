"""The bundled China eBPF Conference is a sound two-day, two-room draft programme."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from bot.programme import queries as agenda
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT


@pytest.fixture(scope="module")
def bundled() -> Programme:
    return load_content(BUNDLED_CONTENT)


def test_two_days_two_rooms_in_shanghai_marked_draft(bundled: Programme) -> None:
    assert len(bundled.days()) == 2 and len(bundled.conference.rooms) == 2
    assert bundled.conference.timezone == "Asia/Shanghai"
    assert bundled.conference.draft and bundled.conference.draft_note and bundled.conference.draft_note_en


def test_the_draft_note_speaks_to_attendees_not_organizers(bundled: Programme) -> None:
    conf = bundled.conference
    assert conf.draft_note and conf.draft_note_en
    assert "may still change" in conf.draft_note_en and "organizer" not in conf.draft_note_en.lower()
    assert "组织者" not in conf.draft_note and "征集" not in conf.draft_note


def test_registration_opens_when_the_venue_notes_say(bundled: Programme) -> None:
    venue = bundled.conference.venue
    assert venue is not None and venue.registration and venue.registration_en
    opens = {
        item.start.astimezone(bundled.tz).strftime("%H:%M")
        for item in bundled.breaks
        if item.kind == "registration" and item.start is not None
    }
    assert len(bundled.days()) == len([i for i in bundled.breaks if i.kind == "registration"])  # one a day
    assert (
        opens
        == set(re.findall(r"\d\d:\d\d", venue.registration))
        == set(re.findall(r"\d\d:\d\d", venue.registration_en))
    )


def test_every_talk_is_scheduled_translated_tagged_and_tracked(bundled: Programme) -> None:
    assert len(bundled.talks) == 29
    for talk in bundled.talks:
        assert talk.start is not None and talk.room and talk.title_en and talk.tags and talk.tags_zh
        assert talk.start.tzinfo is not None
        assert bundled.track(talk.track) is not None and bundled.room(talk.room) is not None
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


def test_three_to_five_bilingual_tracks_each_kept_to_one_talk_at_a_time(bundled: Programme) -> None:
    tracks = bundled.conference.tracks
    assert 3 <= len(tracks) <= 5
    assert all(tr.name and tr.name_en for tr in (*tracks, *bundled.conference.rooms))
    for track in tracks:
        talks = agenda.by_track(bundled, track.id)
        assert len(talks) >= 3, track.id
        for a, b in combinations(talks, 2):  # someone following a track can attend all of it
            assert not agenda.overlaps(a, b), (track.id, a.id, b.id)


def test_talk_slots_are_30_to_40_minutes_within_each_day(bundled: Programme) -> None:
    for talk in bundled.talks:
        assert 30 <= (talk.end - talk.start).total_seconds() / 60 <= 40, talk.id
        local_start, local_end = talk.start.astimezone(bundled.tz), talk.end.astimezone(bundled.tz)
        assert local_start.date() == local_end.date() and local_start.hour >= 8 and local_end.hour < 19


def test_each_day_opens_with_registration_and_the_conference_ends_with_a_closing(bundled: Programme) -> None:
    for day in bundled.days():
        first = agenda.day_items(bundled, day)[0]
        assert getattr(first, "kind", None) == "registration" and first.room is None
    last = agenda.day_items(bundled, bundled.days()[-1])[-1]
    assert last.kind == "other" and "闭幕" in last.title and last.title_en
    assert all(t.end <= last.start for t in bundled.talks)
