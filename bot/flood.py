"""Per-person inbound limits: a token bucket per person, checked before the core does any work.

Each person (``platform:user_id``) has a bucket of ``burst`` tokens that refills at ``per_second``;
a request takes one. A person with no token left gets one polite "slow down" (:data:`WARN`), then
their requests are dropped (:data:`DROP`: no database work, no thread) until a token is back; the
episode ends, and a later excess is told again, once their bucket has filled up again.

- **Replicas.** A person's updates are spread over the replicas by the load balancer, so each
  replica enforces its share of the limit: with N live replicas serving a platform (the push
  runtime's heartbeats, ``bot/delivery/replicas.py``) a bucket holds ``burst / N`` tokens and
  refills at ``per_second / N`` (:meth:`FloodLimit.set_shares`). No shared counter: that would be a
  database round trip per message, the very cost a flood must not have.
- **Memory.** A bucket untouched for ``burst / per_second`` seconds is full again, the same as no
  bucket: it is dropped. Buckets are kept in order of last use, so each check evicts the stale ones
  at the front (amortised O(1)); at most ``max_people`` are kept (the oldest go first: a fresh
  bucket is full, so eviction never refuses anyone).
- **Time** is the bot's clock (``FakeClock`` in tests); a clock that steps back refills nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.clock import Clock

Verdict = Literal["serve", "warn", "drop"]
SERVE: Verdict = "serve"
WARN: Verdict = "warn"  # over the limit: answer "slow down", once per episode
DROP: Verdict = "drop"  # over the limit and told already: no answer at all
MAX_PEOPLE = 100_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float  # when ``tokens`` was brought up to date (seconds since the epoch, on the bot's clock)
    warned: bool = False  # told to slow down in this episode
    lang: str | None = None  # the language of their last answer, for the slow-down


class FloodLimit:
    """``check(platform, user_id)`` says whether to serve a person's request now.

    ``burst`` 0 turns the limit off. Thread-safe (the console answers from its own thread).
    """

    def __init__(self, burst: int, per_second: float, clock: Clock, *, max_people: int = MAX_PEOPLE) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.max_people = max_people
        self._shares: dict[str, float] = {}
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._idle = burst / per_second if per_second > 0 else float("inf")  # a bucket is full again after this

    def __len__(self) -> int:
        """Buckets held now (people seen within the last ``burst / per_second`` seconds)."""
        return len(self._buckets)

    @property
    def enabled(self) -> bool:
        """False with ``burst`` 0."""
        return self.burst > 0

    def set_shares(self, shares: Mapping[str, float]) -> None:
        """This replica's share of each platform's traffic (1/N for N live replicas serving it)."""
        self._shares = {platform: min(1.0, max(0.001, share)) for platform, share in shares.items()}

    def _limits(self, platform: str) -> tuple[float, float]:
        share = self._shares.get(platform, 1.0)
        return max(1.0, self.burst * share), self.per_second * share

    def check(self, platform: str, user_id: str, *, may_warn: bool = True) -> Verdict:
        """Take a token for one request, or say how to refuse it. Without ``may_warn`` (chatter in a
        group, where a "slow down" would be noise) an excess is dropped and the person not yet told."""
        if not self.enabled:
            return SERVE
        now = self.clock.now().timestamp()
        capacity, rate = self._limits(platform)
        key = f"{platform}:{user_id}"
        with self._lock:
            self._evict(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(capacity, now)
            else:
                self._refill(bucket, now, capacity, rate)
                self._buckets.move_to_end(key)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return SERVE
            if bucket.warned or not may_warn:
                return DROP
            bucket.warned = True
            return WARN

    def silenced(self, platform: str, user_id: str) -> bool:
        """Whether this person's next request would be dropped (told already, no token back yet): an
        adapter may skip its own work (Slack's redelivery check) before asking :meth:`check`."""
        if not self.enabled:
            return False
        now = self.clock.now().timestamp()
        capacity, rate = self._limits(platform)
        with self._lock:
            bucket = self._buckets.get(f"{platform}:{user_id}")
            if bucket is None or not bucket.warned:
                return False
            self._refill(bucket, now, capacity, rate)
            return bucket.tokens < 1.0

    def remember_language(self, platform: str, user_id: str, lang: str) -> None:
        """The language a person was last answered in: their slow-down is written in it."""
        bucket = self._buckets.get(f"{platform}:{user_id}")
        if bucket is not None:
            bucket.lang = lang

    def language(self, platform: str, user_id: str) -> str | None:
        """The language remembered by :meth:`remember_language`, if their bucket is still held."""
        bucket = self._buckets.get(f"{platform}:{user_id}")
        return bucket.lang if bucket is not None else None

    @staticmethod
    def _refill(bucket: _Bucket, now: float, capacity: float, rate: float) -> None:
        bucket.tokens = min(capacity, bucket.tokens + max(0.0, now - bucket.at) * rate)
        bucket.at = max(bucket.at, now)
        if bucket.tokens >= capacity:
            bucket.warned = False  # full again: the episode is over

    def _evict(self, now: float) -> None:
        buckets = self._buckets
        while buckets:
            oldest = next(iter(buckets.values()))
            if now - oldest.at < self._idle and len(buckets) < self.max_people:
                return
            buckets.popitem(last=False)
