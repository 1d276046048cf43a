"""/announce here in a group or channel: refused for attendees, explained in a DM, set up by an
organizer; the room's posts then arrive there once, without buttons, until /announce off."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.core import Core
from tests.scenarios.driver import Platform

HALL = "#hallb"


async def test_announce_here_then_the_posts_arrive_there_once_until_off(
    platform: Platform, core: Core, clock: FakeClock
) -> None:
    platform.make_organizer("organizer")
    refused = await platform.send("alice", "/announce here B", where=HALL)
    assert refused.text == "Only conference organizers can use /announce."
    in_dm = await platform.send("organizer", "/announce here B")
    assert in_dm.text.startswith("Send /announce here in the group or channel")
    set_up = await platform.send("organizer", "/announce here B", where=HALL)
    assert set_up.text.startswith("📣 This chat now gets Hall B")

    runtime = await platform.runtime()
    talk = core.programme.talk(3)  # Hall B, 10:00 on the first day
    assert talk is not None and talk.start is not None
    clock.set(talk.start - timedelta(minutes=5))
    await runtime.dispatch_now()
    await runtime.dispatch_now()  # a second pass (or the safety job) sends nothing more
    (post,) = await platform.wait_posts(HALL, 1)
    assert post.text.startswith("⏰ Starting in 5 minutes in Hall B:\n#3 Observability with eBPF")
    assert platform.well_formed(post)
    assert post.actions == []  # no buttons in a shared chat

    off = await platform.send("organizer", "/announce off", where=HALL)
    assert off.text == "🔕 Announcements here are off. Pending posts cancelled: 1."
    clock.set(talk.start + timedelta(days=1))  # talk 5 (Hall B, day two) would have been announced
    await runtime.dispatch_now()
    assert len(platform.posts(HALL)) == 1
