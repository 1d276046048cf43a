"""Speaker check-in on Telegram and Slack: the ask an hour before with its button, the room host told at
30 minutes and the organizer at 15 when nobody checked in (once each), nothing once the speaker pressed
the button; /checkins says where things stand."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.features.checkin.push import plan_due
from bot.programme.speaker_links import SpeakerLinks
from tests.conftest import SHANGHAI
from tests.scenarios.driver import Platform

TALK1 = datetime(2026, 12, 12, 9, 0, tzinfo=SHANGHAI)  # talk 1, room A, speaker chenlijun


async def _staffed(platform: Platform, core: Core) -> Runtime:
    """A speaker linked to talk 1, a host of room A and a listed organizer, each having written once."""
    core.speaker_links = SpeakerLinks.parse([f"chenlijun={platform.who('speaker')}"])
    core.settings.room_hosts.append(f"A={platform.who('host')}")
    platform.make_organizer("organizer", listed=True)
    for person in ("speaker", "host", "organizer"):
        await platform.send(person, "/help")
    return await platform.runtime()


async def _at(runtime: Runtime, clock: FakeClock, when: datetime) -> None:
    clock.set(when)
    plan_due(runtime.host)
    await runtime.dispatch_now()


async def test_no_check_in_escalates_at_30_and_15_minutes_once_each(
    platform: Platform, core: Core, clock: FakeClock
) -> None:
    runtime = await _staffed(platform, core)
    await _at(runtime, clock, TALK1 - timedelta(minutes=60))
    (ask,) = await platform.wait_posts("speaker", 1)
    assert "Time to check in for your talk" in ask.text and "#1 From the Linux kernel to eBPF" in ask.text
    assert ask.actions == ["checkin 1"] and ask.labels == ["✅ I'm here"] and platform.well_formed(ask)
    assert platform.posts("host") == []
    await _at(runtime, clock, TALK1 - timedelta(minutes=30))
    (told,) = await platform.wait_posts("host", 1)
    assert "Not checked in yet: Chen Lijun (陈莉君)" in told.text and "(in 30 min)" in told.text
    assert platform.posts("organizer") == []
    await _at(runtime, clock, TALK1 - timedelta(minutes=15))
    (told,) = await platform.wait_posts("organizer", 1)
    assert "Not checked in yet: Chen Lijun (陈莉君)" in told.text and "(in 15 min)" in told.text
    assert told.actions == ["checkins", "talk 1"]
    await _at(runtime, clock, TALK1 - timedelta(minutes=5))
    assert [len(platform.posts(p)) for p in ("speaker", "host", "organizer")] == [1, 1, 1]
    listed = await platform.send("organizer", "/checkins")
    assert "Chen Lijun (陈莉君): asked at 08:00, not checked in" in listed.text
    assert "room hosts told at 08:30" in listed.text and "organizers told at 08:45" in listed.text


async def test_the_button_checks_in_and_nobody_is_told(platform: Platform, core: Core, clock: FakeClock) -> None:
    runtime = await _staffed(platform, core)
    await _at(runtime, clock, TALK1 - timedelta(minutes=60))
    await platform.wait_posts("speaker", 1)
    clock.set(TALK1 - timedelta(minutes=45))
    done = await platform.press("speaker", "checkin 1")
    assert done.says("Checked in for #1 at 08:15")
    for minutes in (30, 15, 5):
        await _at(runtime, clock, TALK1 - timedelta(minutes=minutes))
    assert platform.posts("host") == [] and platform.posts("organizer") == []
    listed = await platform.send("host", "/checkins")
    assert "Chen Lijun (陈莉君): ✅ checked in at 08:15" in listed.text
