"""A new kind of push is one feature folder's change: a toy feature registers its renderer and its
job, and the runtime, dispatcher and senders run them without a line of ``bot/delivery`` changed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.chat.messages import ReplyBuilder
from bot.core import Core
from bot.delivery import jobs, outbox, renderers
from bot.delivery.renderers import PushContext, renderer
from bot.delivery.runtime import Runtime
from bot.host import Host
from bot.storage.models import User
from tests.fakes.senders import RecordingSender
from tests.helpers import ALICE, ask

KIND, JOB = "toy_tea", "toy.tea_time"


@pytest.fixture
def toy_feature() -> Iterator[None]:
    """What a feature folder's ``push.py`` would hold: a renderer and a minute job that plans pushes."""

    @renderer(KIND)
    def render(push: PushContext) -> object:
        return ReplyBuilder().line(f"🍵 Tea in room {push.payload['room']}" if push.lang == "en" else "🍵 茶歇").build()

    @jobs.every(60.0, name=JOB, first_now=True)
    def plan_tea(host: Host) -> None:
        with host.db.session() as session:
            for user_id in session.scalars(select(User.id)):
                outbox.enqueue(
                    session,
                    recipient_id=user_id,
                    kind=KIND,
                    key=f"{KIND}:1",  # once per person, however often the job runs
                    due_at=host.clock.now(),
                    payload={"room": "A"},
                    now=host.clock.now(),
                )

    try:
        yield
    finally:  # the registries are the process's: leave them as the enabled features made them
        renderers.RENDERERS.pop(KIND)
        jobs.SERVICES.pop(JOB)


async def test_a_toy_feature_registers_a_push_kind_and_a_job_the_runtime_runs(toy_feature: None, core: Core) -> None:
    ask(core, "/lang en")  # Alice exists and reads English
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender})
    await runtime.start()
    try:
        assert runtime.scheduler._scheduler.get_job(JOB) is not None  # scheduled like any feature's job
        toy = runtime.service(JOB)
        assert toy is not None
        for job in toy.periodic():  # run the minute job now, twice: the key makes it one push
            await job.tick()
            await job.tick()
        await runtime.dispatch_now()
    finally:
        await runtime.stop()
    assert [(address.user_id, reply.plain_text) for address, reply in sender.delivered] == [
        (ALICE.user_id, "🍵 Tea in room A")
    ]


def test_a_kind_cannot_get_two_renderers(toy_feature: None) -> None:
    with pytest.raises(ValueError, match="registered twice"):
        renderer(KIND)(lambda push: None)
