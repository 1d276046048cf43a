""" "The recording is up": a talk that gains a recording or slides on a reload tells its subscribers
and raters once each; the same link on the next reload, or after a restart, tells nobody again."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme
from bot.storage.models import OutboxMessage, TalkSnapshot, User
from tests.factories import small_programme
from tests.fakes.senders import RecordingSender
from tests.features.media.files import RECORDING, SLIDES, write
from tests.helpers import ask, dispatcher_for, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("console", "bob", "bob")  # starred talk 2
CAROL = Address("console", "carol", "carol")  # rated talk 2 (and starred it too)
DAVE = Address("console", "dave", "dave")  # rated talk 2 without starring it
FRANK = Address("console", "frank", "frank")  # rated talk 3 only
ERIN = Address("console", "erin", "erin")  # starred talk 2, then left (blocked the bot)


def _links(reply: Reply) -> list[tuple[str, str | None]]:
    return [(s.text, s.url) for line in reply.lines for s in line if s.url]


def _audience(core: Core, clock: FakeClock) -> None:
    ask(core, "/subscribe 2", who=BOB, locale="en")
    ask(core, "/subscribe 2", who=CAROL, locale="zh")
    ask(core, "/subscribe 2", who=ERIN, locale="en")
    clock.set(small_programme().talk(2).end + timedelta(minutes=20))  # talk 2 is over: rating is open
    press(core, "rate 2 5", who=CAROL, locale="zh")
    press(core, "rate 2 3", who=DAVE, locale="en")
    press(core, "rate 3 4", who=FRANK, locale="en")
    with core.db.session() as session:
        for row in session.scalars(select(OutboxMessage)):  # nothing else pending in this story
            session.delete(row)
    with core.db.session() as session:
        erin = session.scalars(select(User).where(User.platform_user_id == "erin")).one()
        erin.active = False


def _media_rows(core: Core) -> Counter[str]:
    with core.db.session() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "media"))
        return Counter(f"{row.key}" for row in rows)


async def test_a_recording_added_by_reload_tells_subscribers_and_raters_once(
    live: Core, content: Path, clock: FakeClock
) -> None:
    _audience(live, clock)
    write(content, recording=RECORDING)
    reloaded = ask(live, "/reload", who=ORGANIZER, locale="en").plain_text
    assert "Content reloaded" in reloaded

    sender = RecordingSender()
    await dispatcher_for(live, {"console": sender}).run_due()
    assert sorted(a.chat_id for a, _ in sender.delivered) == ["bob", "carol", "dave"]  # not Frank, not Erin (gone)
    bob = next(r for a, r in sender.delivered if a.chat_id == "bob")
    assert bob.plain_text.startswith("🎬 The recording of this talk is up:\n#2 XDP <fast> & furious")
    assert _links(bob) == [("🎬 Recording", RECORDING)]
    assert [b.action for row in bob.buttons for b in row] == ["talk 2"]
    carol = next(r for a, r in sender.delivered if a.chat_id == "carol")
    assert carol.plain_text.startswith("🎬 这场演讲的录像已上线：")  # subscribed and rated: one notice

    assert "Content reloaded" in ask(live, "/reload", who=ORGANIZER, locale="en").plain_text  # the same URL again
    await dispatcher_for(live, {"console": sender}).run_due()
    assert len(sender.delivered) == 3
    assert _media_rows(live) == Counter({"media:2:recording": 3})

    # a new process on the same database: its start-up and a reload with the same files tell nobody
    restarted = create_core(live.settings, clock)
    apply_programme(restarted, restarted.programme)
    assert "Content reloaded" in ask(restarted, "/reload", who=ORGANIZER, locale="en").plain_text
    await dispatcher_for(restarted, {"console": sender}).run_due()
    assert len(sender.delivered) == 3

    # the slides come later: one more notice each, for the slides
    write(content, recording=RECORDING, slides=SLIDES)
    ask(restarted, "/reload", who=ORGANIZER, locale="en")
    await dispatcher_for(restarted, {"console": sender}).run_due()
    later = [r for a, r in sender.delivered[3:] if a.chat_id == "bob"]
    assert [r.plain_text.splitlines()[0] for r in later] == ["📑 The slides of this talk are up:"]
    assert _links(later[0]) == [("📑 Slides", SLIDES)]
    assert _media_rows(restarted) == Counter({"media:2:recording": 3, "media:2:slides": 3})


async def test_recording_and_slides_at_once_are_one_notice_and_removing_a_link_sends_nothing(
    live: Core, content: Path, clock: FakeClock
) -> None:
    _audience(live, clock)
    write(content, recording=RECORDING, slides=SLIDES)
    ask(live, "/reload", who=ORGANIZER, locale="en")
    sender = RecordingSender()
    await dispatcher_for(live, {"console": sender}).run_due()
    bob = [r for a, r in sender.delivered if a.chat_id == "bob"]
    assert len(bob) == 1
    assert bob[0].plain_text.splitlines()[0] == "🎬 The recording and the slides of this talk are up:"
    assert _links(bob[0]) == [("🎬 Recording", RECORDING), ("📑 Slides", SLIDES)]

    write(content)  # both taken down, then put back: already told
    ask(live, "/reload", who=ORGANIZER, locale="en")
    write(content, recording=RECORDING, slides=SLIDES)
    ask(live, "/reload", who=ORGANIZER, locale="en")
    await dispatcher_for(live, {"console": sender}).run_due()
    assert len([a for a, _ in sender.delivered if a.chat_id == "bob"]) == 1


async def test_a_recording_added_while_the_bot_was_down_is_announced_when_it_starts(
    live: Core, content: Path, clock: FakeClock
) -> None:
    _audience(live, clock)
    live.close()  # the bot stops; the organizer adds the recording to the files meanwhile
    write(content, recording=RECORDING)

    restarted = create_core(live.settings, clock)  # the new process shows the recording from the start
    apply_programme(restarted, restarted.programme)  # its start-up, as `confbot run` applies the files
    sender = RecordingSender()
    await dispatcher_for(restarted, {"console": sender}).run_due()
    assert sorted(a.chat_id for a, _ in sender.delivered) == ["bob", "carol", "dave"]
    assert all(r.plain_text.startswith(("🎬 The recording", "🎬 这场演讲的录像")) for _, r in sender.delivered)

    again = create_core(live.settings, clock)  # and the next start tells nobody again
    apply_programme(again, again.programme)
    await dispatcher_for(again, {"console": sender}).run_due()
    assert len(sender.delivered) == 3
    assert _media_rows(again) == Counter({"media:2:recording": 3})


async def test_a_database_from_before_the_links_were_kept_announces_nothing_on_its_first_start(
    live: Core, content: Path, clock: FakeClock
) -> None:
    _audience(live, clock)
    write(content, recording=RECORDING, slides=SLIDES)
    with live.db.session() as session:  # as after the upgrade: no talk's links recorded yet
        for snapshot in session.scalars(select(TalkSnapshot)):
            snapshot.links = None

    upgraded = create_core(live.settings, clock)  # already shows both links: nothing was gained
    apply_programme(upgraded, upgraded.programme)
    assert _media_rows(upgraded) == Counter()
    with upgraded.db.session() as session:  # what it showed is recorded now
        assert session.get(TalkSnapshot, 2).links == "recording slides"  # type: ignore[union-attr]
    upgraded.close()
    again = create_core(live.settings, clock)
    apply_programme(again, again.programme)
    assert _media_rows(again) == Counter()


async def test_a_link_added_while_the_talk_is_cancelled_is_announced_when_it_is_back_on(
    live: Core, content: Path, clock: FakeClock
) -> None:
    _audience(live, clock)
    write(content, cancelled=True)
    assert "Content reloaded" in ask(live, "/reload", who=ORGANIZER, locale="en").plain_text
    write(content, cancelled=True, recording=RECORDING)  # put up while the talk is off: nobody told yet
    ask(live, "/reload", who=ORGANIZER, locale="en")
    assert _media_rows(live) == Counter()

    write(content, recording=RECORDING)  # back on (its speaker's clash with talk 3 accepted)
    assert "Content reloaded" in ask(live, "/reload force", who=ORGANIZER, locale="en").plain_text
    assert _media_rows(live) == Counter({"media:2:recording": 3})


async def test_slides_told_with_the_recording_are_not_news_when_taken_down_and_put_back(
    live: Core, content: Path, clock: FakeClock
) -> None:
    _audience(live, clock)
    write(content, recording=RECORDING, slides=SLIDES)  # one notice naming both
    ask(live, "/reload", who=ORGANIZER, locale="en")
    write(content, recording=RECORDING)
    ask(live, "/reload", who=ORGANIZER, locale="en")
    write(content, recording=RECORDING, slides=SLIDES)
    ask(live, "/reload", who=ORGANIZER, locale="en")
    assert _media_rows(live) == Counter({"media:2:recording": 3})
