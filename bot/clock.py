"""The one clock every part of the bot reads time through."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Source of the current, timezone-aware instant."""

    def now(self) -> datetime:
        """The current instant (aware, UTC)."""
        ...

    def to_real(self, instant: datetime) -> datetime:
        """The wall-clock instant at which this clock will read ``instant``."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current real instant."""
        return datetime.now(UTC)

    def to_real(self, instant: datetime) -> datetime:
        """Identity: this clock is the wall clock."""
        return instant


class ShiftedClock:
    """Starts at ``start`` and runs on in real time (``CONFBOT_CLOCK_START`` rehearsals)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("clock start must carry a timezone, e.g. 2026-12-12T09:00+08:00")
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        """Real time plus the fixed offset."""
        return (datetime.now(UTC) + self._offset).astimezone(UTC)

    def to_real(self, instant: datetime) -> datetime:
        """Subtract the offset."""
        return instant - self._offset


class FakeClock:
    """A clock that only moves when told to. Used by tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._real_anchor = time.time()

    def now(self) -> datetime:
        """The frozen instant."""
        return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds."""
        if not isinstance(delta, timedelta):
            delta = timedelta(seconds=delta)
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        """Jump to an instant."""
        self._now = instant.astimezone(UTC)

    def to_real(self, instant: datetime) -> datetime:
        """Map onto the wall clock as if the fake clock were running from now."""
        return datetime.now(UTC) + (instant - self._now)
