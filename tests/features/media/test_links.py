"""Where people see a room's stream, a talk's slides and its recording: /talk, /room, the reminder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from tests.factories import small_programme
from tests.fakes.senders import RecordingSender
from tests.features.media.files import RECORDING, SLIDES, STREAM, write
from tests.helpers import ask, dispatcher_for

ORGANIZER = Address("console", "organizer", "organizer")
TALK2 = small_programme().talk(2)  # Hall A, 10:00–10:40 on the first day


def _links(reply: Reply) -> list[tuple[str, str | None]]:
    return [(s.text, s.url) for line in reply.lines for s in line if s.url]


def test_the_talk_card_links_slides_recording_and_the_stream_only_while_the_talk_runs(
    live: Core, content: Path, clock: FakeClock
) -> None:
    assert ("▶ Watch live", STREAM) not in _links(ask(live, "/talk 2", locale="en"))  # 08:00: not yet
    write(content, slides=SLIDES, recording=RECORDING)
    ask(live, "/reload", who=ORGANIZER, locale="en")
    clock.set(TALK2.start + timedelta(minutes=10))
    card = ask(live, "/talk 2", locale="en")
    assert _links(card)[:3] == [("▶ Watch live", STREAM), ("📑 Slides", SLIDES), ("🎬 Recording", RECORDING)]
    assert ("▶ 观看直播", STREAM) in _links(ask(live, "/talk 2", locale="zh"))
    assert not any(url == STREAM for _, url in _links(ask(live, "/talk 3", locale="en")))  # Hall B has no stream
    clock.set(TALK2.end + timedelta(minutes=1))
    assert _links(ask(live, "/talk 2", locale="en"))[:2] == [("📑 Slides", SLIDES), ("🎬 Recording", RECORDING)]


def test_the_room_view_links_its_stream_while_something_is_on(live: Core, clock: FakeClock) -> None:
    clock.set(TALK2.start + timedelta(minutes=5))
    on = ask(live, "/room A", locale="en")
    assert ("▶ Watch live", STREAM) in _links(on)
    assert on.plain_text.index("XDP") < on.plain_text.index("▶ Watch live")  # under what is on
    clock.set(TALK2.end + timedelta(minutes=5))  # nothing on in Hall A
    assert ("▶ Watch live", STREAM) not in _links(ask(live, "/room A", locale="en"))


async def test_the_starting_soon_reminder_links_the_room_stream(live: Core, clock: FakeClock) -> None:
    ask(live, "/subscribe 2", locale="en")
    ask(live, "/subscribe 3", locale="en")  # Hall B: no stream, no link
    clock.set(TALK2.start - timedelta(minutes=10))
    sender = RecordingSender()
    await dispatcher_for(live, {"console": sender}).run_due()
    by_talk = {r.plain_text.splitlines()[1][:2]: r for _, r in sender.delivered}
    assert _links(by_talk["#2"]) == [("▶ Watch live", STREAM)]
    assert _links(by_talk["#3"]) == []
