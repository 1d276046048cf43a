"""End to end: a group member's awaited text is taken in the group; other chatter stays ignored."""

from __future__ import annotations

from bot.chat import awaited
from bot.chat.messages import Address, Request
from bot.core import Core
from tests.adapters.telegram.test_e2e import ALICE
from tests.chat.test_awaited import ECHO
from tests.fakes.telegram_server import FakeTelegram

GROUP = -100777


async def test_a_group_member_s_awaited_text_is_taken_and_chatter_is_not(
    fake_telegram: FakeTelegram, polling_bot: object, core: Core
) -> None:
    in_group = Request(Address("telegram", str(ALICE), str(GROUP)), is_group=True, channel=str(GROUP))
    with core.db.session() as session:
        awaited.expect(session, in_group, ECHO, "7", core.clock.now())
    fake_telegram.push(fake_telegram.message_update(2002, "lunch anyone?", chat_id=GROUP))  # not awaited from them
    fake_telegram.push(fake_telegram.message_update(ALICE, "the answer", chat_id=GROUP))
    fake_telegram.push(fake_telegram.message_update(ALICE, "more chatter", chat_id=GROUP))
    fake_telegram.push(fake_telegram.message_update(ALICE, "/now@confbot_test_bot", chat_id=GROUP))
    answers = [a["text"] for a in await fake_telegram.wait_for("sendMessage", 2, chat_id=GROUP)]
    # updates are handled concurrently, so the two answers may arrive in either order
    assert answers.count("got the answer for 7") == 1
    (now,) = [a for a in answers if a != "got the answer for 7"]
    assert "got" not in now  # the /now answer: the chatter in between was ignored
    assert len(fake_telegram.sent("sendMessage", chat_id=GROUP)) == 2
