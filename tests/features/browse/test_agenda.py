"""Browsing: /agenda, /now, /next, /tracks, /track, /rooms, /room, /parallel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content
from bot.settings import BUNDLED_CONTENT
from tests.conftest import SHANGHAI
from tests.helpers import actions, ask, press


def test_agenda_lists_both_days_with_times_and_zone(core: Core) -> None:
    text = ask(core, "/agenda", locale="en").plain_text
    assert "Day 1" in text and "Day 2" in text and "(UTC+8)" in text
    assert text.index("#1") < text.index("#2") < text.index("#4")
    assert "12:00–13:00 Lunch" in text


def test_agenda_for_one_day_and_day_buttons(core: Core) -> None:
    reply = ask(core, "/agenda 2", locale="en")
    assert "#4" in reply.plain_text and "#1" not in reply.plain_text
    assert {"agenda 1", "agenda 2", "agenda all"} <= set(actions(reply))


def test_agenda_accepts_dates_and_words(core: Core) -> None:
    assert "#4" in ask(core, "/agenda 2026-12-13").plain_text
    assert "#4" in ask(core, "/agenda 12-13").plain_text
    assert "#1" in ask(core, "/agenda today").plain_text  # the clock is on day 1
    assert "#4" in ask(core, "/agenda 第2天").plain_text


@pytest.mark.parametrize(
    "day",
    ["明天", "第二天", "周日", "星期天", "12月13日", "13号", "sunday", "Sun", "tomorrow", "day 2", "Day two", "Dec 13"],
)
def test_agenda_takes_natural_days(core: Core, day: str) -> None:  # the clock is on day 1, Saturday 12 Dec
    text = ask(core, f"/agenda {day}", locale="en").plain_text
    assert "Day 2 · Sun 13 Dec" in text and "#4" in text and "Day 1" not in text


def test_relative_days_follow_the_bots_clock_in_the_events_time_zone(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 17, 30, tzinfo=UTC))  # still the 12th in UTC, already the 13th in Shanghai
    assert "Day 2 · Sun 13 Dec" in ask(core, "/agenda 今天", locale="en").plain_text
    assert "Day 1 · Sat 12 Dec" in ask(core, "/agenda yesterday", locale="en").plain_text
    assert "There is no day tomorrow" in ask(core, "/agenda tomorrow", locale="en").plain_text


def test_a_natural_day_keeps_its_page_number(core: Core, programme) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import crowded_programme

    core.replace_programme(crowded_programme())
    first = ask(core, "/agenda day 1", locale="en")
    assert "page 1/" in first.plain_text
    assert "page 2/" in ask(core, "/agenda day 1 2", locale="en").plain_text
    assert "page 2/" in ask(core, "/agenda 第一天 2", locale="en").plain_text


def test_bad_day_names_the_valid_range(core: Core) -> None:
    text = ask(core, "/agenda 7", locale="en").plain_text
    assert "no day 7" in text and "/agenda 1" in text and "/agenda 2" in text


def test_day_button_edits_in_place(core: Core) -> None:
    reply = press(core, "agenda 2")
    assert reply.edit and "#4" in reply.plain_text


def test_now_shows_what_is_on_and_next_in_each_room(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 10, 5, tzinfo=SHANGHAI))
    text = ask(core, "/now", locale="en").plain_text
    hall_a, _, hall_b = text.partition("📍 Hall B")
    assert "📍 Hall A" in hall_a and "▶ 10:00–10:40 #2" in hall_a and "⏭ 12:00–13:00 Lunch" in hall_a
    assert "⏭ Sun 13 Dec 10:00–10:40 #4" in hall_a  # the next talk after lunch
    assert "▶ 10:00–10:40 #3" in hall_b and "⏭ Sun 13 Dec 11:00–11:40 #5" in hall_b
    assert {"talk 2", "talk 3", "talk 4", "talk 5"} <= set(actions(ask(core, "/now")))


def test_next_near_the_end_names_the_running_talk_and_the_closing(core: Core, clock: FakeClock) -> None:
    core.replace_programme(load_content(BUNDLED_CONTENT))
    clock.set(datetime(2026, 12, 13, 14, 55, tzinfo=SHANGHAI))  # #23 runs until 15:30, the closing is at 15:40
    reply = ask(core, "/next", locale="en")
    assert "over" not in reply.plain_text
    assert "15:40–16:10 Main Hall Closing and group photo" in reply.plain_text
    assert "Still running" in reply.plain_text and "#23" in reply.plain_text and "talk 23" in actions(reply)
    clock.set(datetime(2026, 12, 13, 15, 35, tzinfo=SHANGHAI))  # between the last talk and the closing
    assert "over" not in ask(core, "/now", locale="en").plain_text
    assert "Closing" in ask(core, "/next", locale="en").plain_text
    clock.set(datetime(2026, 12, 13, 16, 10, tzinfo=SHANGHAI))
    assert "over" in ask(core, "/next", locale="en").plain_text and "over" in ask(core, "/now", locale="en").plain_text


def test_room_shows_what_is_on_there_and_up_next(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 10, 5, tzinfo=SHANGHAI))
    reply = ask(core, "/room A", locale="en")
    head, _, listing = reply.plain_text.partition("Full programme")
    assert "On now:\n10:00–10:40 #2" in head
    assert "Up next in this room:\n12:00–13:00 Lunch\nSun 13 Dec 10:00–10:40 #4" in head
    assert "#1 From the Linux kernel to eBPF (ended)" in listing and "#2 XDP <fast> & furious —" in listing
    assert actions(reply)[:2] == ["talk 2", "talk 4"]
    clock.set(datetime(2026, 12, 13, 11, 0, tzinfo=SHANGHAI))
    text = ask(core, "/room A", locale="en").plain_text
    assert "Nothing on in this room right now" in text and "Nothing more in this room" in text


def test_agenda_marks_what_is_over(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 10, 5, tzinfo=SHANGHAI))
    text = ask(core, "/agenda today", locale="en").plain_text
    assert "#1 From the Linux kernel to eBPF (ended)" in text
    assert "#2 XDP <fast> & furious — " in text  # running: not over
    assert "已结束" in ask(core, "/agenda today", locale="zh").plain_text


@pytest.mark.parametrize("command", ["/agenda", "/agenda 2", "/track net", "/room B"])
def test_listed_talks_have_buttons_that_open_them(core: Core, command: str) -> None:
    reply = ask(core, command, locale="en")
    listed = {int(word[1:]) for word in reply.plain_text.split() if word[:1] == "#" and word[1:].isdigit()}
    assert listed and {a for a in actions(reply) if a.startswith("talk ")} == {f"talk {i}" for i in listed}
    opened = press(core, f"talk {min(listed)}", locale="en")
    assert f"#{min(listed)}" in opened.plain_text


def test_now_before_and_after_the_event(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 7, 0, tzinfo=SHANGHAI))
    assert "starts on Sat 12 Dec at 09:00 (UTC+8), in 2 hours." in ask(core, "/now", locale="en").plain_text
    clock.set(datetime(2026, 12, 12, 9, 45, tzinfo=SHANGHAI))  # between talks
    assert "Nothing is running" in ask(core, "/now", locale="en").plain_text
    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=SHANGHAI))
    assert "over" in ask(core, "/now", locale="en").plain_text


def test_lunch_is_shown_as_running(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 12, 30, tzinfo=SHANGHAI))
    assert "Lunch" in ask(core, "/now", locale="en").plain_text


def test_next_gives_the_coming_slot_with_buttons(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 9, 10, tzinfo=SHANGHAI))
    reply = ask(core, "/next", locale="en")
    assert "#2" in reply.plain_text and "#3" in reply.plain_text
    assert "talk 2" in actions(reply)


def test_tracks_and_one_track(core: Core) -> None:
    reply = ask(core, "/tracks", locale="en")
    assert "Networking (2 talks)" in reply.plain_text
    assert "track net" in actions(reply)
    text = ask(core, "/track Networking", locale="en").plain_text
    assert "#2" in text and "#4" in text and "#3" not in text


def test_rooms_and_one_room(core: Core) -> None:
    assert "room B" in actions(ask(core, "/rooms"))
    text = ask(core, "/room b").plain_text
    assert "#3" in text and "#5" in text and "#2" not in text


def test_parallel_talks(core: Core) -> None:
    reply = ask(core, "/parallel 2", locale="en")
    assert "#3" in reply.plain_text and "#4" not in reply.plain_text
    assert "alongside #1" in ask(core, "/parallel 1", locale="en").plain_text


def test_long_agenda_is_paged_within_limits(core: Core, programme) -> None:  # type: ignore[no-untyped-def]
    from bot.programme.content.programme import Programme
    from bot.programme.content.schema import Talk
    from tests.factories import small_content

    content = small_content()
    many = [
        Talk(
            id=100 + i,
            title="很长的标题" * 12,
            room="A" if i % 2 else "B",
            start=f"2026-12-12 {8 + i // 12:02d}:{(i % 12) * 5:02d}",
            duration=5,
            speakers=["alice"],
        )
        for i in range(120)
    ]
    core.replace_programme(Programme.from_content(content.model_copy(update={"talks": [*content.talks, *many]})))
    first = ask(core, "/agenda 1", locale="en")
    assert len(first.plain_text) < 3500 and len(first.lines) <= 45
    assert "agenda 1 2" in actions(first)
    second = press(core, "agenda 1 2", locale="en")
    assert "page 2/" in second.plain_text and "agenda 1 1" in actions(second)
    assert second.plain_text != first.plain_text
