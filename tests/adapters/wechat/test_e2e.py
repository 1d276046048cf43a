"""End to end on the fake WeChat: signed XML in, passive replies and customer-service messages out.

The bot is served by uvicorn on 127.0.0.1 as ``confbot run`` serves it; the fake plays WeChat's
servers (signing each push, waiting 5 s for the passive reply) and WeChat's API (the access token,
the customer-service window, error codes), on the test's fake clock."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from adapters.wechat.adapter import WeChatAdapter
from bot.chat.messages import Address, Reply, Span
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.features.organizer.stats import collect
from bot.storage.models import ChatChoices, OutboxMessage, PushWindow, Subscription, User
from tests.adapters.wechat.conftest import ORGANIZER, serve, wechat_settings
from tests.conftest import SHANGHAI
from tests.fakes.wechat_api import FakeWeChat

ALICE = "oALICE"
SEND = "/cgi-bin/message/custom/send"


def letter_of(text: str | None, words: str) -> str:
    """The letter to type for the button whose label holds ``words`` (``[c] #3 …``)."""
    for key, label in re.findall(r"\[([a-z]+)\] ([^\[\n]*)", text or ""):
        if words in label:
            return str(key)
    raise AssertionError(f"no button {words!r} in {text!r}")


def subscriptions_of(core: Core, openid: str) -> int:
    with core.db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Subscription)
                .join(User, User.id == Subscription.user_id)
                .where(User.platform == "wechat", User.platform_user_id == openid)
            )
            or 0
        )


@pytest.fixture
async def runtime(core: Core, bot: WeChatAdapter) -> AsyncIterator[Runtime]:
    running = Runtime(core, {"wechat": bot.sender()}, periodic=False)
    await running.start()
    yield running
    await running.stop()


async def test_the_server_check_echoes_and_a_forged_one_is_refused(wechat: FakeWeChat, bot: WeChatAdapter) -> None:
    assert await wechat.verify("1368519312469262262") == (200, "1368519312469262262")
    status, body = await wechat.verify("1368519312469262262", signature_ok=False)
    assert status == 403 and "1368519312469262262" not in body


async def test_a_message_is_answered_passively_in_time_and_a_retry_has_no_second_effect(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core
) -> None:
    answer = await wechat.user_says(ALICE, "/subscribe 3", msg_id=7001)
    assert not answer.user_sees_error and answer.elapsed < 5
    assert answer.to_user == ALICE and answer.msg_type == "text"
    assert "#3" in (answer.content or "") and "48" in (answer.content or "")  # told of the window up front
    assert subscriptions_of(core, ALICE) == 1

    xml, _ = wechat.pushes[-1]
    again = await wechat.post_raw(xml)  # WeChat's retry: the same MsgId
    assert again.status == 200 and again.body == "success" and not again.user_sees_error
    await wechat.user_says(ALICE, "/unsubscribe 3", msg_id=7002)
    assert subscriptions_of(core, ALICE) == 0
    replayed = await wechat.post_raw(xml)  # the old subscribe, repeated: still no effect
    assert replayed.body == "success" and subscriptions_of(core, ALICE) == 0
    assert wechat.calls_to(SEND) == []  # every answer was a passive reply


async def test_a_forged_or_stale_message_is_refused_with_no_effect(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core, clock: FakeClock
) -> None:
    await wechat.user_says(ALICE, "/help")
    xml, _ = wechat.pushes[-1]
    forged = await wechat.post_raw(xml.replace("/help", "/subscribe 3"), signature_ok=False, msg_id=9)
    assert forged.status == 403
    stale = int(clock.now().timestamp()) - 3600
    replayed = await wechat.post_raw(xml.replace("/help", "/subscribe 3"), timestamp=stale, msg_id=10)
    assert replayed.status == 403
    assert subscriptions_of(core, ALICE) == 0
    broken = await wechat.post_raw("<xml><ToUserName>x</ToUserName>")
    assert broken.status == 400
    now = int(clock.now().timestamp())
    first = await wechat.post_raw(xml, timestamp=now, nonce="4242", msg_id=11)  # a real request: answered
    assert first.content and "/agenda" in first.content
    reused = await wechat.post_raw(xml.replace("/help", "/subscribe 3"), timestamp=now, nonce="4242", msg_id=12)
    assert reused.body == "success"  # its signed query, seen once, carries no second body
    assert subscriptions_of(core, ALICE) == 0


async def test_letters_press_the_buttons_and_chinese_aliases_work(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core
) -> None:
    agenda = await wechat.user_says(ALICE, "议程")
    text = agenda.content or ""
    assert "#3 基于eBPF的可观测" in text and "回复字母即可选择" in text
    opened = await wechat.user_says(ALICE, letter_of(text, "#3 基于eBPF"))
    assert "基于eBPF的可观测 #3" in (opened.content or "")
    starred = await wechat.user_says(ALICE, letter_of(opened.content, "订阅提醒").upper())  # "B" presses b too
    assert "已订阅" in (starred.content or "") and "48" in (starred.content or "")
    assert subscriptions_of(core, ALICE) == 1


async def test_safe_mode_round_trips(clock: FakeClock, core: Core) -> None:
    fake = FakeWeChat(now=lambda: clock.now().timestamp(), safe_mode=True)
    await fake.start()
    served = None
    try:
        served = await serve(WeChatAdapter(wechat_settings(fake, safe_mode=True), core))
        fake.server_url = served.url
        answer = await fake.user_says(ALICE, "/talk 3")
        assert answer.problem is None and "<Encrypt>" in answer.body and "/talk" not in answer.body
        assert "基于eBPF的可观测" in (answer.content or "")  # decrypted and its MsgSignature checked by the fake
        forged = await fake.post_raw(fake.pushes[-1][0], signature_ok=False, msg_id=5)
        assert forged.status == 403
        fake.safe_mode = False  # a plaintext body, signed: in safe mode its body is not vouched for
        plain = await fake.post_raw(fake.pushes[-1][0].replace("/talk 3", "/subscribe 3"), msg_id=6)
        assert plain.status == 403 and subscriptions_of(core, ALICE) == 0
    finally:
        if served is not None:
            await served.stop()
        await fake.stop()


async def test_a_reminder_inside_the_window_arrives_once_as_a_customer_service_message(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core, clock: FakeClock, runtime: Runtime
) -> None:
    await wechat.user_says(ALICE, "/subscribe 3")  # talk 3 at 10:00; the reminder is due at 09:50
    clock.set(datetime(2026, 12, 12, 9, 50, tzinfo=SHANGHAI))
    await runtime.dispatch_now()
    await runtime.dispatch_now()
    reminders = [text for openid, text in wechat.sent if openid == ALICE]
    assert len(reminders) == 1 and "#3" in reminders[0] and "基于eBPF的可观测" in reminders[0]
    with core.db.session() as session:
        assert outbox.counts(session).get(outbox.SENT) == 1


async def test_a_reminder_outside_the_window_is_recorded_and_counted_and_not_sent(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core, clock: FakeClock, runtime: Runtime
) -> None:
    clock.set(datetime(2026, 12, 10, 8, 0, tzinfo=SHANGHAI))  # three days before talk 4 (13 Dec, 10:00)
    await wechat.user_says(ALICE, "/subscribe 4")
    clock.set(datetime(2026, 12, 13, 9, 50, tzinfo=SHANGHAI))  # the reminder is due, 73 h after their message
    await runtime.dispatch_now()
    assert wechat.calls_to(SEND) == []  # nothing asked of WeChat that it would refuse
    with core.db.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).one()
        assert row.status == outbox.UNREACHABLE and "window" in (row.last_error or "")
        stats = collect(session, core.programme)
    assert stats.reminders.unreachable == 1 and stats.reminders.sent == 0
    core.add_organizer(Address("wechat", ORGANIZER, ORGANIZER))
    report = await wechat.user_says(ORGANIZER, "/stats")
    assert "1 条提醒未发出" in (report.content or "")


async def test_the_helpdesk_round_trip_answers_inside_the_window(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core, runtime: Runtime
) -> None:
    core.add_organizer(Address("wechat", ORGANIZER, ORGANIZER))
    core.settings.organizers.append(f"wechat:{ORGANIZER}")  # as CONFBOT_ORGANIZERS lists them
    await wechat.user_says(ORGANIZER, "/now")  # an organizer who wrote: the ticket can reach them
    opened = await wechat.user_says(ALICE, "/helpdesk 我的胸牌丢了")
    assert "#1" in (opened.content or "")
    await runtime.dispatch_now()
    ticket = [text for openid, text in wechat.sent if openid == ORGANIZER]
    assert len(ticket) == 1 and "我的胸牌丢了" in ticket[0]
    prompt = await wechat.user_says(ORGANIZER, letter_of(ticket[0], "回复"))
    assert "#1" in (prompt.content or "")
    await wechat.user_says(ORGANIZER, "请到前台领取。")
    await runtime.dispatch_now()
    answers = [text for openid, text in wechat.sent if openid == ALICE]
    assert len(answers) == 1 and "请到前台领取。" in answers[0] and "#1" in answers[0]


async def test_an_unfollow_stops_pushes_and_a_long_answer_continues_in_the_window(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core, clock: FakeClock, runtime: Runtime
) -> None:
    await wechat.user_says(ALICE, "/subscribe 3")
    left = await wechat.user_unfollows(ALICE)
    assert left.body == "success"
    clock.set(datetime(2026, 12, 12, 9, 50, tzinfo=SHANGHAI))
    await runtime.dispatch_now()
    assert wechat.calls_to(SEND) == []
    with core.db.session() as session:
        assert outbox.counts(session).get(outbox.CANCELLED) == 1  # closed when they left, never sent
    back = await wechat.user_says(ALICE, "/help")  # writing again brings them back
    assert back.content and "/agenda" in back.content


async def test_an_expired_token_is_refreshed_once_by_one_of_two_replicas(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core, clock: FakeClock, make_bot: Callable[..., WeChatAdapter]
) -> None:
    other_core = Core(core.settings, core.db, core.programme, clock)  # a second replica, same database
    other = await serve(make_bot(other_core))
    try:
        assert wechat.token_calls == 1  # the second replica found the first one's token
        await wechat.user_says(ALICE, "/help")
        clock.advance(timedelta(hours=2))  # both replicas' token has expired; the window is still open
        results = await asyncio.gather(
            bot.sender().send_parts(ALICE, ["one"], "zh"), other.adapter.sender().send_parts(ALICE, ["two"], "zh")
        )
        assert [r.outcome for r in results] == ["sent", "sent"]
        assert wechat.token_calls == 2  # one refresh for both
        assert sorted(text for _, text in wechat.sent) == ["one", "two"]
        wechat.revoke_tokens()  # WeChat refuses the token (40001): one refresh, one retry, by one replica
        results = await asyncio.gather(
            bot.sender().send_parts(ALICE, ["three"], "zh"), other.adapter.sender().send_parts(ALICE, ["four"], "zh")
        )
        assert [r.outcome for r in results] == ["sent", "sent"] and wechat.token_calls == 3
    finally:
        await other.stop()


async def test_forget_on_wechat_leaves_no_window_or_letters(wechat: FakeWeChat, bot: WeChatAdapter, core: Core) -> None:
    await wechat.user_says(ALICE, "/agenda")  # a window opened, letters shown
    asked = await wechat.user_says(ALICE, "/forget")
    confirm = letter_of(asked.content, "删除")
    done = await wechat.user_says(ALICE, confirm)
    assert done.content and "已删除" in done.content
    with core.db.session() as session:
        for table in (PushWindow, ChatChoices, User):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__


async def test_an_answer_slower_than_the_passive_budget_follows_as_a_customer_service_message(
    wechat: FakeWeChat, bot: WeChatAdapter
) -> None:
    bot.passive_budget = 0.0  # as if the core took longer than WeChat's 5 s allow
    answer = await wechat.user_says(ALICE, "/talk 3")
    assert answer.body == "success" and not answer.user_sees_error
    (late,) = await wechat.wait_for_sent(1)
    assert late[0] == ALICE and "基于eBPF的可观测" in late[1]


async def test_a_second_reply_follows_the_passive_one_as_a_customer_service_message(
    wechat: FakeWeChat, bot: WeChatAdapter, core: Core
) -> None:
    core.add_organizer(Address("wechat", ORGANIZER, ORGANIZER))
    answer = await wechat.user_says(ORGANIZER, "/help")  # two replies: everyone's commands, then the organizers'
    assert answer.content and "/agenda" in answer.content and len(answer.content.encode()) <= 2048
    ((openid, rest),) = await wechat.wait_for_sent(1)
    assert openid == ORGANIZER and "/broadcast" in rest and "/broadcast" not in answer.content


@pytest.mark.parametrize(
    ("failure", "outcome", "retry_after"),
    [(-1, "retry", None), (502, "retry", None), (45009, "retry", 3600.0), (45002, "failed", None)],
)
async def test_wechat_refusals_map_to_the_outbox_outcomes(
    wechat: FakeWeChat, bot: WeChatAdapter, failure: int, outcome: str, retry_after: float | None
) -> None:
    await wechat.user_says(ALICE, "/now")
    wechat.fail_next(failure, SEND)
    result = await bot.sender().send_parts(ALICE, ["a reminder"], "zh")
    assert (result.outcome, result.retry_after) == (outcome, retry_after)
    again = await bot.sender().send_parts(ALICE, ["a reminder"], "zh")  # what was not sent did not use the window
    assert again.outcome == "sent" and wechat.sent == [(ALICE, "a reminder")]


async def test_a_push_to_someone_who_unfollowed_meanwhile_is_blocked(wechat: FakeWeChat, bot: WeChatAdapter) -> None:
    await wechat.user_says(ALICE, "/now")
    wechat.interact(ALICE, "unfollow")  # WeChat knows; the bot has not been told yet
    result = await bot.sender().send(Address("wechat", ALICE, ALICE), Reply(((Span("hi"),),)))
    assert result.outcome == "blocked" and "43004" in (result.error or "")


async def test_mydata_on_wechat_shows_the_window_and_the_letters(wechat: FakeWeChat, bot: WeChatAdapter) -> None:
    await wechat.user_says(ALICE, "/agenda")
    shown = await wechat.user_says(ALICE, "/mydata")
    assert "微信聊天窗口：机器人还可以给你发 5 条消息" in (shown.content or "")
    assert "字母选项" in (shown.content or "")
