"""A graceful stop in the middle of a pass: what went out is recorded sent, nothing is handed back; sends
that hang past the grace are cancelled and their claims handed back with the attempt undone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.delivery.sender import SendResult
from bot.storage.models import OutboxMessage
from tests.fakes.senders import RecordingSender
from tests.helpers import ask


class SlowSender(RecordingSender):
    """Takes a while per message, like a real platform under load."""

    async def send(self, address: Address, reply: Reply) -> SendResult:
        await asyncio.sleep(0.3)
        return await super().send(address, reply)


async def test_stopping_during_a_pass_neither_loses_nor_requeues_what_was_sent(core: Core, clock: FakeClock) -> None:
    for n in range(5):
        ask(core, "/subscribe 2", who=Address("console", f"u{n}", f"u{n}"))
    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None
    clock.set(talk.start - timedelta(minutes=10))  # every reminder is due
    sender = SlowSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)
    await runtime.start()
    await asyncio.sleep(0.1)  # the sends are under way
    await runtime.stop()
    with core.db.session() as session:
        counts = outbox.counts(session)
    assert len(sender.delivered) == 5
    assert counts.get(outbox.SENT) == 5 and not counts.get(outbox.PENDING)  # a restart sends nothing again


class HangingSender:
    """A platform whose API stopped answering: every send waits until cancelled."""

    platform = "console"
    rate_per_second = 100.0

    def __init__(self) -> None:
        self.started = 0

    async def send(self, address: Address, reply: Reply) -> SendResult:
        self.started += 1
        await asyncio.Event().wait()
        return SendResult.sent()


async def test_stop_cancels_hanging_sends_after_the_grace_and_hands_their_claims_back(
    core: Core, clock: FakeClock
) -> None:
    for user in ("ann", "bob", "cy"):
        ask(core, "/subscribe 2", who=Address("console", user, user))
    talk = core.programme.talk(2)
    assert talk is not None and talk.start is not None
    clock.set(talk.start - timedelta(minutes=10))  # the three reminders are due
    sender = HangingSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)
    await runtime.start()
    for _ in range(500):
        if sender.started == 3:
            break
        await asyncio.sleep(0.01)
    assert sender.started == 3
    with core.db.session() as s:
        assert outbox.counts(s) == {"sending": 3}
    await asyncio.wait_for(runtime.stop(grace=0.2), 5)
    with core.db.session() as s:
        rows = s.execute(select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.claimed_by)).all()
    assert sorted(rows) == [("pending", 0, None)] * 3  # back in the queue, the cancelled attempt not counted
