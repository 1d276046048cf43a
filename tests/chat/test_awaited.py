"""Awaiting a user's next plain message: taken once, by the next plain message in the same chat."""

from __future__ import annotations

from datetime import timedelta

from bot.chat import awaited
from bot.chat.messages import Address, Reply, ReplyBuilder, Request
from bot.chat.registry import Context
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.db import Database
from tests.helpers import ALICE, ask, press

ECHO = "test-echo"


@awaited.awaits(ECHO, max_chars=20)
def _echo(ctx: Context, pending: awaited.Pending, text: str) -> Reply:
    return ReplyBuilder().line(f"got {text} for {pending.target}").build()


@awaited.on_skip(ECHO)
def _skipped(ctx: Context, target: str, was_pending: bool) -> Reply:
    return ReplyBuilder().line(f"skipped {target} {was_pending}").build(edit=True)


def _expect(core: Core, target: str = "12", *, request: Request | None = None, minutes: int = 15) -> None:
    with core.db.session() as session:
        awaited.expect(
            session, request or Request(ALICE), ECHO, target, core.clock.now(), ttl=timedelta(minutes=minutes)
        )


def test_the_next_plain_message_is_taken_once(core: Core) -> None:
    _expect(core)
    assert core.awaits_input(Request(ALICE))
    assert ask(core, "great talk").plain_text == "got great talk for 12"
    assert not core.awaits_input(Request(ALICE))
    assert "got" not in ask(core, "great talk").plain_text  # the next one is an ordinary search again


def test_a_bare_number_is_taken_as_the_text_too(core: Core) -> None:
    _expect(core)
    assert ask(core, "5").plain_text == "got 5 for 12"


def test_a_typed_command_drops_the_wait_but_a_button_press_does_not(core: Core) -> None:
    _expect(core)
    press(core, "agenda")
    assert ask(core, "hello").plain_text == "got hello for 12"
    _expect(core)
    ask(core, "/agenda")
    assert not core.awaits_input(Request(ALICE))
    assert "got" not in ask(core, "hello").plain_text


def test_a_text_over_the_limit_is_refused_and_still_awaited(core: Core) -> None:
    _expect(core)
    refused = ask(core, "x" * 21, locale="en").plain_text
    assert "too long (21 characters)" in refused and "at most 20" in refused
    assert ask(core, "short").plain_text == "got short for 12"


def test_an_expired_wait_takes_nothing(core: Core, clock: FakeClock) -> None:
    _expect(core, minutes=5)
    clock.advance(timedelta(minutes=6))
    assert not core.awaits_input(Request(ALICE))
    assert "got" not in ask(core, "late").plain_text


def test_skip_drops_only_the_wait_it_was_shown_with(core: Core) -> None:
    _expect(core, "12")
    _expect(core, "13")  # a newer prompt replaces the older one
    stale = press(core, "skip test-echo 12")
    assert stale.plain_text == "skipped 12 False" and stale.edit
    assert core.awaits_input(Request(ALICE))
    assert press(core, "skip test-echo 13").plain_text == "skipped 13 True"
    assert "got" not in ask(core, "hello").plain_text


def test_a_wait_in_a_group_is_not_taken_by_a_private_message(core: Core) -> None:
    in_group = Request(ALICE, is_group=True, channel="group-1")
    _expect(core, request=in_group)
    assert "got" not in ask(core, "hello").plain_text
    replies = core.handle(Request(ALICE, text="hello", is_group=True, channel="group-1"))
    assert [r.plain_text for r in replies] == ["got hello for 12"]


def test_someone_elses_message_is_not_taken(core: Core) -> None:
    _expect(core)
    bob = Address("console", "bob", "bob")
    assert "got" not in ask(core, "hello", who=bob).plain_text
    assert core.awaits_input(Request(ALICE))


def test_a_wait_survives_a_restart_and_is_taken_by_one_replica(any_db: Database, core: Core) -> None:
    first = Core(core.settings, any_db, core.programme, core.clock)
    second = Core(core.settings, any_db, core.programme, core.clock)
    _expect(first)
    assert ask(second, "after restart").plain_text == "got after restart for 12"
    with any_db.session() as session:  # a replica that races it finds nothing left
        assert awaited.take(session, Request(ALICE), core.clock.now()) is None


def test_an_unknown_purpose_can_not_be_awaited(core: Core) -> None:
    with core.db.session() as session:
        try:
            awaited.expect(session, Request(ALICE), "no-such-purpose", "1", core.clock.now())
        except ValueError as err:
            assert "no-such-purpose" in str(err)
        else:
            raise AssertionError("expected a ValueError")
