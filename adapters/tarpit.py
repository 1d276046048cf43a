"""Answers to a flooder's dropped messages, held back a little.

A person over their inbound limit is told once to slow down and their later messages are dropped
(``bot/flood.py``). Dropping is cheap, but answering at once is what lets a client that sends its
next message as soon as the last is answered (a webhook connection, a script) make the bot spend a
core on refusals, slowing everyone else. So a dropped message's answer waits :attr:`delay` seconds
first: a flooder with N messages in flight gets at most N / delay through a second, and the wait
costs a sleeping coroutine, no thread and no database. At most :attr:`max_held` answers wait at
once; past that they go at once (the hold never grows without bound).
"""

from __future__ import annotations

import asyncio


class Tarpit:
    """Holds dropped messages' answers for ``delay`` seconds, at most ``max_held`` at a time."""

    def __init__(self, delay: float, max_held: int = 1024) -> None:
        self.delay = delay
        self.max_held = max_held
        self.held = 0  # answers waiting right now

    async def hold(self) -> None:
        """Wait before answering a dropped message (not at all with no delay, or when full)."""
        if self.delay <= 0 or self.held >= self.max_held:
            return
        self.held += 1
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.held -= 1
