"""An organizer moves a talk (a preview, then Confirm) and its subscriber gets exactly one "moved"
push; a non-organizer's /move is refused."""

from __future__ import annotations

import asyncio

from bot.core import Core
from tests.scenarios.driver import Platform


async def test_organizer_moves_a_talk_and_the_subscriber_gets_one_moved_push(platform: Platform, core: Core) -> None:
    platform.make_organizer("organizer")
    runtime = await platform.runtime()
    await platform.send("eva", "/subscribe 4")
    refused = await platform.send("eva", "/move 4 2 14:30 B")
    assert refused.text == "Only conference organizers can use /move."

    shown = await platform.send("organizer", "/move 4 2 14:30 B")
    assert (
        "to: Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in shown.text and "1 subscriber will get one notice" in shown.text
    )
    confirm = next(a for a in shown.actions if a.startswith("confirm "))
    assert platform.posts("eva") == []  # nothing pushed before Confirm

    done = await platform.press("organizer", confirm)
    assert "Moved #4 to Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in done.text
    (pushed,) = await platform.wait_posts("eva", 1)
    assert pushed.text.startswith("🔀 Schedule change:\n#4 Hunting network jitter")
    assert "moved to Sun 13 Dec 14:30 (UTC+8), Hall B (was Sun 13 Dec 10:00 (UTC+8))" in pushed.text
    await runtime.dispatch_now()  # another pass (or the safety job) sends nothing more
    await asyncio.sleep(0.2)
    assert len(platform.posts("eva")) == 1
    talk = core.programme.talk(4)
    assert talk is not None and talk.start is not None
    assert talk.start.astimezone(core.programme.tz).strftime("%H:%M") == "14:30"


async def _confirmed(platform: Platform, command: str) -> None:
    shown = await platform.send("organizer", command)
    await platform.press("organizer", next(a for a in shown.actions if a.startswith("confirm ")))


async def test_an_attendee_who_missed_the_notice_still_sees_what_moved_and_what_was_cancelled(
    platform: Platform,
) -> None:
    platform.make_organizer("organizer")
    await platform.send("eva", "/subscribe 1 2 5")
    await _confirmed(platform, "/move 1 14:00")  # the 09:00 keynote, to the afternoon
    await _confirmed(platform, "/cancel 5")

    mine = await platform.send("eva", "/my")
    listed = [line for line in mine.text.splitlines() if "#" in line and ":" in line]
    assert [line.split("#")[1].split()[0] for line in listed[:3]] == ["2", "1", "5"]  # in time order
    assert "(moved from 09:00)" in listed[1] and "❌ cancelled" in listed[2] and platform.well_formed(mine)
    assert "(moved from 09:00)" in (await platform.send("eva", "/agenda 1")).text
    assert "↪️ Moved from Sat 12 Dec 09:00" in (await platform.send("eva", "/talk 1")).text
    room = await platform.send("eva", "/room A")
    assert "(moved from 09:00)" in room.text and platform.well_formed(room)
