"""The indexed timeline answers exactly as a scan of every item would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.programme import queries as agenda
from bot.programme.content.loader import load_content
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.settings import BUNDLED_CONTENT
from tests.factories import crowded_programme, small_programme


@pytest.mark.parametrize("make", [small_programme, crowded_programme, lambda: load_content(BUNDLED_CONTENT)])
def test_now_next_and_over_match_a_full_scan(make) -> None:  # type: ignore[no-untyped-def]
    programme: Programme = make()
    items = [i for i in (*programme.talks, *programme.breaks) if i.start and i.end]
    live = [i for i in items if not (isinstance(i, Talk) and i.cancelled)]
    first = min(i.start for i in live if i.start) - timedelta(minutes=30)
    last = max(i.end for i in live if i.end) + timedelta(minutes=30)
    at = first
    while at <= last:
        on = {id(i) for i in live if i.start and i.end and i.start <= at < i.end}
        assert {id(i) for i in agenda.running(programme, at)} == on
        assert agenda.is_over(programme, at) == all(i.end and i.end <= at for i in live)
        for room in programme.conference.rooms:
            state = agenda.room_state(programme, room.id, at)
            here = [i for i in live if i.room in (room.id, None)]
            assert (id(state.current) in on) if state.current else not any(id(i) in on for i in here)
            later = [i.start for i in here if i.start and i.start > at]
            assert (state.next.start if state.next else None) == (min(later) if later else None)
        at += timedelta(minutes=5)


@pytest.mark.parametrize("make", [small_programme, crowded_programme, lambda: load_content(BUNDLED_CONTENT)])
def test_days_tracks_rooms_and_parallel_match_a_full_scan(make) -> None:  # type: ignore[no-untyped-def]
    programme: Programme = make()
    tz = programme.tz
    for day in programme.days():
        scanned = [
            i
            for i in (*programme.talks, *programme.breaks)
            if i.start and i.end and i.start.astimezone(tz).date() == day
        ]
        assert sorted(map(id, agenda.day_items(programme, day))) == sorted(map(id, scanned))
        starts = [i.start for i in agenda.day_items(programme, day)]
        assert starts == sorted(starts)  # type: ignore[type-var]
    for track in programme.conference.tracks:
        assert agenda.by_track(programme, track.id) == [t for t in programme.talks if t.track == track.id]
    for room in programme.conference.rooms:
        assert agenda.by_room(programme, room.id) == [t for t in programme.talks if t.room == room.id]
    for talk in programme.talks:
        expected = [o for o in programme.talks if o.id != talk.id and not o.cancelled and agenda.overlaps(talk, o)]
        assert sorted(t.id for t in agenda.parallel(programme, talk)) == sorted(t.id for t in expected)
