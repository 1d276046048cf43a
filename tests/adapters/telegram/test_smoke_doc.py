"""docs/telegram.md's smoke test, step by step: the standalone fake Bot API, `confbot run` polling it,
a person writing through `POST /_say`, and the bot's reply in `GET /_sends`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from tests.adapters.process import ROOT, ConfbotProcess, free_port


async def test_a_person_can_talk_to_the_bot_through_the_standalone_fake(tmp_path: Path) -> None:
    fake_port = free_port()
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", str(fake_port)], cwd=ROOT)
    bot = ConfbotProcess(
        f"sqlite:///{tmp_path / 'smoke.db'}",
        tmp_path / "smoke.log",
        TELEGRAM_BOT_TOKEN="123456:TEST-token",
        TELEGRAM_API_URL=f"http://127.0.0.1:{fake_port}/bot",
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fake_port}", timeout=10) as api:
            await bot.start()
            await bot.wait_ready()
            said = await api.post("/_say", json={"user": 42, "text": "/agenda"})
            assert said.status_code == 200

            async def poll() -> list[list[object]]:
                for _ in range(400):
                    rows: list[list[object]] = (await api.get("/_sends")).json()
                    if rows:
                        return rows
                    await asyncio.sleep(0.05)
                return []

            replies = await poll()
        assert replies, "the bot did not answer"
        chat, ok, _status, _t, text = replies[0]
        assert chat == "42" and ok is True
        assert "eBPF" in str(text)  # the bundled conference's agenda
    finally:
        await bot.terminate()
        fake.terminate()
        fake.wait(timeout=10)
