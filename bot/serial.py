"""Async work kept in order per key (a person's requests), while different keys run side by side."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Serial:
    """One :class:`asyncio.Lock` per key, made on first use and dropped when nobody holds or awaits it.

    ``asyncio.Lock`` is first come, first served, so work under one key runs in the order it arrived.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        """Keys held or awaited now (the map never outgrows the work in progress)."""
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Run the ``async with`` body once every earlier holder of ``key`` is done."""
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            _, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
