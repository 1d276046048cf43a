"""The daily retention job, on the fake clock: finished pushes, audit entries and expired awaited
inputs go once older than their settings; what is still to happen stays; 0 keeps forever."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.jobs import SERVICES
from bot.features.privacy.retention import DAILY, enforce
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import PendingInput
from tests.conftest import SHANGHAI
from tests.fakes.senders import RecordingSender
from tests.helpers import ask, dispatcher_for, press

ORGANIZER = Address("console", "organizer", "organizer")
DURING_TALK2 = datetime(2026, 12, 12, 10, 20, tzinfo=SHANGHAI)


def _core(db: Database, programme: Programme, clock: FakeClock, **retain: int) -> Core:
    settings = Settings(_env_file=None, organizers=["console:organizer"], **retain)  # type: ignore[arg-type]
    clock.set(DURING_TALK2)
    return Core(settings, db, programme, clock)


async def _answered_ticket(core: Core) -> RecordingSender:
    """Alice's ticket reaches the organizer and the answer reaches her: two sent pushes."""
    ask(core, "/help", who=ORGANIZER)
    ask(core, "/helpdesk My badge is gone")
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    press(core, "ticket_reply 1", who=ORGANIZER)
    ask(core, "At the front desk", who=ORGANIZER)
    await dispatcher_for(core, {"console": sender}).run_due()
    assert len(sender.delivered) == 2
    return sender


def _pushes_to_alice(core: Core) -> str:
    text = ask(core, "/mydata", locale="en").plain_text
    return text.split("Pushes to you", 1)[1].split("\n\n", 1)[0]


async def test_sent_pushes_go_after_the_sent_retention_and_pending_ones_stay(
    any_db: Database, programme: Programme, clock: FakeClock
) -> None:
    core = _core(any_db, programme, clock, retain_sent_days=30)
    await _answered_ticket(core)
    ask(core, "/subscribe 5")  # a reminder on the second day: still to be sent
    assert "helpdesk_answer: sent × 1" in _pushes_to_alice(core)
    clock.advance(timedelta(days=29))
    enforce(core)
    assert "helpdesk_answer: sent × 1" in _pushes_to_alice(core)
    clock.advance(timedelta(days=2))
    enforce(core)
    enforce(core)  # another replica's run finds nothing left to do
    left = _pushes_to_alice(core)
    assert "helpdesk_answer" not in left and "reminder: waiting × 1" in left


async def test_audit_entries_go_after_the_audit_retention(
    any_db: Database, programme: Programme, clock: FakeClock
) -> None:
    core = _core(any_db, programme, clock, retain_audit_days=7)
    ask(core, "/stats")  # refused: on record
    clock.advance(timedelta(days=6))
    ask(core, "/stats", who=ORGANIZER)
    enforce(core)
    assert "/stats" in ask(core, "/mydata", locale="en").plain_text.split("audit log", 1)[1]
    clock.advance(timedelta(days=2))
    enforce(core)
    assert "under your account (0)" in ask(core, "/mydata", locale="en").plain_text
    audit = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert "organizer" in audit and "alice" not in audit  # the organizer's newer entry stays


def _waiting(core: Core) -> int:
    with core.db.session() as session:
        return session.scalar(select(func.count()).select_from(PendingInput)) or 0


def test_an_expired_awaited_comment_goes_a_day_after_it_expired(
    db: Database, programme: Programme, clock: FakeClock
) -> None:
    core = _core(db, programme, clock)
    press(core, "rate 2 4")  # her next message is awaited as a comment for 30 minutes
    clock.advance(timedelta(hours=12))
    enforce(core)
    assert _waiting(core) == 1
    clock.advance(timedelta(hours=13))
    enforce(core)
    assert _waiting(core) == 0


async def test_zero_keeps_forever(db: Database, programme: Programme, clock: FakeClock) -> None:
    core = _core(db, programme, clock, retain_sent_days=0, retain_audit_days=0, retain_inputs_days=0)
    await _answered_ticket(core)
    press(core, "rate 2 4")
    ask(core, "/stats")
    clock.advance(timedelta(days=3650))
    enforce(core)
    text = ask(core, "/mydata", locale="en").plain_text
    assert "helpdesk_answer: sent × 1" in text and "under your account (1)" in text
    assert "kept with no time limit" in text


async def test_the_job_runs_daily_through_the_runtime_registry(
    db: Database, programme: Programme, clock: FakeClock
) -> None:
    core = _core(db, programme, clock, retain_audit_days=1)
    ask(core, "/stats")
    service = SERVICES["privacy.retention"](core)
    assert service is not None
    (job,) = service.periodic()
    assert (job.seconds, job.first_now) == (DAILY, True)
    clock.advance(timedelta(days=2))
    await job.tick()
    assert "under your account (0)" in ask(core, "/mydata", locale="en").plain_text
