"""One person's requests are answered in the order they came; other people's are not held up."""

from __future__ import annotations

import asyncio

from bot.serial import Serial


async def test_work_under_one_key_runs_in_arrival_order_and_other_keys_run_meanwhile() -> None:
    serial, log = Serial(), []
    alice_may_finish = asyncio.Event()

    async def alice(n: int) -> None:
        async with serial.hold("telegram:alice"):
            log.append(f"alice {n} starts")
            if n == 1:
                await alice_may_finish.wait()  # a slow first request: her second waits behind it
            log.append(f"alice {n} ends")

    async def bob() -> None:
        async with serial.hold("telegram:bob"):
            log.append("bob answered")
        alice_may_finish.set()

    first, second = asyncio.create_task(alice(1)), asyncio.create_task(alice(2))
    await asyncio.sleep(0)
    await bob()
    await asyncio.gather(first, second)
    assert log == ["alice 1 starts", "bob answered", "alice 1 ends", "alice 2 starts", "alice 2 ends"]
    assert len(serial) == 0  # nothing kept once nobody holds or waits


async def test_a_failed_request_does_not_block_the_next_one() -> None:
    serial = Serial()

    async def failing() -> None:
        async with serial.hold("slack:U1"):
            raise RuntimeError("the core failed")

    results = await asyncio.gather(failing(), return_exceptions=True)
    async with serial.hold("slack:U1"):
        held = len(serial)
    assert isinstance(results[0], RuntimeError) and held == 1 and len(serial) == 0
