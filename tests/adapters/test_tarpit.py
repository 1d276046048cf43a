"""A flooder's dropped messages are answered after a wait, never holding more than the cap at once."""

from __future__ import annotations

import asyncio

from adapters.tarpit import Tarpit


async def test_a_dropped_answer_waits_and_past_the_cap_goes_at_once() -> None:
    tarpit = Tarpit(delay=60, max_held=2)
    held = [asyncio.ensure_future(tarpit.hold()) for _ in range(2)]
    await asyncio.sleep(0)
    assert tarpit.held == 2 and not any(h.done() for h in held)  # the flooder's answers wait
    await asyncio.wait_for(tarpit.hold(), timeout=5)  # the cap is reached: answered at once
    for h in held:
        h.cancel()
    await asyncio.gather(*held, return_exceptions=True)
    assert tarpit.held == 0  # a cancelled wait (the client went away) frees its place


async def test_no_delay_answers_at_once() -> None:
    tarpit = Tarpit(delay=0)
    await asyncio.wait_for(tarpit.hold(), timeout=5)
    assert tarpit.held == 0
