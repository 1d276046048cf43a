"""/qa on in a room's announcement chat: the talk's top questions are posted there once, at its
end-minus-10-minutes mark, without names or buttons; organizers only; a chat announcing no room
is told how to set one up."""

from __future__ import annotations

from datetime import timedelta

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.features.questions import push as qa_posts
from tests.features.announce.test_push import DAY1, ORGANIZER, TimedSender, at, in_group, run_until
from tests.helpers import ask, press

BOB, CAROL = Address("console", "bob", "bob"), Address("console", "carol", "carol")


def plan(core: Core) -> int:
    with core.db.session() as session:
        return qa_posts.plan(session, core.programme, now=core.clock.now())


async def test_the_top_questions_are_posted_once_ten_minutes_before_the_end(core: Core, clock: FakeClock) -> None:
    assert "announces no room" in in_group(core, "/qa on")
    in_group(core, "/announce here A")
    assert "Only conference organizers" in in_group(core, "/qa on", who=BOB)
    assert "Q&A is on" in in_group(core, "/qa on")
    clock.set(at(DAY1, 10, 5))
    ask(core, "/ask 2 the less popular one", who=BOB)
    clock.advance(60)
    ask(core, "/ask 2 the popular one", who=CAROL)
    listed = ask(core, "/questions 2", who=BOB)
    popular = [b.action for row in listed.button_rows for b in row if b.action.startswith("vote ")][1]
    press(core, popular, who=BOB)
    ask(core, "/ask 3 another room's talk", who=CAROL)  # Hall B: not posted in Hall A's chat
    clock.set(at(DAY1, 10, 29))
    assert plan(core) == 0
    clock.set(at(DAY1, 10, 30))
    assert plan(core) == 1
    assert plan(core) == 0  # once, however often the minute job runs
    sender = TimedSender(clock)
    await run_until(core, sender, at(DAY1, 10, 31))
    posts = [text for _, text in sender.to("grp")]
    assert len(posts) == 1
    assert posts[0].index("the popular one") < posts[0].index("the less popular one")
    assert "ends soon" in posts[0] and "bob" not in posts[0] and "carol" not in posts[0]
    assert "another room" not in posts[0]
    clock.advance(timedelta(minutes=5))
    assert plan(core) == 0


async def test_qa_off_stops_the_posts(core: Core, clock: FakeClock) -> None:
    in_group(core, "/announce here A")
    in_group(core, "/qa on")
    assert "Q&A is off" in in_group(core, "/qa off")
    clock.set(at(DAY1, 10, 5))
    ask(core, "/ask 2 will anyone post me?", who=BOB)
    clock.set(at(DAY1, 10, 31))
    assert plan(core) == 0
    assert "Usage: /qa" in in_group(core, "/qa maybe")
    assert "in the room's announcement chat" in ask(core, "/qa on", who=ORGANIZER, locale="en").plain_text
