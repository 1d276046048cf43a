"""The personal home screen: the user's agenda, now and next, and the .ics, in their language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import User

ALICE = Address("slack", "U1ALICE", "D1ALICE")


def _actions(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.action for row in reply.button_rows for b in row]


def test_home_lists_my_talks_then_now_and_next_with_an_ics_button(core: Core, clock: FakeClock) -> None:
    core.handle(Request(ALICE, text="/subscribe 2", locale="en-US"))
    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None
    clock.set(talk.start + timedelta(minutes=5))
    reply = core.home(ALICE, "en-US")
    text = reply.plain_text
    assert text.index("Your agenda") < text.index("#2") < text.index("Running now")
    assert "unsub 2" in _actions(reply) and "ics" in _actions(reply)


def test_home_speaks_the_users_language_and_does_not_move_their_push_address(core: Core) -> None:
    core.handle(Request(ALICE, text="/lang zh", locale="en-US"))
    reply = core.home(Address("slack", "U1ALICE", "U1ALICE"), "en-US")
    assert "我的日程" in reply.plain_text and reply.buttons[-1][0].action == "ics"
    with core.db.session() as s:
        user = s.scalar(select(User).where(User.platform_user_id == "U1ALICE"))
        assert user is not None and user.chat_id == "D1ALICE"
