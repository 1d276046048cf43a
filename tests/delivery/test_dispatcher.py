"""Reminders are sent once, on time, whatever happens to the process."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.chat.messages import Address, Reply, ReplyBuilder
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox, renderers
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.renderers import PushContext, renderer
from bot.delivery.sender import SendResult
from bot.storage.models import OutboxMessage, User
from tests.conftest import SHANGHAI
from tests.fakes.senders import RecordingSender
from tests.helpers import ALICE, ask, dispatcher_for

TALK2 = datetime(2026, 12, 12, 10, 0, tzinfo=SHANGHAI)


def _statuses(core: Core) -> dict[str, int]:
    with core.db.session() as s:
        return outbox.counts(s)


async def test_reminder_is_sent_once_at_its_due_time(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    dispatcher = dispatcher_for(core, {"console": sender})
    ask(core, "/subscribe 2", locale="en")
    clock.set(TALK2 - timedelta(minutes=11))
    assert (await dispatcher.run_due()).total == 0
    clock.set(TALK2 - timedelta(minutes=10))
    await dispatcher.run_due()
    await dispatcher.run_due()
    assert sender.texts() == ["⏰ Starting in 10 minutes:\n#2 XDP <fast> & furious\n📍 Hall A · 10:00 (UTC+8)"]
    reply = sender.delivered[0][1]
    assert [b.action for row in reply.buttons for b in row][0] == "unsub 2"


async def test_nothing_is_sent_twice_after_a_restart(core: Core, clock: FakeClock, settings, programme) -> None:  # type: ignore[no-untyped-def]
    sender = RecordingSender()
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    await dispatcher_for(core, {"console": sender}).run_due()
    restarted = Core(settings, type(core.db)(core.db.url), programme, clock)  # a new process, same DB
    clock.advance(60)
    await dispatcher_for(restarted, {"console": sender}).run_due()
    assert len(sender.delivered) == 1


async def test_downtime_catch_up_sends_with_real_minutes_left(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    ask(core, "/subscribe 2", locale="en")
    clock.set(TALK2 - timedelta(minutes=3))  # the bot was down when it came due
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sender.texts()[0].startswith("⏰ Starting in 3 minutes")


async def test_reminder_after_the_talk_started_is_recorded_missed(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    ask(core, "/subscribe 2")
    clock.set(TALK2 + timedelta(minutes=1))
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sender.delivered == []
    assert _statuses(core) == {"missed": 1}


async def test_subscribing_inside_the_lead_time_reminds_at_once(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    clock.set(TALK2 - timedelta(minutes=4))
    ask(core, "/subscribe 2", locale="en")
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sender.texts()[0].startswith("⏰ Starting in 4 minutes")


async def test_retry_after_is_honoured_exactly(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender(script=deque([SendResult.retry(37, "429 Too Many Requests")]))
    dispatcher = dispatcher_for(core, {"console": sender})
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    await dispatcher.run_due()
    with core.db.session() as s:
        row = s.scalar(select(OutboxMessage))
        assert row.status == "pending" and row.due_at == clock.now() + timedelta(seconds=37)
        assert "429" in row.last_error
    clock.advance(36)
    await dispatcher.run_due()
    assert sender.delivered == []
    clock.advance(1)
    await dispatcher.run_due()
    assert len(sender.delivered) == 1 and _statuses(core) == {"sent": 1}


async def test_blocked_user_is_deactivated_and_their_reminders_stop(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender(per_chat={ALICE.chat_id: SendResult.blocked("403 Forbidden: bot was blocked by the user")})
    ask(core, "/subscribe 2")
    ask(core, "/subscribe 4")
    clock.set(TALK2 - timedelta(minutes=10))
    await dispatcher_for(core, {"console": sender}).run_due()
    with core.db.session() as s:
        user = s.scalar(select(User).where(User.platform_user_id == ALICE.user_id))
        assert user is not None and not user.active
    assert _statuses(core) == {"blocked": 1, "cancelled": 1}
    ask(core, "/my")  # they unblock the bot and write again: the future reminder is back
    assert _statuses(core) == {"blocked": 1, "pending": 1}


async def test_permanent_failure_keeps_the_reason(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender(per_chat={ALICE.chat_id: SendResult.failed("400 Bad Request: chat not found")})
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    await dispatcher_for(core, {"console": sender}).run_due()
    with core.db.session() as s:
        row = s.scalar(select(OutboxMessage))
        assert row.status == "failed" and row.last_error == "400 Bad Request: chat not found"


async def _retry_delays(
    core: Core, clock: FakeClock, dispatcher: Dispatcher, *, attempts: int
) -> tuple[list[float], OutboxMessage]:
    """Run the dispatcher at each retry's due time, up to ``attempts`` passes: the delays it chose
    and the row as it ended."""
    delays: list[float] = []
    for _ in range(attempts):
        before = clock.now()
        await dispatcher.run_due()
        with core.db.session() as s:
            row = s.scalars(select(OutboxMessage)).one()
        if row.status != "pending":
            break
        delays.append((row.due_at - before).total_seconds())
        clock.set(row.due_at)
    return delays, row


async def test_repeated_5xx_backs_off_then_gives_up(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender(per_chat={ALICE.chat_id: SendResult("retry", None, "502 Bad Gateway")})
    dispatcher = dispatcher_for(core, {"console": sender}, max_attempts=3, base_backoff=2)
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    delays, row = await _retry_delays(core, clock, dispatcher, attempts=3)
    assert delays == [2, 4]
    assert row.status == "failed" and "gave up after 3 attempts" in row.last_error


async def test_a_5xx_is_retried_at_once_then_with_the_back_off(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender(per_chat={ALICE.chat_id: SendResult.retry_soon("502 Bad Gateway")})
    dispatcher = dispatcher_for(core, {"console": sender}, max_attempts=4, base_backoff=0.5)
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    delays, row = await _retry_delays(core, clock, dispatcher, attempts=4)
    assert delays == [0.1, 1, 2]  # the tail of a broadcast does not wait 0.5 s for a gateway hiccup
    assert row.status == "failed" and "gave up after 4 attempts" in row.last_error


async def test_a_crashed_claim_is_retaken_after_its_lease(core: Core, clock: FakeClock) -> None:
    sender = RecordingSender()
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    crashed = outbox.claim(core.db, now=clock.now(), worker="dead", limit=10, lease=timedelta(seconds=60))
    assert len(crashed) == 1
    survivor = dispatcher_for(core, {"console": sender}, lease=timedelta(seconds=60))
    await survivor.run_due()
    assert sender.delivered == []  # still leased by the dead worker
    clock.advance(61)
    await survivor.run_due()
    assert len(sender.delivered) == 1


async def test_release_on_shutdown_hands_claims_back(core: Core, clock: FakeClock) -> None:
    ask(core, "/subscribe 2")
    clock.set(TALK2 - timedelta(minutes=10))
    dispatcher = dispatcher_for(core, {"console": RecordingSender()}, worker_id="w1")
    outbox.claim(core.db, now=clock.now(), worker="w1", limit=10, lease=timedelta(minutes=5))
    assert dispatcher.release() == 1
    assert _statuses(core) == {"pending": 1}


async def test_a_timed_out_send_is_retried_and_counted_as_a_possible_duplicate(core: Core, clock: FakeClock) -> None:
    from prometheus_client import REGISTRY

    def timeouts() -> float:
        return REGISTRY.get_sample_value("confbot_send_timeouts_total", {"platform": "console"}) or 0.0

    before = timeouts()
    sender = RecordingSender(script=deque([SendResult.timed_out("timeout: no answer in 20 s")]))
    ask(core, "/subscribe 2", locale="en")
    clock.set(TALK2 - timedelta(minutes=10))
    dispatcher = dispatcher_for(core, {"console": sender})
    await dispatcher.run_due()
    assert timeouts() == before + 1 and _statuses(core).get("pending") == 1  # counted, and retried
    clock.advance(1)
    await dispatcher.run_due()
    assert len(sender.delivered) == 1 and _statuses(core).get("sent") == 1


async def test_a_web_only_attendees_reminder_is_closed_not_retried_for_ever(core: Core, clock: FakeClock) -> None:
    """An attendee with only a personal web page has no push channel: their reminder is their calendar
    alarm, and the row says so instead of coming back every 30 seconds until the talk starts."""
    sender = RecordingSender()
    token = core.web_new_agenda("en")
    holder = core.web_holder(token)
    assert holder is not None
    core.web_run(holder, "sub 2", "en")
    clock.set(TALK2 - timedelta(minutes=10))
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sender.delivered == []
    with core.db.session() as s:
        row = s.scalars(select(OutboxMessage)).one()
    assert row.status == "cancelled" and row.last_error == "web has no push: shown on the page"


async def test_one_person_s_pushes_arrive_in_the_order_claimed_even_when_the_first_is_slow(
    core: Core, clock: FakeClock
) -> None:
    """Sends go out side by side, but never two to one person: a slow first push still arrives before
    the next ones to the same person, and another person's push does not wait for any of them."""

    class FirstIsSlow(RecordingSender):
        def __init__(self) -> None:
            super().__init__()
            self.let_go = asyncio.Event()
            self.started: list[str] = []

        async def send(self, address: Address, reply: Reply) -> SendResult:
            self.started.append(f"{address.chat_id}:{reply.plain_text}")
            if len(self.started) == 1:
                await self.let_go.wait()
            return await super().send(address, reply)

    @renderer("toy_note")
    def note(push: PushContext) -> Reply:
        return ReplyBuilder().line(str(push.payload["n"])).build()

    try:
        ask(core, "/now")
        ask(core, "/now", who=Address("console", "bob", "bob"))
        now = clock.now()
        with core.db.session() as s:
            ids = {row.platform_user_id: row.id for row in s.execute(select(User.platform_user_id, User.id))}
            for n, who in [*((n, "alice") for n in range(1, 21)), (21, "bob")]:  # more than the 16 sends at once
                outbox.enqueue(
                    s, recipient_id=ids[who], kind="toy_note", key=f"n{n}", due_at=now, payload={"n": n}, now=now
                )
        sender = FirstIsSlow()
        running = asyncio.create_task(dispatcher_for(core, {"console": sender}).run_due())
        for _ in range(10_000):  # Bob's goes out while Alice's first is still on its way
            if len(sender.started) == 2:
                break
            await asyncio.sleep(0)
        assert sender.started == ["alice:1", "bob:21"]  # Alice's others wait for her first, holding no slot
        sender.let_go.set()
        await running
        assert sender.texts("alice") == [str(n) for n in range(1, 21)] and sender.texts("bob") == ["21"]
    finally:
        renderers.RENDERERS.pop("toy_note")
