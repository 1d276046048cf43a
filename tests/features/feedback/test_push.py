"""Rating prompts after a talk and the speakers' digest: queued once, sent once, never for a cancelled talk."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot import users
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.delivery.runtime import Runtime
from bot.features.feedback import push as feedback
from bot.features.feedback.push import plan_due
from bot.programme.content.programme import Programme
from bot.programme.overrides import rebuild
from bot.programme.speaker_links import SpeakerLinks
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from tests.conftest import SHANGHAI
from tests.fakes.senders import RecordingSender
from tests.helpers import actions, dispatcher_for

ALICE, BOB, CAROL = (Address("console", n, n) for n in ("alice", "bob", "carol"))
TALK2_END = datetime(2026, 12, 12, 10, 40, tzinfo=SHANGHAI)  # talk 2 runs 10:00–10:40


def _subscribe(core: Core, who: Address, talk_id: int) -> None:
    core.handle(Request(who, text=f"/subscribe {talk_id}"))


def _plan(core: Core, delay: int = 5) -> int:
    with core.db.session() as session:
        return feedback.plan(session, core.programme, now=core.clock.now(), delay_minutes=delay)


def _prompts(sender: RecordingSender) -> list[str]:
    return [a.chat_id for a, r in sender.delivered if r.plain_text.startswith("⭐")]


async def test_past_a_talks_end_each_subscriber_is_asked_once(core: Core, clock: FakeClock) -> None:
    for who in (ALICE, BOB):
        _subscribe(core, who, 2)
    _subscribe(core, CAROL, 4)  # tomorrow's talk
    sender = RecordingSender()
    dispatcher = dispatcher_for(core, {"console": sender})
    clock.set(TALK2_END + timedelta(minutes=4))
    assert _plan(core) == 0  # ended, but the five minutes are not over
    clock.set(TALK2_END + timedelta(minutes=5, seconds=30))
    assert _plan(core) == 2
    await dispatcher.run_due()
    assert sorted(_prompts(sender)) == ["alice", "bob"]
    (address, prompt) = next((a, r) for a, r in sender.delivered if r.plain_text.startswith("⭐"))
    assert "#2 XDP <fast> & furious" in prompt.plain_text
    assert actions(prompt) == [f"rate 2 {n}" for n in range(1, 6)]
    clock.advance(timedelta(minutes=1))  # the minute job runs again, and again
    assert _plan(core) == 0 and _plan(core) == 0
    await dispatcher.run_due()
    assert sorted(_prompts(sender)) == ["alice", "bob"]


async def test_a_restart_and_a_second_replica_send_no_prompt_twice(
    any_db: Database, core: Core, clock: FakeClock
) -> None:
    first = Core(core.settings, any_db, core.programme, clock)
    for who in (ALICE, BOB):
        _subscribe(first, who, 2)
    clock.set(TALK2_END + timedelta(minutes=6))
    sender = RecordingSender()
    assert _plan(first) == 2
    await dispatcher_for(first, {"console": sender}).run_due()
    # the process restarts (a new core) while a second replica runs too: both plan and dispatch
    restarted, replica = (Core(core.settings, any_db, core.programme, clock) for _ in range(2))
    assert _plan(restarted) == 0 and _plan(replica) == 0
    await dispatcher_for(restarted, {"console": sender}, worker_id="a").run_due()
    await dispatcher_for(replica, {"console": sender}, worker_id="b").run_due()
    assert sorted(_prompts(sender)) == ["alice", "bob"]


def _cancelled(programme: Programme, talk_id: int) -> Programme:
    talks = [t.model_copy(update={"cancelled": True}) if t.id == talk_id else t for t in programme.talks]
    return rebuild(programme, talks)


async def test_a_cancelled_talk_gets_no_prompt_even_if_one_was_queued(core: Core, clock: FakeClock) -> None:
    _subscribe(core, ALICE, 2)
    _subscribe(core, BOB, 3)
    clock.set(TALK2_END + timedelta(minutes=6))
    assert _plan(core) == 2  # talks 2 and 3 both ended at 10:40
    core.replace_programme(_cancelled(_cancelled(core.programme, 3), 2))  # both cancelled before sending
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    assert _prompts(sender) == []
    assert _plan(core) == 0  # and a cancelled talk is never planned


async def test_zero_delay_turns_prompts_off_and_a_late_start_sends_none(core: Core, clock: FakeClock) -> None:
    _subscribe(core, ALICE, 2)
    clock.set(TALK2_END + timedelta(minutes=6))
    assert _plan(core, delay=0) == 0
    clock.set(TALK2_END + timedelta(hours=4))  # the bot was down all afternoon: no stale prompts
    assert _plan(core) == 0


async def test_the_runtime_job_plans_with_the_configured_delay(core: Core, clock: FakeClock, db: Database) -> None:
    _subscribe(core, ALICE, 2)
    settings = Settings(_env_file=None, feedback_delay_minutes=15)  # type: ignore[call-arg]
    runtime = Runtime(Core(settings, db, core.programme, clock), {"console": RecordingSender()}, periodic=False)
    clock.set(TALK2_END + timedelta(minutes=10))
    assert plan_due(runtime.host) == 0
    clock.set(TALK2_END + timedelta(minutes=15))
    assert plan_due(runtime.host) == 1


async def test_linked_speakers_get_their_ratings_once_when_the_event_ends(core: Core, clock: FakeClock) -> None:
    alice_speaker = Address("console", "alice-speaker", "alice-speaker")
    core.handle(Request(alice_speaker, text="/help"))  # the speaker has used the bot
    links = SpeakerLinks.parse(["alice=console:alice-speaker", "chenlijun=console:never-wrote"])
    clock.set(TALK2_END + timedelta(minutes=1))
    for who, stars in ((ALICE, 5), (BOB, 3), (CAROL, 5)):
        core.handle(Request(who, action=f"rate 2 {stars}"))
    core.handle(Request(ALICE, text="Loved the demo, <b>really</b>"))
    core.handle(Request(BOB, text="Too fast for me"))

    def plan_digests() -> int:
        with core.db.session() as session:
            return feedback.plan_digests(session, core.programme, links, now=clock.now())

    assert plan_digests() == 0  # the event is still on
    end = feedback.programme_end(core.programme)
    assert end is not None and end.astimezone(SHANGHAI).day == 13
    clock.set(end + timedelta(minutes=1))
    assert plan_digests() == 0  # the last talks' ratings are still coming in
    clock.set(end + feedback.DIGEST_GRACE)
    assert plan_digests() == 1  # only the linked account that knows the bot
    assert plan_digests() == 0
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    (text,) = sender.texts("alice-speaker")
    assert "#2 XDP <fast> & furious" in text and "3 个评分，平均 4.33" in text  # in the speaker's language
    assert "#5 调度器观测" in text and "还没有评分" in text
    assert "★★★★★  2" in text and "★★★☆☆  1" in text
    assert "Loved the demo, <b>really</b>" in text and "Too fast for me" in text
    assert "alice" not in text.replace("alice-speaker", "") and "bob" not in text  # anonymized
    with core.db.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "speaker_digest")
            )
            == 1
        )


async def test_the_last_talks_speaker_sees_the_ratings_given_after_the_last_prompts(
    core: Core, clock: FakeClock, db: Database
) -> None:
    speaker = Address("console", "alice-speaker", "alice-speaker")
    core.handle(Request(speaker, text="/help"))
    _subscribe(core, BOB, 5)  # talk 5 is the last of the programme
    settings = Settings(_env_file=None, feedback_delay_minutes=5, speakers=["alice=console:alice-speaker"])  # type: ignore[call-arg]
    runtime = Runtime(Core(settings, db, core.programme, clock), {"console": RecordingSender()}, periodic=False)
    end = feedback.programme_end(core.programme)
    assert end is not None
    clock.set(end + timedelta(minutes=1))
    assert plan_due(runtime.host) == 0  # no digest while the last talk's prompt is not even out
    clock.set(end + timedelta(minutes=5))
    assert plan_due(runtime.host) == 1  # Bob's prompt
    clock.set(end + timedelta(minutes=20))
    core.handle(Request(BOB, action="rate 5 4"))
    clock.set(end + timedelta(minutes=5) + feedback.DIGEST_GRACE)
    assert plan_due(runtime.host) == 1  # now the digest
    assert plan_due(runtime.host) == 0  # once
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    (text,) = sender.texts("alice-speaker")
    assert "#5 调度器观测" in text and "1 个评分，平均 4.00" in text and "还没有评分" not in text.split("#5")[1]


async def test_a_digest_with_a_short_distribution_still_renders(core: Core, clock: FakeClock) -> None:
    speaker = Address("console", "alice-speaker", "alice-speaker")
    core.handle(Request(speaker, text="/help", locale="en"))
    with core.db.session() as session:
        user = users.find(session, "console", "alice-speaker")
        assert user is not None
        payload = {"speaker": "alice", "talks": [{"talk": 2, "distribution": [0, 2]}, {"talk": 5, "distribution": []}]}
        outbox.enqueue(
            session,
            recipient_id=user.id,
            kind=feedback.DIGEST,
            key="speaker_digest:alice",
            due_at=clock.now(),
            payload=payload,
            now=clock.now(),
        )
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    (text,) = sender.texts("alice-speaker")
    assert "2 ratings, mean 2.00" in text and "★★☆☆☆  2" in text and "★★★★★  0" in text
    assert "No ratings yet" in text.split("#5")[1]
