"""/full: an organizer or the room's host marks a room full five minutes before talk 3; its subscribers
who are not there yet (all but the one who marked it) get one message with the stream and the talks
starting then elsewhere, once, also after a restart; others are refused and audited; off and the talk's
end take the mark away."""

from __future__ import annotations

from datetime import timedelta

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from tests.fakes.senders import RecordingSender
from tests.features.rooms.conftest import BOB, EVA, HOST, ORGANIZER, STREAM, TALK3
from tests.helpers import ALICE, ask, dispatcher_for


def _full(sender: RecordingSender) -> list[tuple[str, Reply]]:
    """The full-room messages delivered (subscribing this late also brings a reminder), by recipient."""
    return [(address.user_id, reply) for address, reply in sender.delivered if "is full" in reply.plain_text]


def _subscribe(core: Core, *people: Address) -> None:
    for who in people:
        ask(core, "/subscribe 3", who=who, locale="en")


async def test_full_tells_each_subscriber_not_there_yet_once_with_the_stream_and_the_talks_elsewhere(
    core: Core, settings: Settings, programme: Programme, clock: FakeClock
) -> None:
    _subscribe(core, ALICE, BOB, HOST)
    ask(core, "/subscribe 4", who=EVA, locale="en")  # another talk: not told
    marked = ask(core, "/full A", who=HOST, locale="en").plain_text
    assert "🈵 Main Hall is marked full until 11:20 (UTC+8), for:" in marked
    assert "#3 " in marked and "Subscribers told now (once each, never again): 2" in marked

    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sorted(who for who, _ in _full(sender)) == ["alice", "bob"]  # not the host, not eva
    reply = _full(sender)[0][1]
    text = reply.plain_text
    assert text.startswith("🈵 Main Hall is full\n#3 ")
    assert "Watch it on the live stream" in text
    assert [s.url for line in reply.lines for s in line if s.url] == [STREAM]
    assert (
        "Starting at the same time elsewhere:" in text and "10:40–11:20 Room B #4 Hardware Accelerator for eBPF" in text
    )
    assert [b.action for row in reply.buttons for b in row] == ["talk 4"]

    again = ask(core, "/full Main Hall", who=ORGANIZER, locale="en").plain_text
    assert "Subscribers told now (once each, never again): 0" in again
    restarted = Core(settings, type(core.db)(core.db.url), programme, clock)  # a new process, same database
    clock.advance(60)
    ask(restarted, "/full A", who=ORGANIZER, locale="en")
    await dispatcher_for(restarted, {"console": sender}).run_due()
    assert len(_full(sender)) == 2


def test_someone_else_is_refused_and_the_refusal_audited(core: Core) -> None:
    _subscribe(core, ALICE)
    assert ask(core, "/full A", who=EVA, locale="en").plain_text == "Only conference organizers can use /full."
    assert ask(core, "/full B", who=HOST, locale="en").plain_text == "Only conference organizers can use /full."
    audit = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert "console:eva · /full A → refused" in audit and "console:host · /full B → refused" in audit
    assert "🈵" not in ask(core, "/room A", locale="en").plain_text


def test_the_room_shows_full_until_off(core: Core) -> None:
    ask(core, "/full A", who=ORGANIZER, locale="en")
    assert "🈵 Full" in ask(core, "/room A", locale="en").plain_text
    now = ask(core, "/now", locale="en").plain_text
    assert "📍 Main Hall · 🈵 Full" in now and "📍 Room B · 🈵" not in now
    assert ask(core, "/full A off", who=HOST, locale="en").plain_text == "Main Hall is no longer marked full."
    assert "🈵" not in ask(core, "/room A", locale="en").plain_text
    assert "🈵" not in ask(core, "/now", locale="en").plain_text
    assert ask(core, "/full A off", who=HOST, locale="en").plain_text == "Main Hall was not marked full."


async def test_off_before_sending_drops_the_messages_not_sent_yet(core: Core) -> None:
    _subscribe(core, ALICE)
    ask(core, "/full A", who=ORGANIZER, locale="en")
    ask(core, "/full A off", who=ORGANIZER, locale="en")
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    assert _full(sender) == []


def test_the_mark_ends_with_the_talk(core: Core, clock: FakeClock) -> None:
    ask(core, "/full A", who=ORGANIZER, locale="en")
    clock.set(TALK3 + timedelta(minutes=39))
    assert "🈵 Full" in ask(core, "/room A", locale="en").plain_text
    clock.set(TALK3 + timedelta(minutes=40))  # 11:20: talk 3 is over, talk 17 starts
    assert "🈵" not in ask(core, "/room A", locale="en").plain_text
    assert "🈵" not in ask(core, "/now", locale="en").plain_text


def test_no_talk_on_or_soon_is_nothing_to_mark(core: Core, clock: FakeClock) -> None:
    clock.set(TALK3 - timedelta(minutes=16))
    answer = ask(core, "/full A", who=ORGANIZER, locale="en").plain_text
    assert answer == "No talk is on in Main Hall now or in the next 15 minutes: there is nothing to mark full."
    assert "Usage: /full <room>" in ask(core, "/full nowhere", who=ORGANIZER, locale="en").plain_text


def test_stats_warns_of_talks_with_more_subscribers_than_seats(core: Core, clock: FakeClock) -> None:
    clock.set(TALK3 - timedelta(hours=3))  # before the event
    _subscribe(core, ALICE, BOB, EVA)
    stats = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
    assert "⚠️ Talks with more subscribers than seats" in stats
    assert "(Sat 12 Dec 10:40 (UTC+8), Main Hall): ⭐ 3 for 2 seats. Auditorium (300 seats) is free then." in stats
    clock.set(TALK3 + timedelta(minutes=1))  # under way: no longer a warning
    assert "more subscribers than seats" not in ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
