"""The scrape-time gauges read the database: outbox depth, the oldest due push, active people, subscriptions."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery import outbox
from bot.ops.metrics import exposition
from bot.storage.db import Database
from bot.storage.models import User


def _samples(core: Core) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = exposition(core).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_gauges_follow_the_database(core: Core, clock: FakeClock) -> None:
    for user in ("ann", "bob"):
        core.handle(Request(Address("telegram", user, user), text="/subscribe 2"))
    core.handle(Request(Address("slack", "U1", "U1"), text="/subscribe 3"))
    now = clock.now()
    with core.db.session() as s:
        ids = dict(s.query(User.platform_user_id, User.id).all())
        outbox.enqueue(s, recipient_id=ids["ann"], kind="moved", key="m:1", due_at=now - timedelta(seconds=90), now=now)
        outbox.enqueue(s, recipient_id=ids["bob"], kind="moved", key="m:1", due_at=now - timedelta(seconds=30), now=now)
        s.execute(update(User).where(User.id == ids["bob"]).values(active=False))  # bob blocked the bot
    samples = _samples(core)
    assert samples[("confbot_outbox_oldest_due_seconds", (("kind", "moved"),))] == 90
    assert samples[("confbot_outbox_messages", (("kind", "moved"), ("status", "pending")))] == 2
    reminders = samples[("confbot_outbox_messages", (("kind", "reminder"), ("status", "pending")))]
    assert reminders == 3  # one per subscription, due before the talks
    assert ("confbot_outbox_oldest_due_seconds", (("kind", "reminder"),)) not in samples  # none due yet
    assert samples[("confbot_users_active", (("platform", "telegram"),))] == 1
    assert samples[("confbot_users_active", (("platform", "slack"),))] == 1
    assert samples[("confbot_subscriptions", (("platform", "telegram"),))] == 1
    assert samples[("confbot_database_up", ())] == 1


def test_an_empty_queue_reports_zero_and_a_dead_database_reports_down(core: Core) -> None:
    assert _samples(core)[("confbot_outbox_oldest_due_seconds", (("kind", ""),))] == 0
    core.db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    samples = _samples(core)
    assert samples[("confbot_database_up", ())] == 0
    assert not any(name == "confbot_outbox_messages" for name, _ in samples)
