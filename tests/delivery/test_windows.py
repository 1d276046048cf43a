"""WeChat-style messaging windows and shared credentials, on SQLite and the real PostgreSQL: what an
interaction opens, messages counted against every open window, nothing used when none has room, and
one replica at a time refreshing a shared token."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from bot.clock import FakeClock
from bot.platforms import PlatformState, Window
from bot.storage.db import Database
from tests.conftest import SHANGHAI

MESSAGE = Window("message", timedelta(hours=48), 5)
TAP = Window("event", timedelta(minutes=1), 3)
START = datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI)


def test_a_message_opens_five_in_48_hours_and_then_nothing_is_sent(any_db: Database) -> None:
    clock = FakeClock(START)
    state = PlatformState(any_db, clock)
    assert state.take_window("wechat", "o1", 1) is None  # never wrote: no window
    assert state.arrived("wechat", "o1", ("msg:1",), opens=MESSAGE) is not None
    assert [state.take_window("wechat", "o1", 1) for _ in range(6)] == [(1, 1)] * 5 + [None]
    assert state.arrived("wechat", "o1", ("msg:2",), opens=MESSAGE) is not None  # a new message: five again
    assert state.take_window("wechat", "o1", 3) == (3, 1) and state.take_window("wechat", "o1", 3) is None
    assert state.take_window("wechat", "o1", 3, partial=True) == (2, 1)  # as many as fit
    clock.advance(timedelta(hours=48, seconds=1))
    assert state.take_window("wechat", "o1", 1) is None  # the window has closed


def test_a_tap_opens_three_for_a_minute_and_counts_against_every_open_window(any_db: Database) -> None:
    clock = FakeClock(START)
    state = PlatformState(any_db, clock)
    state.arrived("wechat", "o1", ("msg:1",), opens=MESSAGE)
    state.arrived("wechat", "o1", ("event:o1:1:click",), opens=TAP)
    assert [state.take_window("wechat", "o1", 1) for _ in range(3)] == [(1, 1)] * 3
    clock.advance(timedelta(minutes=2))  # the tap's window is over; the message's has 2 left
    assert [state.take_window("wechat", "o1", 1) for _ in range(3)] == [(1, 1), (1, 1), None]
    state.give_back_window("wechat", "o1", 1)  # one that did not go out comes back
    state.give_back_window("wechat", "o1", 10)  # never past what the window opened with
    assert state.take_window("wechat", "o1", 5) == (5, 1) and state.take_window("wechat", "o1", 1) is None
    state.arrived("wechat", "o1", ("msg:3",), opens=MESSAGE)
    state.close_window("wechat", "o1")
    state.arrived("wechat", "o1", ("event:o1:2:click",), opens=TAP)
    state.close_window("wechat", "o1")  # WeChat said 45015: closed until they interact again
    assert state.take_window("wechat", "o1", 1) is None


def test_a_repeat_is_recorded_once_and_letters_follow_on(any_db: Database) -> None:
    state = PlatformState(any_db, FakeClock(START))
    assert state.arrived("wechat", "o1", ("msg:7", "request:1"), opens=MESSAGE, typed="b") is not None
    assert state.arrived("wechat", "o1", ("msg:7",), opens=MESSAGE) is None  # WeChat's retry
    assert state.arrived("wechat", "o1", ("msg:99", "request:1"), opens=MESSAGE) is None  # a signed request reused
    assert state.remember_choices("wechat", "o1", ["talk 1", "talk 2"]) == 1
    assert state.take_window("wechat", "o1", 1, ["sub 3"]) == (1, 3)  # a push's letters after the answer's
    pressed = state.arrived("wechat", "o1", ("msg:8",), opens=MESSAGE, typed="C")
    assert pressed is not None and pressed.action == "sub 3"
    for text in ("z", "ab", "AI"):  # no such letter, or a word: the text is a search
        typed = state.arrived("wechat", "o1", (f"msg:{text}",), opens=MESSAGE, typed=text)
        assert typed is not None and typed.action is None
    assert state.remember_choices("wechat", "o1", [f"talk {n}" for n in range(24)]) == 1  # past z: from a again
    again = state.arrived("wechat", "o1", ("msg:10",), typed="b")
    assert again is not None and again.action == "talk 1"
    other = state.arrived("wechat", "o2", ("msg:11",), typed="a")
    assert other is not None and other.action is None  # another person's letters are theirs


def test_letters_given_at_once_to_two_messages_never_overlap(any_db: Database) -> None:
    clock = FakeClock(START)
    replicas = [PlatformState(any_db, clock) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        firsts = list(pool.map(lambda n: replicas[n].remember_choices("wechat", "o1", [f"a{n}", f"b{n}"]), range(4)))
    assert sorted(firsts) == [1, 3, 5, 7]  # each message its own letters


def test_the_last_message_of_a_window_is_taken_once_by_concurrent_senders(any_db: Database) -> None:
    clock = FakeClock(START)
    replicas = [PlatformState(any_db, clock) for _ in range(4)]
    replicas[0].arrived("wechat", "o1", ("msg:1",), opens=Window("message", timedelta(hours=48), 1))
    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(lambda s: s.take_window("wechat", "o1", 1), replicas))
    assert taken.count((1, 1)) == 1 and taken.count(None) == 3


def test_one_replica_at_a_time_fetches_a_shared_token(any_db: Database) -> None:
    clock = FakeClock(START)
    replicas = [PlatformState(any_db, clock) for _ in range(4)]
    lease = timedelta(seconds=20)
    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(lambda s: s.claim_credential("wechat:app", lease, None), replicas))
    assert claims.count(True) == 1  # exactly one fetches
    winner = replicas[claims.index(True)]
    winner.store_credential("wechat:app", "T1", START + timedelta(hours=2))
    assert not replicas[0].claim_credential("wechat:app", lease, None)  # a usable token: nobody fetches
    stored = replicas[1].credential("wechat:app")
    assert stored is not None and stored.value == "T1" and stored.usable(clock.now())
    assert replicas[2].claim_credential("wechat:app", lease, "T1")  # T1 refused: one refresh
    assert not replicas[3].claim_credential("wechat:app", lease, "T1")  # the lease is held
    replicas[2].release_credential("wechat:app")  # that fetch failed: the next caller tries
    assert replicas[3].claim_credential("wechat:app", lease, "T1")
