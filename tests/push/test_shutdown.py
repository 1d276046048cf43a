"""A graceful stop in the middle of a pass: what went out is recorded sent, nothing is handed back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FakeClock
from bot.core import Core
from bot.messages import Address, Reply
from bot.push import outbox
from bot.push.runtime import Runtime
from bot.push.sender import SendResult
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
    runtime = Runtime(core, {"console": sender}, watch_content=False)
    await runtime.start()
    await asyncio.sleep(0.1)  # the sends are under way
    await runtime.stop()
    with core.db.session() as session:
        counts = outbox.counts(session)
    assert len(sender.delivered) == 5
    assert counts.get(outbox.SENT) == 5 and not counts.get(outbox.PENDING)  # a restart sends nothing again
