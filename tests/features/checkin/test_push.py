"""Speaker check-in: asked an hour before, escalated at 30 minutes to the room hosts and at 15 to the
organizers, once each and never after a check-in; moves and cancellations re-plan the asks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.features.checkin.push import plan_due
from bot.features.schedule.changes import apply_programme
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.conftest import SHANGHAI
from tests.factories import small_content
from tests.fakes.senders import RecordingSender
from tests.helpers import actions, ask, dispatcher_for, press

CHEN = Address("console", "chen", "chen")  # linked to speaker chenlijun (talk 1, room A, 09:00)
HOST = Address("console", "host", "host")  # hosts room A
ORGANIZER = Address("console", "organizer", "organizer")
ALICE = Address("console", "alice", "alice")  # an attendee
TALK1 = datetime(2026, 12, 12, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def core(db: Database, programme: Programme, clock: FakeClock) -> Core:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        organizers=["console:organizer"],
        speakers=["chenlijun=console:chen", "alice=console:alice-speaker"],
        room_hosts=["A=console:host"],
    )
    core = Core(settings, db, programme, clock)
    for who in (CHEN, HOST, ORGANIZER, ALICE):
        core.handle(Request(who, text="/help", locale="en"))  # each has written to the bot once, in English
    return core


async def _at(core: Core, clock: FakeClock, sender: RecordingSender, when: datetime) -> None:
    """The clock reaches ``when``: the minute job plans, the dispatcher sends what is due."""
    clock.set(when)
    plan_due(core)
    await dispatcher_for(core, {"console": sender}).run_due()


def _edited(**changes: dict[str, object]) -> Programme:
    content = small_content()
    talks = [t.model_copy(update=changes.get(str(t.id), {})) for t in content.talks]
    return Programme.from_content(content.model_copy(update={"talks": talks}))


async def test_a_speaker_who_does_not_check_in_escalates_to_hosts_then_organizers_once_each(
    core: Core, clock: FakeClock
) -> None:
    sender = RecordingSender()
    await _at(core, clock, sender, TALK1 - timedelta(minutes=61))
    assert sender.delivered == []
    await _at(core, clock, sender, TALK1 - timedelta(minutes=60))
    (ask_to, ask_reply) = sender.delivered[0]
    assert ask_to.chat_id == "chen" and len(sender.delivered) == 1
    assert "Time to check in for your talk" in ask_reply.plain_text
    assert "#1 From the Linux kernel to eBPF" in ask_reply.plain_text
    assert "09:00 (UTC+8) in Hall A" in ask_reply.plain_text
    assert actions(ask_reply) == ["checkin 1"]

    await _at(core, clock, sender, TALK1 - timedelta(minutes=31))
    assert sender.texts("host") == []
    await _at(core, clock, sender, TALK1 - timedelta(minutes=30))
    (told,) = sender.texts("host")
    assert "Not checked in yet: Chen Lijun (陈莉君)" in told and "(in 30 min)" in told
    assert sender.texts("organizer") == []
    await _at(core, clock, sender, TALK1 - timedelta(minutes=15))
    (told,) = sender.texts("organizer")
    assert "Not checked in yet: Chen Lijun (陈莉君)" in told and "(in 15 min)" in told
    for minutes in (14, 5, 1):  # the job runs on, and a restarted bot plans again: nothing more
        restarted = Core(core.settings, core.db, core.programme, clock)
        await _at(restarted, clock, sender, TALK1 - timedelta(minutes=minutes))
    assert [a.chat_id for a, _ in sender.delivered] == ["chen", "host", "organizer"]


async def test_a_check_in_after_the_ask_stops_both_escalations(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    await _at(core, clock, sender, TALK1 - timedelta(minutes=60))
    clock.set(TALK1 - timedelta(minutes=52))
    done = press(core, "checkin 1", who=CHEN)
    assert "Checked in for #1 at 08:08" in done.plain_text and done.edit  # the ask becomes the answer
    assert "See you in Hall A at 09:00" in done.plain_text
    again = ask(core, "/checkin 1", who=CHEN)
    assert "Checked in for #1 at 08:08" in again.plain_text  # the first time stands
    for minutes in (30, 15, 5):
        await _at(core, clock, sender, TALK1 - timedelta(minutes=minutes))
    assert [a.chat_id for a, _ in sender.delivered] == ["chen"]


async def test_a_check_in_before_the_ask_means_no_ask_and_no_escalation(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    clock.set(TALK1 - timedelta(hours=3))  # early at the venue, before anything was planned
    assert "Checked in for #1 at 06:00" in ask(core, "/checkin 1", who=CHEN).plain_text
    for minutes in (60, 30, 15):
        await _at(core, clock, sender, TALK1 - timedelta(minutes=minutes))
    assert sender.delivered == []


async def test_only_the_talks_linked_speakers_can_check_in(core: Core, clock: FakeClock) -> None:
    assert "You are not a linked speaker of #1" in ask(core, "/checkin 1", who=ALICE).plain_text
    assert "Usage: /checkin <id>" in ask(core, "/checkin", who=CHEN).plain_text
    clock.set(TALK1 + timedelta(hours=1))
    assert "#1 is already over" in ask(core, "/checkin 1", who=CHEN).plain_text


async def test_a_moved_talk_is_asked_about_at_its_new_time(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)  # the bot starts: snapshots recorded
    sender = RecordingSender()
    await _at(core, clock, sender, TALK1 - timedelta(minutes=90))  # planned for 09:00
    later = TALK1 + timedelta(hours=2)
    apply_programme(core, _edited(**{"1": {"start": later}}))  # moved to 11:00
    for minutes in (60, 30, 15, 0):
        await _at(core, clock, sender, TALK1 - timedelta(minutes=minutes))
    assert sender.delivered == []  # nothing about 09:00
    await _at(core, clock, sender, later - timedelta(minutes=60))
    (ask_to, ask_reply) = sender.delivered[0]
    assert ask_to.chat_id == "chen" and "11:00 (UTC+8) in Hall A" in ask_reply.plain_text
    await _at(core, clock, sender, later - timedelta(minutes=30))
    assert "11:00 (UTC+8)" in sender.texts("host")[0]


async def test_a_cancelled_talk_cancels_its_ask_and_escalations(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)
    sender = RecordingSender()
    await _at(core, clock, sender, TALK1 - timedelta(minutes=90))
    apply_programme(core, _edited(**{"1": {"cancelled": True}}))
    for minutes in (60, 30, 15):
        await _at(core, clock, sender, TALK1 - timedelta(minutes=minutes))
    assert sender.delivered == []
    assert "#1 is cancelled" in ask(core, "/checkin 1", who=CHEN).plain_text


async def test_checkins_lists_the_days_state_for_organizers_and_room_hosts(core: Core, clock: FakeClock) -> None:
    assert "for organizers and room hosts" in ask(core, "/checkins", who=ALICE).plain_text
    sender = RecordingSender()
    await _at(core, clock, sender, TALK1 - timedelta(minutes=90))
    text = ask(core, "/checkins", who=HOST).plain_text
    assert "#1 09:00 Hall A · From the Linux kernel to eBPF" in text
    assert "Chen Lijun (陈莉君): will be asked at 08:00" in text
    assert "Alice Wang: can't be reached: never wrote to the bot" in text  # talks 2 and 3
    assert "#4" not in text  # tomorrow
    await _at(core, clock, sender, TALK1 - timedelta(minutes=60))
    await _at(core, clock, sender, TALK1 - timedelta(minutes=30))
    text = ask(core, "/checkins", who=ORGANIZER).plain_text
    assert "Chen Lijun (陈莉君): asked at 08:00, not checked in" in text
    assert "room hosts told at 08:30" in text and "organizers told" not in text
    clock.set(TALK1 - timedelta(minutes=20))
    press(core, "checkin 1", who=CHEN)
    text = ask(core, "/checkins", who=HOST).plain_text
    assert "Chen Lijun (陈莉君): ✅ checked in at 08:40" in text


async def test_with_two_speakers_the_escalation_names_only_the_one_still_missing(
    db: Database, clock: FakeClock
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        organizers=["console:organizer"],
        speakers=["chenlijun=console:chen", "alice=console:alice-speaker"],
        room_hosts=["A=console:host"],
    )
    core = Core(settings, db, _edited(**{"1": {"speakers": ["chenlijun", "alice"]}}), clock)
    alice_speaker = Address("console", "alice-speaker", "alice-speaker")
    for who in (CHEN, alice_speaker, HOST, ORGANIZER):
        core.handle(Request(who, text="/help", locale="en"))
    sender = RecordingSender()
    await _at(core, clock, sender, TALK1 - timedelta(minutes=60))
    assert sorted(a.chat_id for a, _ in sender.delivered) == ["alice-speaker", "chen"]  # each is asked
    clock.set(TALK1 - timedelta(minutes=40))
    press(core, "checkin 1", who=alice_speaker)
    await _at(core, clock, sender, TALK1 - timedelta(minutes=30))
    (told,) = sender.texts("host")
    assert "Not checked in yet: Chen Lijun (陈莉君)" in told and "Alice" not in told
    clock.set(TALK1 - timedelta(minutes=20))
    press(core, "checkin 1", who=CHEN)  # now both are in: the organizers hear nothing
    await _at(core, clock, sender, TALK1 - timedelta(minutes=15))
    assert sender.texts("organizer") == []
