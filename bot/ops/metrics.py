"""Prometheus metrics: this process's counters, and gauges read from the database at scrape time.

The counters (updates, handler latency, sends, 429s) are each replica's own (a replica's workers'
together): Prometheus scrapes every replica and sums them. The gauges (outbox depth, the oldest due
push, users, subscriptions) are read from the shared database when ``/metrics`` is scraped, so every
replica reports the same, true numbers; aggregate them with ``max``, not ``sum``. See docs/operations.md, "Metrics".
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.clock import Clock
from bot.delivery import outbox
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, Subscription, User

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST

UPDATES = Counter(
    "confbot_updates",
    "Requests answered by the host, by platform and command (search: plain text; unknown: no such command).",
    ["platform", "command"],
)
FLOOD_REFUSED = Counter(
    "confbot_flood_refused",
    "Requests refused by a person's inbound limit before the core (warned: answered slow down; dropped: no answer).",
    ["platform", "verdict"],
)
HANDLER_SECONDS = Histogram(
    "confbot_handler_seconds",
    "Time the core took to answer one request (database work included; the platform's reply call not).",
    ["platform"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CALENDAR_FEED_MISSES = Counter(
    "confbot_calendar_feed_misses",
    "Calendar feed requests that got no calendar: not_found (a token nobody holds, 404), "
    "refused (a client past its limit of wrong tokens, 429).",
    ["outcome"],
)

REPLIES_FAILED = Counter(
    "confbot_replies_failed",
    "Answers a platform did not take (the reply failed to render or to send; the person was sent a short "
    "apology where the platform allowed), by platform and reason: rejected (the platform refused the "
    "content), render (it could not be built), forbidden, rate_limited, timeout, network, other.",
    ["platform", "reason"],
)


class DatabaseCollector(Collector):
    """Reads the outbox, users and subscriptions from the database on each scrape (a few GROUP BYs)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        """The gauges, plus ``confbot_database_up`` (0, and no other gauge, when the database failed)."""
        up = GaugeMetricFamily("confbot_database_up", "1 if this scrape could read the database, else 0.")
        try:
            gauges = self._read()
        except Exception as err:  # a scrape must answer: the operator sees database_up 0
            log.warning("metrics: could not read the database: %s", type(err).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from gauges

    def _read(self) -> list[Metric]:
        now = self.clock.now()
        depth = GaugeMetricFamily(
            "confbot_outbox_messages",
            "Outbox rows by kind and status (pending and sending are the queue).",
            labels=["kind", "status"],
        )
        oldest = GaugeMetricFamily(
            "confbot_outbox_oldest_due_seconds",
            "Age of the oldest push that is due but not yet sent (pending or being sent), by kind; 0 when none.",
            labels=["kind"],
        )
        active = GaugeMetricFamily(
            "confbot_users_active", "People who have not blocked the bot, by platform.", labels=["platform"]
        )
        subscriptions = GaugeMetricFamily(
            "confbot_subscriptions", "Starred talks of those people, by platform.", labels=["platform"]
        )
        with self.db.session() as session:
            for kind, status, count in session.execute(
                select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
                    OutboxMessage.kind, OutboxMessage.status
                )
            ):
                depth.add_metric([kind, status], count)
            due = {
                kind: earliest
                for kind, earliest in session.execute(
                    select(OutboxMessage.kind, func.min(OutboxMessage.due_at))
                    .where(OutboxMessage.status.in_((outbox.PENDING, outbox.SENDING)), OutboxMessage.due_at <= now)
                    .group_by(OutboxMessage.kind)
                )
            }
            people = (User.active.is_(True), User.kind == "person")
            users = dict(
                session.execute(select(User.platform, func.count()).where(*people).group_by(User.platform)).all()
            )
            starred = dict(
                session.execute(
                    select(User.platform, func.count())
                    .select_from(Subscription)
                    .join(User, User.id == Subscription.user_id)
                    .where(*people)
                    .group_by(User.platform)
                ).all()
            )
        for kind in sorted(due):
            oldest.add_metric([kind], max(0.0, (now - due[kind]).total_seconds()))
        if not due:
            oldest.add_metric([""], 0.0)  # one sample, so an alert on it never sees "no data"
        for platform in sorted(users.keys() | starred.keys()):
            active.add_metric([platform], users.get(platform, 0))
            subscriptions.add_metric([platform], starred.get(platform, 0))
        return [depth, oldest, active, subscriptions]


def exposition(host: Host) -> bytes:
    """The text ``/metrics`` serves: this process's counters (with workers, every worker's: their
    supervisor sets ``PROMETHEUS_MULTIPROC_DIR``, ``adapters/workers.py``), then the database's gauges."""
    counters = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # prometheus-client keeps each process's values there
        counters = CollectorRegistry()
        multiprocess.MultiProcessCollector(counters)  # type: ignore[no-untyped-call]
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(DatabaseCollector(host.db, host.clock))
    return generate_latest(counters) + generate_latest(gauges)
