"""A room's screen (Core.web_room_screen): what is on there with when it ends, or when the next starts,
what comes next there, and the top questions of the talk the room is asking, by the chat's own rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from tests.conftest import SHANGHAI
from tests.factories import small_content
from tests.helpers import ask, press


def at(clock: FakeClock, hour: int, minute: int) -> None:
    clock.set(datetime(2026, 12, 12, hour, minute, tzinfo=SHANGHAI))


def someone(n: int) -> Address:
    return Address("telegram", f"u{n}", f"u{n}")


def text(line: object) -> str:
    return "".join(span.text for span in line)  # type: ignore[attr-defined]


def test_the_talk_on_ends_then_the_next_and_its_questions_by_votes(core: Core, clock: FakeClock) -> None:
    at(clock, 10, 10)
    ask(core, "/ask 2 How fast is XDP on a laptop?", who=someone(1))
    ask(core, "/ask 2 Does it work with IPv6?", who=someone(2))
    ask(core, "/ask 3 A question to the other room", who=someone(3))
    screen = core.web_room_screen("A", "en")
    assert screen is not None
    ipv6 = next(q for q in screen.questions if "IPv6" in q.text)
    for n in (3, 4):
        press(core, f"vote {ipv6.id}", who=someone(n))

    screen = core.web_room_screen("A", "en")
    assert screen is not None
    assert screen.room.name == "Hall A" and screen.now_id == 2 and "XDP" in text(screen.now)
    assert screen.countdown_label == "Ends in"
    assert screen.countdown_to == datetime(2026, 12, 12, 10, 40, tzinfo=SHANGHAI)
    assert "Lunch" in text(screen.next[0]) and screen.next_ids == (None, 4)  # a break, then the next talk there
    assert screen.questions_talk == 2
    assert [(q.text, q.votes) for q in screen.questions] == [
        ("Does it work with IPv6?", 2),
        ("How fast is XDP on a laptop?", 0),
    ]


def test_between_talks_the_last_talk_keeps_its_questions_then_the_next_takes_over(core: Core, clock: FakeClock) -> None:
    at(clock, 9, 20)
    ask(core, "/ask 1 What about kernel 4.x?", who=someone(1))
    at(clock, 9, 40)  # talk 1 ended at 09:30; its questions are taken until 09:45
    screen = core.web_room_screen("A", "zh")
    assert screen is not None
    assert screen.now is None and screen.idle == "此刻本会场没有安排。" and screen.countdown_label == "距开始"
    assert screen.countdown_to == datetime(2026, 12, 12, 10, 0, tzinfo=SHANGHAI)  # starts in …, to talk 2
    assert screen.questions_talk == 1 and [q.text for q in screen.questions] == ["What about kernel 4.x?"]
    at(clock, 9, 50)
    screen = core.web_room_screen("A", "zh")
    assert screen is not None and screen.questions_talk == 2 and screen.questions == ()


def test_hidden_questions_leave_the_screen_and_pinned_ones_lead(core: Core, clock: FakeClock) -> None:
    at(clock, 10, 10)
    organizer = Address("console", "organizer", "organizer")
    for n, words in enumerate(("first question", "second question", "third question")):
        ask(core, f"/ask 2 {words}", who=someone(n))
    ids = {q.text: q.id for q in core.web_room_screen("A", "en").questions}  # type: ignore[union-attr]
    press(core, f"vote {ids['second question']}", who=someone(9))
    press(core, f"moderate {ids['first question']} hide", who=organizer)
    press(core, f"moderate {ids['third question']} pin", who=organizer)
    screen = core.web_room_screen("A", "en")
    assert screen is not None
    assert [(q.text, q.pinned) for q in screen.questions] == [("third question", True), ("second question", False)]


def test_a_cancelled_talk_leaves_the_room_free_until_the_next(core: Core, clock: FakeClock) -> None:
    at(clock, 10, 10)
    content = small_content()
    talks = [t.model_copy(update={"cancelled": True}) if t.id == 2 else t for t in content.talks]
    core.replace_programme(Programme.from_content(content.model_copy(update={"talks": talks})))
    screen = core.web_room_screen("A", "en")
    assert screen is not None
    assert screen.now is None and screen.countdown_label == "Starts in"
    assert screen.countdown_to == datetime(2026, 12, 12, 12, 0, tzinfo=SHANGHAI)  # lunch, in every room
    assert screen.questions_talk == 4


def test_after_the_last_talk_the_screen_says_nothing_more_and_counts_nothing(core: Core, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 13, 12, 0, tzinfo=SHANGHAI) + timedelta(hours=6))
    screen = core.web_room_screen("A", "en")
    assert screen is not None
    assert screen.now is None and screen.next == () and screen.countdown_to is None
    assert screen.idle == "Nothing more in this room."


def test_an_unknown_room_has_no_screen(core: Core) -> None:
    assert core.web_room_screen("Z", "en") is None
