"""A flood of 429s from the Bot API while answering: one line per refused reply, no traceback, and
past the first few a minute, one line with the count (the log stays readable, and small)."""

from __future__ import annotations

import asyncio
import io
import logging
import time

from adapters.logs import build_handler
from adapters.redact import RedactingFilter
from adapters.telegram import TelegramAdapter
from tests.fakes.telegram_server import FakeTelegram

FLOOD = 30


async def test_replies_refused_with_429_are_one_line_each_then_a_count(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter
) -> None:
    out, now = io.StringIO(), [0.0]
    handler, repeats = build_handler("text", out, now=lambda: now[0])
    handler.addFilter(RedactingFilter([fake_telegram.token]))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        fake_telegram.flood.extend([5] * FLOOD)
        for user in range(FLOOD):
            fake_telegram.push(fake_telegram.message_update(3000 + user, "/now", lang="en"))
        deadline = time.monotonic() + 20
        while repeats.seen < FLOOD:  # every refused reply has reached the log
            assert time.monotonic() < deadline, out.getvalue()
            await asyncio.sleep(0.05)
        written = out.getvalue().splitlines()
        assert len(written) == 5 and "Traceback" not in out.getvalue()
        assert all(
            "WARNING adapters.telegram.handlers: telegram update" in line
            and line.endswith("not answered: Telegram refused the reply: 429 Too Many Requests (retry after 5 s)")
            for line in written
        ), written
        now[0] += 61  # a minute on, the next line brings the count of those left out
        logging.getLogger("adapters.telegram").warning("Telegram getUpdates failed (%s); polling goes on", "x")
        summary = out.getvalue().splitlines()[5]
        assert "adapters.telegram.handlers: 25 more like this in 60 s were left out of the log" in summary
        assert summary.endswith("429 Too Many Requests (retry after 5 s)")
    finally:
        root.removeHandler(handler)
    fake_telegram.push(fake_telegram.message_update(3000, "/now", lang="en"))  # the flood is over: answered
    assert (await fake_telegram.wait_for("sendMessage"))[0]["chat_id"] in (3000, "3000")
