"""/forget: after the Erase button no table holds the person's ids, on SQLite and PostgreSQL; what
others see (the stars' count, a question others voted on) stays, anonymously."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import AuditEntry, Question, User
from tests.conftest import SHANGHAI
from tests.features.privacy.traces import tables_with_rows, traces
from tests.helpers import actions, ask, press

ALICE = Address("console", "u-7731", "c-9912")
BOB = Address("console", "bob", "bob")
ORGANIZER = Address("console", "organizer", "organizer")
DURING_TALK2 = datetime(2026, 12, 12, 10, 20, tzinfo=SHANGHAI)


@pytest.fixture
def everywhere(any_db: Database, programme: Programme, clock: FakeClock) -> Core:
    """A core on SQLite or PostgreSQL with calendar feeds on."""
    settings = Settings(_env_file=None, organizers=["console:organizer"], public_url="https://bot.example.org")  # type: ignore[call-arg]
    clock.set(DURING_TALK2)
    return Core(settings, any_db, programme, clock)


def _user_id(core: Core, who: Address) -> int:
    with core.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.platform_user_id == who.user_id))
    assert user_id is not None
    return user_id


def _question(core: Core, text: str) -> int:
    with core.db.session() as session:
        question_id = session.scalar(select(Question.id).where(Question.text == text))
    assert question_id is not None
    return question_id


def _alice_everywhere(core: Core, clock: FakeClock) -> None:
    """Alice uses every feature that stores something about her, and Bob and an organizer answer."""
    ask(core, "/help", who=ORGANIZER)  # organizers get tickets once they talked to the bot
    ask(core, "/subscribe 2 3", who=ALICE, locale="en")
    press(core, "rate 2 4", who=ALICE)
    assert "saved" in ask(core, "Alice's comment", who=ALICE, locale="en").plain_text
    ask(core, "/ask 2 What about AF_XDP sockets?", who=ALICE)
    clock.advance(timedelta(seconds=40))
    ask(core, "/ask 2 Nobody votes on this one?", who=ALICE)
    ask(core, "/ask 2 Bob asks about eBPF maps?", who=BOB)
    press(core, f"vote {_question(core, 'What about AF_XDP sockets?')}", who=BOB)
    press(core, f"vote {_question(core, 'Bob asks about eBPF maps?')}", who=ALICE)
    assert "Ticket #1" in ask(core, "/helpdesk I lost my badge", who=ALICE, locale="en").plain_text
    press(core, "ticket_reply 1", who=ORGANIZER)
    ask(core, "At the front desk", who=ORGANIZER)
    assert "bot.example.org/calendar/" in ask(core, "/ics", who=ALICE, locale="en").plain_text
    ask(core, "/stats", who=ALICE)  # refused: an audit entry under her account
    press(core, "rate 2 5", who=ALICE)  # her next message is awaited as a comment


def _forget(core: Core, who: Address) -> str:
    asked = ask(core, "/forget", who=who, locale="en")
    (erase,) = [a for a in actions(asked) if a.startswith("forget confirm")]
    return press(core, erase, who=who, locale="en").plain_text


def test_after_forget_no_table_holds_the_person(everywhere: Core, clock: FakeClock) -> None:
    core = everywhere
    _alice_everywhere(core, clock)
    alice = _user_id(core, ALICE)
    texts = {ALICE.user_id, ALICE.chat_id}
    assert len(traces(core.db, texts, alice)) > 10  # the scan does see her before
    assert {"subscriptions", "ratings", "questions", "question_votes", "tickets", "ticket_messages"} <= (
        tables_with_rows(core.db)
    )
    assert {"outbox", "calendar_feeds", "pending_inputs", "audit_log"} <= tables_with_rows(core.db)

    assert "Everything the bot stored about you is erased" in _forget(core, ALICE)

    assert traces(core.db, texts | {"Alice's comment", "lost my badge", "Nobody votes"}, alice) == []
    with core.db.session() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "forget"))
        assert (entry.user_id, entry.outcome) == ("forgotten", "ok")


def test_the_stars_and_a_question_others_voted_on_stay_without_who(everywhere: Core, clock: FakeClock) -> None:
    core = everywhere
    _alice_everywhere(core, clock)
    _forget(core, ALICE)
    stats = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
    assert "Ratings (1 on 1 talks):" in stats and "mean 5.00" in stats  # her last press: 5 stars
    assert "People: 2 (2 active" in stats and "forgotten" not in stats  # she is no longer one of them
    listed = ask(core, "/questions 2", who=ORGANIZER, locale="en").plain_text
    assert "What about AF_XDP sockets?" in listed and "Nobody votes" not in listed
    assert "👍 1" in listed  # Bob's vote on it is his
    assert ALICE.user_id not in listed
    bobs = ask(core, "/questions 2", who=BOB, locale="en").plain_text
    assert "Bob asks about eBPF maps?" in bobs
    gone = press(core, "ticket_close 1", who=ORGANIZER, locale="en").plain_text  # her ticket went with her
    assert "went wrong" not in gone and "#1" in gone


def test_after_forget_the_bot_greets_them_as_a_new_user(core: Core, clock: FakeClock) -> None:
    ask(core, "/subscribe 2", who=ALICE, locale="en")
    ask(core, "/lang zh", who=ALICE)
    _forget(core, ALICE)
    mine = ask(core, "/my", who=ALICE, locale="en").plain_text  # English again: no /lang choice kept
    assert "#2" not in mine
    data = ask(core, "/mydata", who=ALICE, locale="en").plain_text
    assert "Starred talks (0)" in data and "Language: en (from your app's language)" in data


def test_mydata_speaks_their_language(core: Core) -> None:
    ask(core, "/subscribe 2", who=ALICE, locale="zh-CN")
    data = ask(core, "/mydata", who=ALICE, locale="zh-CN").plain_text
    assert "机器人保存的关于您的数据" in data and "关注的演讲（1）" in data and "发送 /forget 删除" in data
    assert "删除机器人保存的关于您的全部数据？" in ask(core, "/forget", who=ALICE, locale="zh-CN").plain_text


def test_a_long_list_is_paged(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    for n in range(25):
        ask(core, f"/helpdesk message number {n}", who=ALICE)
        clock.advance(timedelta(seconds=11))
    first = ask(core, "/mydata", who=ALICE, locale="en")
    assert "mydata 2" in actions(first) and "message number 0" in first.plain_text
    second = press(core, "mydata 2", who=ALICE, locale="en")
    assert second.edit and "message number 0" not in second.plain_text and "/forget" in second.plain_text


def test_keep_and_an_old_button_erase_nothing(core: Core, clock: FakeClock) -> None:
    ask(core, "/subscribe 2", who=ALICE, locale="en")
    asked = ask(core, "/forget", who=ALICE, locale="en")
    assert "1 starred talks" in asked.plain_text and "cannot be undone" in asked.plain_text
    assert "nothing was erased" in press(core, "forget keep", who=ALICE, locale="en").plain_text
    (erase,) = [a for a in actions(asked) if a.startswith("forget confirm")]
    clock.advance(timedelta(minutes=11))
    assert "expired" in press(core, erase, who=ALICE, locale="en").plain_text
    assert "forget confirm" in " ".join(actions(ask(core, "/forget", who=ALICE, locale="en")))
    assert "#2" in ask(core, "/my", who=ALICE, locale="en").plain_text


def test_an_organizer_forgotten_leaves_their_actions_on_record_without_them(core: Core, clock: FakeClock) -> None:
    ask(core, "/broadcast Doors open at 9", who=ORGANIZER)  # a preview: stored under their account
    ask(core, "/stats", who=ORGANIZER)
    _forget(core, ORGANIZER)
    with core.db.session() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.user_id) for e in entries] == [
        ("broadcast", "forgotten"),
        ("stats", "forgotten"),
        ("forget", "forgotten"),
    ]
    assert traces(core.db, {"organizer"}, -1) == []


def test_in_a_group_they_are_asked_to_use_a_private_chat(core: Core) -> None:
    from bot.chat.messages import Request

    for text in ("/forget", "/mydata"):
        (reply,) = core.handle(Request(ALICE, text=text, locale="en", is_group=True, channel="g1"))
        assert "private chat" in reply.plain_text and not actions(reply)
