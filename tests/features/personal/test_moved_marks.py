"""Moved and cancelled talks are visible wherever a talk is listed: /my in time order (by the instant,
also on a replica that read the move back from the database), "moved from 10:00" in /my, /agenda,
/talk and the room view, in both languages; "cancelled" too. The mark follows the schedule first
announced, so it survives the content being edited to match the move, and goes when a talk is back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme, reload_from_path
from bot.settings import Settings
from tests.factories import write_content
from tests.helpers import actions, ask, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("console", "bob", "bob")


@pytest.fixture
def settings_for(tmp_path: Path) -> Settings:
    write_content(tmp_path / "content")
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        organizers=["console:organizer"],
        content=tmp_path / "content",
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
    )


@pytest.fixture
def live(settings_for: Settings, clock: FakeClock) -> Core:
    """A core built like `confbot run` builds it, its schedule announced; Bob stars talks 1, 2 and 3."""
    core = create_core(settings_for, clock)
    apply_programme(core, core.programme)  # what the runtime does at start-up
    ask(core, "/subscribe 1 2 3", who=BOB, locale="en")
    return core


def _confirmed(core: Core, clock: FakeClock, command: str) -> None:
    shown = ask(core, command, who=ORGANIZER, locale="en")
    clock.advance(timedelta(seconds=5))
    press(core, next(a for a in actions(shown) if a.startswith("confirm ")), who=ORGANIZER, locale="en")


def _lines(reply: Reply) -> list[str]:
    return reply.plain_text.splitlines()


def _line_of(reply: Reply, talk_id: int) -> str:
    return next(line for line in _lines(reply) if f"#{talk_id} " in line)


def test_my_agenda_stays_in_time_order_after_a_move_and_says_what_moved(
    live: Core, settings_for: Settings, clock: FakeClock
) -> None:
    _confirmed(live, clock, "/move 1 14:00")  # the 09:00 keynote, to the afternoon of the same day
    # another replica (or this one's watcher a few seconds later) reads the move back from the database
    replica = create_core(settings_for, clock)
    for core in (live, replica):
        mine = ask(core, "/my", who=BOB, locale="en")
        talk_lines = [line for line in _lines(mine) if "#" in line and "–" in line]
        assert [line.split("#")[1].split()[0] for line in talk_lines] == ["2", "3", "1"]  # 10:00, 10:00, 14:00
        assert _line_of(mine, 1).startswith("14:00–14:30 Hall A #1")
        assert "(moved from 09:00)" in _line_of(mine, 1) and "moved" not in _line_of(mine, 2)
    assert "（已从 09:00 调整）" in _line_of(ask(replica, "/my", who=BOB, locale="zh"), 1)


def test_agenda_talk_and_room_views_show_the_mark(live: Core, clock: FakeClock) -> None:
    _confirmed(live, clock, "/move 2 2 15:00 B")  # to another day and room
    agenda = ask(live, "/agenda 2", locale="en")
    assert "(moved from Sat 12 Dec 10:00, Hall A)" in _line_of(agenda, 2)
    card = ask(live, "/talk 2", locale="en").plain_text
    assert "Sun 13 Dec 15:00–15:40" in card and "↪️ Moved from Sat 12 Dec 10:00, Hall A" in card
    assert "↪️ 已从 12月12日 周六 10:00，A厅 调整到此时间" in ask(live, "/talk 2", locale="zh").plain_text
    room = ask(live, "/room B", locale="en")
    assert "(moved from Sat 12 Dec 10:00, Hall A)" in _line_of(room, 2)
    assert "moved" not in _line_of(room, 3)  # talk 3 stayed where it was
    same_day = ask(live, "/move 3 11:00", who=ORGANIZER, locale="en")  # a plain time move, in the room view
    clock.advance(timedelta(seconds=5))
    press(live, next(a for a in actions(same_day) if a.startswith("confirm ")), who=ORGANIZER, locale="en")
    assert "(moved from 10:00)" in _line_of(ask(live, "/room B", locale="en"), 3)


def test_cancelled_talks_say_so_everywhere(live: Core, clock: FakeClock) -> None:
    _confirmed(live, clock, "/cancel 3")
    assert "❌ cancelled" in _line_of(ask(live, "/my", who=BOB, locale="en"), 3)
    assert "❌ 已取消" in _line_of(ask(live, "/my", who=BOB, locale="zh"), 3)
    assert "❌ cancelled" in _line_of(ask(live, "/agenda 1", locale="en"), 3)
    assert "❌ cancelled" in _line_of(ask(live, "/room B", locale="en"), 3)
    assert "❌ This talk is cancelled" in ask(live, "/talk 3", locale="en").plain_text


def test_the_mark_survives_the_content_edited_to_match_and_goes_when_the_talk_is_back(
    live: Core, settings_for: Settings, clock: FakeClock
) -> None:
    _confirmed(live, clock, "/move 2 11:00")
    assert settings_for.content is not None
    write_content(settings_for.content, talk2_start="2026-12-12 11:00")  # the files now say 11:00 too
    reload_from_path(live, settings_for.content)
    assert "(moved from 10:00)" in _line_of(ask(live, "/agenda 1", locale="en"), 2)  # attendees were told 10:00
    _confirmed(live, clock, "/move 2 10:00 force")  # back (beside talk 3, by the same speaker, as first announced)
    assert "moved" not in _line_of(ask(live, "/agenda 1", locale="en"), 2)


def test_a_move_in_the_content_files_alone_is_marked_too(live: Core, settings_for: Settings) -> None:
    assert settings_for.content is not None
    write_content(settings_for.content, talk2_start="2026-12-12 11:00")  # e.g. the live sync of pretalx
    reload_from_path(live, settings_for.content)
    assert "(moved from 10:00)" in _line_of(ask(live, "/my", who=BOB, locale="en"), 2)
