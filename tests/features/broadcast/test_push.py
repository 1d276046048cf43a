"""Broadcast delivery: bulk queueing, completion with one summary, and reminders first."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.runtime import Runtime
from bot.delivery.sender import SendResult
from bot.features.broadcast import push as broadcasts
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Broadcast, OutboxMessage, User
from tests.factories import add_people, small_programme
from tests.fakes.senders import RecordingSender
from tests.helpers import actions, ask, dispatcher_for, press

ORGANIZER = Address("telegram", "1", "1")


def _users(db: Database, count: int, now: datetime, platform: str = "telegram") -> None:
    with db.session() as s:
        add_people(s, count, now, first=10_000, platform=platform)


def _broadcast_via_chat(core: Core, text: str = "Coffee in *Hall B*") -> int:
    shown = ask(core, f"/broadcast {text}", who=ORGANIZER, locale="en")
    confirm = next(a for a in actions(shown) if a.startswith("confirm "))
    assert "queued" in press(core, confirm, who=ORGANIZER, locale="en").plain_text
    with core.db.session() as s:
        return s.scalars(select(Broadcast.id).order_by(Broadcast.id.desc())).first() or 0


def test_ten_thousand_recipients_are_queued_in_one_statement(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    _users(any_db, 10_000, now)
    began = time.perf_counter()
    with any_db.session() as s:
        cast = broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=now)
        cast_id = cast.id
    took = time.perf_counter() - began
    print(f"10 000 broadcast rows queued in {took * 1000:.0f} ms on {any_db.dialect}")
    assert took < 5
    with any_db.session() as s:
        assert s.get(Broadcast, cast_id).recipients == 10_000  # type: ignore[union-attr]
        keys = s.execute(
            select(
                OutboxMessage.key, OutboxMessage.priority, func.count(func.distinct(OutboxMessage.recipient_id))
            ).group_by(OutboxMessage.key, OutboxMessage.priority)
        ).all()
        assert keys == [(f"broadcast:{cast_id}", outbox.BULK, 10_000)]
        # queueing the same broadcast's rows again adds nobody twice
        again = outbox.enqueue_many(
            s, broadcasts.recipients(broadcasts.EVERYONE), kind="broadcast", key=f"broadcast:{cast_id}",
            due_at=now, priority=outbox.BULK, now=now,
        )  # fmt: skip
        assert again == 0


async def test_the_organizer_gets_one_summary_even_with_two_replicas(
    any_db: Database, settings: Settings, clock: FakeClock
) -> None:
    core = Core(settings, any_db, small_programme(), clock)
    core.add_organizer(ORGANIZER)
    ask(core, "/now", who=ORGANIZER, locale="en")
    _users(any_db, 20, clock.now())
    sender = RecordingSender(platform="telegram")
    sender.per_chat["10003"] = SendResult.blocked("403 blocked")
    sender.per_chat["10004"] = SendResult.failed("400 chat not found")
    first = Runtime(core, {"telegram": sender}, replica_id="r1", periodic=False)
    second = Runtime(core, {"telegram": sender}, replica_id="r2", periodic=False)
    cast_id = _broadcast_via_chat(core)
    await first.dispatch_now()  # sends the broadcast, finds it complete, queues the summary
    await second.dispatch_now()  # sends the summary; nothing left to finish
    await first.dispatch_now()
    await second.dispatch_now()
    assert sender.texts("1") == [  # the organizer is in the audience too
        "Coffee in Hall B",
        f"📣 Broadcast #{cast_id} (all) has finished:\n19 sent, 1 failed, 1 blocked (of 21)",
    ]
    with any_db.session() as s:
        cast = s.get(Broadcast, cast_id)
        assert cast is not None and cast.status == "done" and cast.completed_at == clock.now()
        assert broadcasts.finish_completed(s, clock.now()) == []
    status = ask(core, "/broadcast status", who=ORGANIZER, locale="en").plain_text
    assert "· all · done" in status and "sent 19 · pending 0 · failed 1 · blocked 1" in status


async def test_a_broadcast_completes_only_when_nothing_is_pending(core: Core, clock: FakeClock) -> None:
    core.add_organizer(ORGANIZER)
    ask(core, "/now", who=ORGANIZER, locale="en")
    _users(core.db, 3, clock.now())
    sender = RecordingSender(platform="telegram")
    sender.script.append(SendResult.retry(5, "429"))
    runtime = Runtime(core, {"telegram": sender}, periodic=False)
    cast_id = _broadcast_via_chat(core)
    await runtime.dispatch_now()
    with core.db.session() as s:
        assert s.get(Broadcast, cast_id).status == "sending"  # type: ignore[union-attr]
    assert not any("finished" in text for text in sender.texts())  # one row waits for its retry
    clock.advance(5)
    await runtime.dispatch_now()
    await runtime.dispatch_now()
    assert len(sender.texts()) == 4 + 1
    assert sender.texts("1")[-1] == f"📣 Broadcast #{cast_id} (all) has finished:\n4 sent, 0 failed, 0 blocked (of 4)"


def test_a_due_reminder_is_claimed_before_thousands_of_broadcast_rows(any_db: Database, clock: FakeClock) -> None:
    now = clock.now()
    _users(any_db, 5_000, now)
    with any_db.session() as s:
        broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=now)
    clock.advance(60)  # a minute into the broadcast, a reminder comes due
    with any_db.session() as s:
        someone = s.scalars(select(User.id).limit(1)).one()
        outbox.enqueue(
            s, recipient_id=someone, kind="reminder", key="reminder:2:x", due_at=clock.now(), now=clock.now()
        )
    (first,) = outbox.claim(any_db, now=clock.now(), worker="w", limit=1, lease=timedelta(minutes=2))
    assert first.kind == "reminder"


async def test_a_reminder_due_during_a_broadcast_is_sent_next(core: Core, clock: FakeClock) -> None:
    """While a broadcast is being sent, a reminder coming due waits only for the sends in flight and
    those claimed ahead of them (the dispatcher claims one ``concurrency`` at a time)."""
    _users(core.db, 400, clock.now())
    with core.db.session() as s:
        broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=clock.now())
        reminded = s.scalars(select(User).limit(1)).one()
        reminded_chat = reminded.chat_id
    order: list[str] = []

    class Sender(RecordingSender):
        async def send(self, address: Address, reply: Reply) -> SendResult:
            order.append(reply.plain_text.split("\n")[0])
            if len(order) == 100:  # a reminder comes due in the middle of the broadcast
                with core.db.session() as s:
                    outbox.enqueue(
                        s, recipient_id=reminded.id, kind="reminder", key="reminder:2:x",
                        due_at=clock.now(), payload={"talk": 2}, now=clock.now(),
                    )  # fmt: skip
            return await super().send(address, reply)

    dispatcher = dispatcher_for(core, {"telegram": Sender(platform="telegram")})
    await dispatcher.run_due()
    position = next(i for i, text in enumerate(order) if text.startswith("⏰"))
    assert len(order) == 401 and order.count("hi") == 400
    # only the rows already claimed (in flight, or claimed ahead: at most twice the concurrency) go first
    assert 100 <= position <= 100 + 2 * dispatcher.concurrency, position
    assert reminded_chat


async def test_two_replicas_on_postgresql_send_a_broadcast_exactly_once(pg_db: Database, clock: FakeClock) -> None:
    _users(pg_db, 1_000, clock.now())
    with pg_db.session() as s:
        broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=clock.now())
    delivered: Counter[str] = Counter()

    class Slow(RecordingSender):
        async def send(self, address: Address, reply: Reply) -> SendResult:
            await asyncio.sleep(0.0005)  # the two dispatchers interleave
            delivered[address.chat_id] += 1
            return SendResult.sent()

    programme = small_programme()
    first, second = (
        Dispatcher(pg_db, clock, lambda: programme, {"telegram": Slow(platform="telegram")}, worker_id=w)
        for w in ("r1", "r2")
    )
    reports = await asyncio.gather(first.run_due(), second.run_due())
    assert len(delivered) == 1_000 and set(delivered.values()) == {1}
    assert all(r.outcomes["sent"] > 100 for r in reports)  # both did a share


async def test_rows_claimed_ahead_whose_lease_ran_out_are_left_to_the_worker_that_retook_them(
    core: Core, clock: FakeClock
) -> None:
    """A send that stalls past the lease lets another worker retake the rows this one claimed ahead;
    this one must then not send them too (only the stalled send itself can arrive twice)."""
    _users(core.db, 6, clock.now())
    with core.db.session() as s:
        broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=clock.now())
    other = RecordingSender(platform="telegram")
    retaker = dispatcher_for(core, {"telegram": other}, worker_id="other")

    class Stalling(RecordingSender):
        async def send(self, address: Address, reply: Reply) -> SendResult:
            if not self.delivered:  # the first send hangs past the lease; meanwhile the other worker runs
                clock.advance(retaker.lease.total_seconds() + 1)
                await retaker.run_due()
            return await super().send(address, reply)

    stalling = Stalling(platform="telegram")
    await dispatcher_for(core, {"telegram": stalling}, worker_id="stalling", concurrency=1).run_due()
    got = Counter(a.chat_id for a, r in stalling.delivered + other.delivered if r.plain_text == "hi")
    assert sorted(got) == sorted(str(10_000 + n) for n in range(6))  # everybody got it
    assert sum(got.values()) - len(got) <= 1  # only the stalled send went twice


async def test_sends_slower_than_the_lease_still_reach_everyone_once(core: Core, clock: FakeClock) -> None:
    """Each send outlasts the claim's lease, so this worker's next claim retakes its own rows, in
    flight and claimed ahead: none of them is queued, or sent, a second time."""
    _users(core.db, 8, clock.now())
    with core.db.session() as s:
        broadcasts.start(s, audience=broadcasts.EVERYONE, text="hi", created_by="telegram:1", now=clock.now())
    dispatcher = dispatcher_for(core, {"telegram": RecordingSender(platform="telegram")}, concurrency=2)

    class Slow(RecordingSender):
        async def send(self, address: Address, reply: Reply) -> SendResult:
            clock.advance(dispatcher.lease.total_seconds() + 1)
            await asyncio.sleep(0)  # the other send in flight gets its turn
            return await super().send(address, reply)

    slow = Slow(platform="telegram")
    dispatcher.senders["telegram"] = slow
    await dispatcher.run_due()
    got = Counter(a.chat_id for a, r in slow.delivered if r.plain_text == "hi")
    assert got == Counter({str(10_000 + n): 1 for n in range(8)})
