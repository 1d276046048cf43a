"""/subscribe, /unsubscribe, /my, /remind, /ics as an attendee uses them."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import OutboxMessage
from tests.conftest import SHANGHAI
from tests.helpers import actions, ask, press


def _pending(core: Core) -> list[OutboxMessage]:
    with core.db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")))


def test_subscribe_plans_one_reminder_ten_minutes_before(core: Core) -> None:
    text = ask(core, "/subscribe 2", locale="en").plain_text
    assert "Subscribed to #2" in text and "10 minutes" in text
    ask(core, "/subscribe 2")
    rows = _pending(core)
    assert len(rows) == 1
    talk = core.programme.talk(2)
    lead = talk.start - rows[0].due_at
    assert timedelta(minutes=10) < lead <= timedelta(minutes=10, seconds=1)  # 1 s fan-out margin
    assert "already" in ask(core, "/subscribe 2", locale="en").plain_text


def test_toggle_button_edits_the_card_in_place(core: Core) -> None:
    card = ask(core, "/talk 3")
    assert "sub 3" in actions(card)
    pressed = press(core, "sub 3", locale="en")
    assert pressed.edit and "unsub 3" in actions(pressed) and pressed.notice == "Subscribed"
    back = press(core, "unsub 3", locale="en")
    assert back.edit and "sub 3" in actions(back) and back.notice == "Unsubscribed"
    assert _pending(core) == []


def test_my_lists_in_time_order_and_flags_clashes(core: Core) -> None:
    for talk_id in (4, 3, 2):
        ask(core, f"/subscribe {talk_id}")
    text = ask(core, "/my", locale="en").plain_text
    assert text.index("#2") < text.index("#3") < text.index("#4")
    assert "Clash: #2 overlaps #3" in text and "#4" not in text.split("Clash")[1]


def test_my_when_empty_explains_how(core: Core) -> None:
    assert "Remind me" in ask(core, "/my", locale="en").plain_text


def test_remind_bounds_and_words(core: Core) -> None:
    for bad in ("0", "121", "500", "abc", "-5", "9999999999"):
        assert "1" in ask(core, f"/remind {bad}", locale="en").plain_text
    assert len(_pending(core)) == 0
    ask(core, "/subscribe 2")
    assert "30 minutes" in ask(core, "/remind 30", locale="en").plain_text
    (row,) = _pending(core)
    assert 30 * 60 < (core.programme.talk(2).start - row.due_at).total_seconds() <= 30 * 60 + 1
    assert "off" in ask(core, "/remind off", locale="en").plain_text
    assert _pending(core) == []
    ask(core, "/remind on")
    assert len(_pending(core)) == 1


def test_unknown_and_cancelled_talks_are_refused(core: Core) -> None:
    assert "no talk 99" in ask(core, "/subscribe 99", locale="en").plain_text
    assert "Usage" in ask(core, "/subscribe", locale="en").plain_text
    assert "not subscribed" in ask(core, "/unsubscribe 2", locale="en").plain_text


def test_ics_has_stable_uids_and_only_my_talks(core: Core) -> None:
    ask(core, "/subscribe 2")
    ask(core, "/subscribe 4")
    first = ask(core, "/ics", locale="en").attachment
    second = ask(core, "/ics", locale="en").attachment
    assert first is not None and second is not None and first.filename.endswith(".ics")
    cal = Calendar.from_ical(first.content)
    uids = sorted(str(e["uid"]) for e in cal.walk("VEVENT"))
    assert uids == ["talk-2@testconf", "talk-4@testconf"]
    assert uids == sorted(str(e["uid"]) for e in Calendar.from_ical(second.content).walk("VEVENT"))
    event = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == "talk-2@testconf")
    assert event.decoded("dtstart") == core.programme.talk(2).start


def test_my_marks_ended_talks(core: Core, clock: FakeClock) -> None:
    for talk_id in (1, 4):
        ask(core, f"/subscribe {talk_id}")
    clock.set(datetime(2026, 12, 12, 10, 0, tzinfo=SHANGHAI))
    text = ask(core, "/my", locale="en").plain_text
    assert "#1 From the Linux kernel to eBPF (ended)" in text and "#4 Hunting network jitter —" in text
    assert "已结束" in ask(core, "/my", locale="zh").plain_text


def test_subscribing_to_an_ended_or_running_talk_promises_no_reminder(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 12, 10, 5, tzinfo=SHANGHAI))
    ended = ask(core, "/subscribe 1", locale="en").plain_text
    assert "Subscribed to #1" in ended and "already ended" in ended and "remind you" not in ended
    running = ask(core, "/subscribe 2", locale="en").plain_text
    assert "already started" in running and "remind you" not in running
    assert press(core, "sub 3", locale="en").notice == "Subscribed (started: no reminder) ⚠️ clashes with #2"
    assert _pending(core) == []
    assert "remind you 10 minutes" in ask(core, "/subscribe 4", locale="en").plain_text
