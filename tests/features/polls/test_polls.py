"""/poll: an organizer or talk 3's linked speaker makes a poll, others are refused; the limits are
Telegram's; it goes to the room's announcement chat with a vote button per option; one vote per
person, a new vote moving it; /poll results merges every platform's votes; closed at the talk's end;
/forget takes a person's votes out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.loader import load_content_file
from bot.programme.content.programme import Programme
from bot.settings import BUNDLED_CONTENT, Settings
from tests.conftest import SHANGHAI
from tests.fakes.senders import RecordingSender
from tests.helpers import actions, ask, dispatcher_for, press

ORGANIZER = Address("console", "organizer", "organizer")
SPEAKER = Address("console", "zhang", "zhang")  # speaks at talk 3
OTHER_SPEAKER = Address("console", "zhou", "zhou")  # speaks at talk 4
BOB = Address("slack", "U0BOB", "D0BOB")
GROUP = "-100123"


@pytest.fixture
def programme() -> Programme:
    return Programme.from_content(load_content_file(BUNDLED_CONTENT))  # talk 3: room A, 10:40-11:20


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 12, 10, 45, tzinfo=SHANGHAI))  # talk 3 (room A) is on


@pytest.fixture
def settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        organizers=[f"console:{ORGANIZER.user_id}"],
        speakers=["zhangcheng=console:zhang", "zhouheyang=console:zhou"],
    )


def _announce_room_a(core: Core) -> None:
    group = Address("console", ORGANIZER.user_id, GROUP)
    replies = core.handle(Request(group, text="/announce here A", locale="en", is_group=True, channel=GROUP))
    assert "Main Hall" in replies[0].plain_text


async def test_an_organizer_poll_goes_to_the_room_chat_and_votes_add_up(core: Core) -> None:
    _announce_room_a(core)
    made = ask(core, "/poll 3 Which tracer? | bpftrace | BCC | libbpf", who=ORGANIZER, locale="en")
    assert "📊 Poll 1: Which tracer?" in made.plain_text
    assert "Posted to the announcement chats of Main Hall: 1" in made.plain_text
    assert actions(made) == ["poll_vote 1 0", "poll_vote 1 1", "poll_vote 1 2"]

    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    polls = [(a, r) for a, r in sender.delivered if r.poll is not None]
    assert len(polls) == 1
    address, posted = polls[0]
    assert address.chat_id == GROUP
    assert posted.poll is not None and posted.poll.options == ("bpftrace", "BCC", "libbpf")
    assert posted.poll.closes_at == datetime(2026, 12, 12, 11, 20, tzinfo=SHANGHAI)
    assert "📊 Which tracer?" in posted.plain_text and actions(posted)[0] == "poll_vote 1 0"

    assert press(core, "poll_vote 1 1", locale="en").notice == "Your vote: BCC"
    press(core, "poll_vote 1 0", who=BOB, locale="en")
    press(core, "poll_vote 1 2", who=ORGANIZER, locale="en")
    press(core, "poll_vote 1 2", locale="en")  # alice changes her mind: her vote moves
    results = ask(core, "/poll results 1", locale="en").plain_text
    assert "1. bpftrace: 1 " in results and "2. BCC: 0 " in results and "3. libbpf: 2 " in results
    assert "Votes from every platform: 3" in results and "Open until the talk ends." in results


def test_only_organizers_and_the_talks_speakers_may_make_one(core: Core) -> None:
    assert "📊 Poll 1" in ask(core, "/poll 3 Ready? | yes | no", who=SPEAKER, locale="en").plain_text
    refused = "Only the organizers and the speakers of talk #3 can start a poll on it."
    assert ask(core, "/poll 3 Ready? | yes | no", who=OTHER_SPEAKER, locale="en").plain_text == refused
    assert ask(core, "/poll 3 Ready? | yes | no", locale="en").plain_text == refused
    assert "console:alice · /poll 3 Ready? | yes | no → refused" in ask(core, "/audit", who=ORGANIZER).plain_text


def test_telegrams_limits_are_refused_clearly(core: Core) -> None:
    def make(text: str) -> str:
        return ask(core, f"/poll 3 {text}", who=ORGANIZER, locale="en").plain_text

    assert make("Only one? | yes").startswith("Usage: /poll <talk id> <question>")
    assert make("x" * 301 + " | a | b") == "The question may be at most 300 characters."
    assert make("Q | a | " + "b" * 101) == "An option may be at most 100 characters."
    assert make("Q | " + " | ".join(str(i) for i in range(13))) == "At most 12 options."
    assert make("Q | yes | Yes") == "Two options are the same; give each one once."
    assert make("Q | " + " | ".join(str(i) for i in range(12))).startswith("📊 Poll 1")
    assert ask(core, "/poll 1 Q | a | b", who=ORGANIZER, locale="en").plain_text == "That talk is over: no poll."


def test_votes_close_with_the_talk_and_forget_takes_them_out(core: Core, clock: FakeClock) -> None:
    ask(core, "/poll 3 Ready? | yes | no", who=ORGANIZER, locale="en")
    press(core, "poll_vote 1 0", locale="en")
    press(core, "poll_vote 1 0", who=BOB, locale="en")
    assert press(core, "poll_vote 1 5", locale="en").plain_text == "That poll has no such option."
    assert press(core, "poll_vote 1 none", who=BOB, locale="en").plain_text == "Your vote is taken back."
    assert "1. yes: 1 " in ask(core, "/poll results 1", locale="en").plain_text
    (erase,) = [a for a in actions(ask(core, "/forget", locale="en")) if a.startswith("forget confirm")]
    press(core, erase, locale="en")
    assert "Votes from every platform: 0" in ask(core, "/poll results 1", who=ORGANIZER, locale="en").plain_text
    clock.advance(timedelta(minutes=40).total_seconds())
    assert press(core, "poll_vote 1 1", who=BOB, locale="en").plain_text == "This poll has closed (its talk is over)."
    assert "Closed." in ask(core, "/poll results 1", locale="en").plain_text
