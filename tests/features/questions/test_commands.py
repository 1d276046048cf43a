"""/ask and /questions through the core: the window, anonymity, the limits, 👍 votes and ranking,
and moderation by organizers (a plain attendee cannot hide)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import small_content
from tests.helpers import actions, ask, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("console", "bob", "bob")
CAROL = Address("console", "carol", "carol")


@pytest.fixture
def during(core: Core, clock: FakeClock) -> Core:
    """The core at 10:05 on day 1: talk 2 (10:00-10:40, Hall A) is running."""
    clock.advance(timedelta(hours=2, minutes=5))
    return core


def asked(core: Core, text: str, who: Address, clock: FakeClock | None = None) -> Reply:
    reply = ask(core, text, who=who, locale="en")
    if clock is not None:
        clock.advance(60)  # past the flood gap
    return reply


def vote_button(reply: Reply, n: int) -> str:
    """The action of the 👍 button of the n-th listed question."""
    votes = [b for row in reply.button_rows for b in row if b.action.startswith("vote ")]
    return votes[n - 1].action


def test_ask_then_list_shows_the_question_without_who_asked(during: Core, clock: FakeClock) -> None:
    reply = ask(during, "/ask 2 How does XDP handle <jumbo> frames?", who=Address("console", "alice", "alice", None))
    assert "#2" in reply.plain_text and "1/3" in reply.plain_text
    ask(during, "/lang en", who=BOB)
    listed = ask(during, "/questions 2", who=BOB)
    assert "How does XDP handle <jumbo> frames?" in listed.plain_text
    assert "alice" not in listed.plain_text.lower()
    assert any(a.startswith("vote ") for a in actions(listed))
    assert not any(a.startswith("moderate ") for a in actions(listed))  # no moderation for attendees


def test_questions_open_30_minutes_before_and_close_15_minutes_after(core: Core, clock: FakeClock) -> None:
    early = asked(core, "/ask 2 too early?", BOB)
    assert "open at" in early.plain_text and "09:30" in early.plain_text
    clock.advance(timedelta(hours=1, minutes=30))  # 09:30, the window opens
    assert "is in" in asked(core, "/ask 2 just in time?", BOB, clock).plain_text
    clock.advance(timedelta(hours=1, minutes=24))  # 10:55, 15 minutes after the 10:40 end
    assert "is in" in asked(core, "/ask 2 last call?", BOB, clock).plain_text
    late = asked(core, "/ask 2 too late?", BOB)
    assert "closed at" in late.plain_text and "10:55" in late.plain_text
    assert "too late" not in ask(core, "/questions 2", who=BOB).plain_text


def test_three_questions_per_person_per_talk(during: Core, clock: FakeClock) -> None:
    for n in range(3):
        assert "is in" in asked(during, f"/ask 2 question number {n}", BOB, clock).plain_text
    refused = asked(during, "/ask 2 a fourth one", BOB, clock)
    assert "3 questions" in refused.plain_text
    assert "is in" in asked(during, "/ask 3 another talk is fine", BOB, clock).plain_text
    assert "is in" in asked(during, "/ask 2 someone else may", CAROL, clock).plain_text
    assert "a fourth one" not in ask(during, "/questions 2", who=CAROL).plain_text


def test_length_and_flood_limits_answer_clearly(during: Core, clock: FakeClock) -> None:
    too_long = asked(during, "/ask 2 " + "why " * 100, BOB)
    assert "too long" in too_long.plain_text and "300" in too_long.plain_text
    assert "write your question" in asked(during, "/ask 2 ?", BOB).plain_text
    assert "is in" in asked(during, "/ask 2 first one", BOB).plain_text
    flood = asked(during, "/ask 3 right away", BOB)
    assert "too fast" in flood.plain_text and "30 seconds" in flood.plain_text
    clock.advance(31)
    assert "is in" in asked(during, "/ask 3 after a pause", BOB).plain_text
    assert "Usage: /ask" in asked(during, "/ask", BOB).plain_text
    assert "Usage: /ask" in asked(during, "/ask twelve what?", BOB).plain_text


def test_cancelled_and_unknown_talks_take_no_questions(during: Core) -> None:
    assert "no talk 999" in asked(during, "/ask 999 anyone?", BOB).plain_text
    content = small_content()
    talks = [t.model_copy(update={"cancelled": t.id == 3}) for t in content.talks]
    during.replace_programme(Programme.from_content(content.model_copy(update={"talks": talks})))
    assert "cancelled" in asked(during, "/ask 3 still on?", BOB).plain_text


def test_votes_rank_the_list_one_vote_per_person(during: Core, clock: FakeClock) -> None:
    asked(during, "/ask 2 the first question", BOB, clock)
    asked(during, "/ask 2 the second question", CAROL, clock)
    listed = ask(during, "/questions 2", who=BOB, locale="en")
    assert listed.plain_text.index("the first") < listed.plain_text.index("the second")
    second = vote_button(listed, 2)
    voted = press(during, second, who=BOB, locale="en")
    assert voted.edit and voted.notice == "👍 Voted"
    assert voted.plain_text.index("the second") < voted.plain_text.index("the first")
    again = press(during, second, who=BOB, locale="en")
    assert again.notice and "already" in again.notice
    assert "👍 1" in again.plain_text and "👍 2" not in again.plain_text
    mine = [b for row in again.button_rows for b in row if b.action == second]
    assert mine[0].selected  # the voter sees their vote


def test_organizer_sees_who_asked_and_hides_pins_and_marks_answered(during: Core, clock: FakeClock) -> None:
    ask(during, "/start", who=BOB, locale="en")
    asked(during, "/ask 2 keep this one", BOB, clock)
    asked(during, "/ask 2 spam spam spam", CAROL, clock)
    asked(during, "/ask 2 a quiet one", CAROL, clock)
    mod = ask(during, "/questions 2", who=ORGANIZER, locale="en")
    assert "console:bob" in mod.plain_text and "console:carol" in mod.plain_text
    spam = f"moderate {vote_button(mod, 2).split()[1]} hide"
    hidden = press(during, spam, who=ORGANIZER, locale="en")
    assert hidden.edit and "spam spam spam" not in hidden.plain_text
    assert "spam spam spam" not in ask(during, "/questions 2", who=BOB).plain_text
    quiet = vote_button(hidden, 2).split()[1]
    pinned = press(during, f"moderate {quiet} pin", who=ORGANIZER, locale="en")
    assert pinned.plain_text.index("a quiet one") < pinned.plain_text.index("keep this one")
    press(during, f"moderate {quiet} answered", who=ORGANIZER, locale="en")
    attendee = ask(during, "/questions 2", who=BOB, locale="en")
    assert "a quiet one" not in attendee.plain_text and "1 answered" in attendee.plain_text


def test_a_non_moderator_cannot_hide_a_question(during: Core, clock: FakeClock) -> None:
    asked(during, "/ask 2 please do not hide me", BOB, clock)
    question = vote_button(ask(during, "/questions 2", who=CAROL), 1).split()[1]
    refused = press(during, f"moderate {question} hide", who=CAROL, locale="en")
    assert "Only organizers and the talk's speakers" in refused.plain_text
    assert "please do not hide me" in ask(during, "/questions 2", who=BOB).plain_text


def test_the_stage_list_is_the_top_five_without_names_or_votes_buttons(during: Core, clock: FakeClock) -> None:
    people = [Address("console", f"p{n}", f"p{n}") for n in range(7)]
    for n, who in enumerate(people):
        asked(during, f"/ask 2 question from person {n}", who, clock)
    listed = ask(during, "/questions 2", who=BOB)
    last = vote_button(listed, 7)
    for who in people[:3]:
        press(during, last, who=who)
    stage = ask(during, "/questions 2 top", who=BOB, locale="en")
    lines = stage.plain_text.splitlines()
    assert "top questions" in lines[0]
    assert "1. question from person 6" in stage.plain_text
    assert stage.plain_text.count("question from person") == 5
    assert not any(a.startswith("vote ") for a in actions(stage))
    assert "console:" not in ask(during, "/questions 2 top", who=ORGANIZER).plain_text


def test_the_cards_ask_button_takes_the_next_message_as_the_question(during: Core) -> None:
    card = ask(during, "/talk 2", who=BOB, locale="en")
    assert "ask 2" in actions(card)
    prompt = press(during, "ask 2", who=BOB, locale="en")
    assert "next message" in prompt.plain_text
    done = ask(during, "What about IPv6 <and> VLANs?", who=BOB, locale="en")
    assert "is in" in done.plain_text
    assert "What about IPv6 <and> VLANs?" in ask(during, "/questions 2", who=CAROL).plain_text
    after = ask(during, "xdp", who=BOB, locale="en")  # the next plain message is a search again
    assert "is in" not in after.plain_text


def test_the_ask_prompt_can_be_cancelled_and_refuses_outside_the_window(core: Core, clock: FakeClock) -> None:
    early = press(core, "ask 2", who=BOB, locale="en")
    assert "open at" in early.plain_text and not actions(early)
    clock.advance(timedelta(hours=2))
    prompt = press(core, "ask 2", who=BOB, locale="en")
    cancelled = press(core, actions(prompt)[0], who=BOB, locale="en")
    assert "no question" in cancelled.plain_text
    ask(core, "never mind this text", who=BOB, locale="en")
    assert "No questions yet" in ask(core, "/questions 2", who=BOB, locale="en").plain_text


def test_a_linked_speaker_moderates_their_own_talk_only(
    settings: Settings, db: Database, programme: Programme, clock: FakeClock
) -> None:
    linked = settings.model_copy(update={"speakers": ["alice=console:alice_w"]})
    core = Core(linked, db, programme, clock)
    speaker = Address("console", "alice_w", "alice_w")
    clock.advance(timedelta(hours=1, minutes=15))  # 09:15, during the keynote
    asked(core, "/ask 1 to chen's keynote", CAROL, clock)
    clock.advance(timedelta(minutes=50))  # 10:06, during talk 2
    asked(core, "/ask 2 to alice's talk", BOB, clock)
    own = ask(core, "/questions 2", who=speaker, locale="en")
    assert "console:bob" in own.plain_text and any(a.endswith(" answered") for a in actions(own))
    answered = press(core, [a for a in actions(own) if a.endswith(" answered")][0], who=speaker, locale="en")
    assert answered.notice == "Updated"
    assert "to alice's talk" not in ask(core, "/questions 2", who=CAROL).plain_text
    other = ask(core, "/questions 1", who=speaker, locale="en")
    assert "console:carol" not in other.plain_text
    question = vote_button(other, 1).split()[1]
    refused = press(core, f"moderate {question} hide", who=speaker, locale="en")
    assert "Only organizers" in refused.plain_text
