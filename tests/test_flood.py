"""Per-person inbound limits (bot/flood.py): a token bucket per person on the bot's clock."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.flood import DROP, SERVE, WARN, FloodLimit


def _clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 12, 1, 0, tzinfo=UTC))


def test_a_burst_is_served_then_one_warning_then_silence_until_the_clock_refills_a_token() -> None:
    clock = _clock()
    limit = FloodLimit(3, 1.0, clock)
    assert [limit.check("telegram", "1") for _ in range(6)] == [SERVE, SERVE, SERVE, WARN, DROP, DROP]
    assert limit.silenced("telegram", "1")
    clock.advance(0.5)
    assert limit.check("telegram", "1") == DROP  # half a token is no token
    clock.advance(0.5)
    assert not limit.silenced("telegram", "1")
    assert [limit.check("telegram", "1") for _ in range(2)] == [SERVE, DROP]  # one refilled, no second warning


def test_a_person_is_told_again_only_after_their_bucket_filled_up() -> None:
    clock = _clock()
    limit = FloodLimit(3, 1.0, clock)
    assert [limit.check("slack", "U1") for _ in range(4)][-1] == WARN
    clock.advance(3)  # full again: the episode is over
    assert [limit.check("slack", "U1") for _ in range(5)] == [SERVE, SERVE, SERVE, WARN, DROP]


def test_one_persons_flood_leaves_everyone_else_their_whole_burst() -> None:
    limit = FloodLimit(3, 1.0, _clock())
    for _ in range(100):
        limit.check("telegram", "flooder")
    assert [limit.check("telegram", "other") for _ in range(3)] == [SERVE] * 3
    assert limit.check("slack", "flooder") == SERVE  # the same id on another platform is another person


def test_chatter_is_dropped_without_using_up_the_one_warning() -> None:
    limit = FloodLimit(1, 1.0, _clock())
    assert limit.check("telegram", "1") == SERVE
    assert limit.check("telegram", "1", may_warn=False) == DROP
    assert limit.check("telegram", "1") == WARN  # a message for the bot still gets its slow-down


def test_each_replica_enforces_its_share_of_a_platforms_limit() -> None:
    clock = _clock()
    limit = FloodLimit(20, 2.0, clock)
    limit.set_shares({"telegram": 0.5, "slack": 1.0})  # two replicas serve Telegram
    assert [limit.check("telegram", "1") for _ in range(11)].count(SERVE) == 10
    assert [limit.check("slack", "1") for _ in range(21)].count(SERVE) == 20
    clock.advance(1)
    assert [limit.check("telegram", "1") for _ in range(2)] == [SERVE, DROP]  # 1/s here, 2/s over both


def test_idle_people_are_forgotten_so_memory_follows_the_last_seconds_not_the_attendees() -> None:
    clock = _clock()
    limit = FloodLimit(20, 1.0, clock)
    for person in range(10_000):
        limit.check("telegram", str(person))
    assert len(limit) == 10_000
    clock.advance(20)  # everyone's bucket is full again
    limit.check("telegram", "late")
    assert len(limit) == 1


def test_the_number_of_people_held_is_capped_and_a_forgotten_one_starts_full() -> None:
    limit = FloodLimit(2, 1.0, _clock(), max_people=100)
    limit.check("telegram", "first")
    limit.check("telegram", "first")
    for person in range(200):
        limit.check("telegram", str(person))
    assert len(limit) == 100
    assert limit.check("telegram", "first") == SERVE  # evicted: a fresh, full bucket


def test_a_burst_of_zero_turns_the_limit_off() -> None:
    limit = FloodLimit(0, 1.0, _clock())
    assert {limit.check("telegram", "1") for _ in range(1000)} == {SERVE}
    assert len(limit) == 0
