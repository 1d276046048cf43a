"""Reminder planning: lead time, fan-out advance for big talks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.chat.messages import Address, Request
from bot.core import Core
from bot.features.personal import reminders
from bot.storage.models import OutboxMessage
from tests.fakes.senders import RecordingSender


def test_fanout_advance_lets_the_last_of_5000_arrive_in_time() -> None:
    assert reminders.fanout_advance(1, 30) == timedelta(seconds=1)
    last = reminders.fanout_advance(5000, 30)
    # 5 000 messages at 30 msg/s take 166.6 s: the last one is due about 3 minutes early
    assert timedelta(seconds=5000 / 30) < last < timedelta(minutes=4)


def test_big_talks_start_sending_early_in_subscription_order(core: Core) -> None:
    core.send_rates.register([RecordingSender("telegram", rate_per_second=2.0)])  # slow, to keep the test small
    for n in range(1, 11):
        core.handle(Request(Address("telegram", str(n), str(n)), text="/subscribe 2"))
    with core.db.session() as s:
        dues = list(s.scalars(select(OutboxMessage.due_at).order_by(OutboxMessage.id)))
    nominal = core.programme.talk(2).start - timedelta(minutes=10)
    assert nominal - timedelta(seconds=1) == dues[0]
    assert dues == sorted(dues, reverse=True)
    assert nominal - dues[-1] >= timedelta(seconds=9 / 2.0)  # 10 sends at 2/s need 4.5 s
