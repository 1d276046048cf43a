"""Heartbeats: each replica sends 1/N of a platform's rate, and a gone replica's share comes back."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.chat.messages import Address, Reply, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.replicas import HEARTBEAT_SECONDS, LIVE_BEATS, ReplicaShares
from bot.delivery.sender import SendResult, SharesRate
from bot.storage.db import Database
from bot.storage.models import Replica


@dataclass
class ShareRecorder:
    """A sender that only records the shares it is given."""

    platform: str = "telegram"
    rate_per_second: float = 30.0
    shares: list[float] = field(default_factory=list)

    def set_share(self, fraction: float) -> None:
        self.shares.append(fraction)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        return SendResult.sent()


def _wall() -> FakeClock:
    return FakeClock(datetime(2026, 12, 12, 1, 0, tzinfo=UTC))


def test_the_rate_is_split_between_live_replicas_and_a_dead_ones_share_returns(any_db: Database) -> None:
    wall = _wall()
    a_sender, b_sender = ShareRecorder(), ShareRecorder()
    assert isinstance(a_sender, SharesRate)
    a = ReplicaShares(any_db, "a", [a_sender], clock=wall)
    b = ReplicaShares(any_db, "b", [b_sender], clock=wall)
    assert a.beat() == {"telegram": 1.0}  # alone
    assert b.beat() == {"telegram": 0.5}  # joins: sees a
    assert a.beat() == {"telegram": 0.5}  # a sees b at its next heartbeat
    beats_until_back = 0
    while a.shares["telegram"] < 1.0:  # b dies: no more heartbeats from it
        wall.advance(HEARTBEAT_SECONDS)
        a.beat()
        beats_until_back += 1
    assert beats_until_back == LIVE_BEATS + 1  # within a few heartbeats (about 8 s)
    assert a_sender.shares == [1.0, 0.5] + [0.5] * LIVE_BEATS + [1.0] and b_sender.shares == [0.5]


def test_a_graceful_stop_hands_the_share_back_at_the_next_heartbeat(any_db: Database) -> None:
    wall = _wall()
    a = ReplicaShares(any_db, "a", [ShareRecorder()], clock=wall)
    b = ReplicaShares(any_db, "b", [ShareRecorder()], clock=wall)
    c = ReplicaShares(any_db, "c", [ShareRecorder()], clock=wall)
    a.beat(), b.beat(), c.beat()
    assert a.beat() == {"telegram": 1 / 3}
    c.leave()
    assert a.beat() == {"telegram": 0.5}


def test_shares_are_counted_per_platform(any_db: Database) -> None:
    """A replica that runs only Slack takes nothing from Telegram's rate."""
    wall = _wall()
    both = ReplicaShares(any_db, "a", [ShareRecorder("telegram"), ShareRecorder("slack")], clock=wall)
    slack_only = ReplicaShares(any_db, "b", [ShareRecorder("slack")], clock=wall)
    both.beat()
    slack_only.beat()
    assert both.beat() == {"telegram": 1.0, "slack": 0.5}


async def test_a_joining_replica_waits_until_the_others_have_lowered_their_share(db: Database) -> None:
    first = ReplicaShares(db, "a", [ShareRecorder()], interval=0.2)
    first.beat()
    started = time.monotonic()
    await first.joined()
    assert time.monotonic() - started < 0.05  # alone: sends at once
    joining = ReplicaShares(db, "b", [ShareRecorder()], interval=0.2)
    joining.beat()
    started = time.monotonic()
    await joining.joined()
    assert time.monotonic() - started >= 0.25  # 1.5 heartbeats: the others have beaten once by then
    started = time.monotonic()
    await joining.joined()
    assert time.monotonic() - started < 0.05  # only once


def test_long_gone_replicas_are_forgotten(db: Database) -> None:
    wall = _wall()
    ReplicaShares(db, "old", [ShareRecorder()], clock=wall).beat()
    wall.advance(timedelta(hours=2))
    ReplicaShares(db, "new", [ShareRecorder()], clock=wall).beat()
    with db.session() as s:
        assert list(s.scalars(select(Replica.id))) == ["new"]


def test_each_replica_limits_a_person_to_its_share_of_the_inbound_limit(core: Core) -> None:
    wall = _wall()
    a = ReplicaShares(core.db, "a", [ShareRecorder()], clock=wall, on_shares=core.flood.set_shares)
    b = ReplicaShares(core.db, "b", [ShareRecorder()], clock=wall)
    a.beat()
    b.beat()
    a.beat()  # a sees b: each takes half of a person's burst (the load balancer spreads their updates)
    person = Address("telegram", "42", "42")
    answered = [core.handle(Request(person, text="/now", locale="en")) for _ in range(core.settings.flood_burst)]
    assert sum(1 for replies in answered if replies and replies[0].plain_text.startswith("▶")) == (
        core.settings.flood_burst // 2
    )
