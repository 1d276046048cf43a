"""Starting the Telegram adapter: retried calls, one line per failure, and `confbot run` never prints the token."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from telegram.error import NetworkError

from adapters.startup import StartupRetry
from adapters.telegram import TelegramAdapter
from bot.core import Core
from tests.adapters.process import free_port
from tests.adapters.telegram.conftest import telegram_settings
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[3]
FAST = StartupRetry(base_delay=0.001, max_delay=0.01)


async def confbot_run(telegram: FakeTelegram, tmp_path: Path, **env: str) -> tuple[int, str]:
    """``confbot run`` in its own process, as an operator starts it: its exit code and everything it printed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    tmp_path.mkdir()
    clean |= {
        "CONFBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "TELEGRAM_API_URL": telegram.base_url,
        # the HTTP server starts in every mode: each process its own port, never the shared 8080
        "CONFBOT_HTTP_HOST": "127.0.0.1",
        "CONFBOT_HTTP_PORT": str(free_port()),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        cwd=ROOT,
        env=clean | env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("confbot run did not end") from None
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_confbot_run_on_a_revoked_token_or_a_wrong_url_exits_2_and_never_prints_the_token(
    tmp_path: Path,
) -> None:
    # one fake answers 401 to any other token, as Telegram does to a revoked one; the other answers a
    # wrong path with a 404 page naming it (/wrong/bot<token>/getMe), as many web servers do
    revoked_api, wrong_api = FakeTelegram(), FakeTelegram(echo_unknown_paths=True)
    await revoked_api.start()
    await wrong_api.start()
    revoked = "5550001:AAF-revoked_SECRET-part-0123456789"
    try:
        (revoked_code, revoked_out), (wrong_code, wrong_out) = await asyncio.gather(  # two processes, in parallel
            confbot_run(revoked_api, tmp_path / "revoked", TELEGRAM_BOT_TOKEN=revoked),
            confbot_run(
                wrong_api,
                tmp_path / "wrong",
                TELEGRAM_BOT_TOKEN=wrong_api.token,
                TELEGRAM_API_URL=wrong_api.base_url.replace("/bot", "/wrong/bot"),
            ),
        )
    finally:
        await revoked_api.stop()
        await wrong_api.stop()

    assert revoked_code == 2, revoked_out
    (message,) = [line for line in revoked_out.splitlines() if "ERROR" in line or "CRITICAL" in line]
    assert "TELEGRAM_BOT_TOKEN" in message and "401 Unauthorized" in message
    assert "Traceback" not in revoked_out
    assert revoked not in revoked_out and revoked.split(":")[1] not in revoked_out

    assert wrong_code == 2, wrong_out
    assert "/wrong/bot" in wrong_api.calls[0][0]  # the token did travel in the path and came back in the page
    assert wrong_api.token not in wrong_out and wrong_api.token.split(":")[1] not in wrong_out
    assert "/wrong/bot***/getMe" in wrong_out  # PTB logs the page it could not parse, masked by the CLI's filter
    assert "404 Not Found" in wrong_out and "TELEGRAM_API_URL" in wrong_out.splitlines()[-1]


async def test_a_webhook_registration_that_meets_a_502_is_retried(
    fake_telegram: FakeTelegram, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fault_rate, fake_telegram.fault_seed = 0.3, 1  # seed 1: the first setWebhook fails, the next passes
    fake_telegram.fault_methods = frozenset({"setWebhook"})
    settings = telegram_settings(
        fake_telegram,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org",
        TELEGRAM_WEBHOOK_SECRET="hook-secret",
    )
    adapter = TelegramAdapter(settings, core, FAST)
    await adapter.start()
    try:
        assert [p.get("_status", 200) for m, p in fake_telegram.calls if m == "setWebhook"] == [502, 200]
        assert fake_telegram.webhook_url == "https://bot.example.org/telegram/webhook"
        (line,) = [r.getMessage() for r in caplog.records if r.name == "adapters.startup"]
        assert line.startswith("Telegram setWebhook failed during start-up (502 Bad Gateway), attempt 1 of 8")
        # once started, a call is not retried here: the senders classify their own errors
        fake_telegram.fault_rate = 1.0
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await adapter.application.bot.set_webhook("https://bot.example.org/telegram/webhook")
        assert [p.get("_status", 200) for m, p in fake_telegram.calls if m == "setWebhook"] == [502, 200, 502]
    finally:
        await adapter.stop()


async def test_a_failed_poll_is_one_line_not_a_traceback(
    polling_bot: TelegramAdapter, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fault_rate, fake_telegram.fault_methods = 1.0, frozenset({"getUpdates"})
    deadline = asyncio.get_running_loop().time() + 5
    while not any(p.get("_status") == 502 for m, p in fake_telegram.calls if m == "getUpdates"):
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)
    fake_telegram.fault_rate = 0.0
    fake_telegram.push(fake_telegram.message_update(7, "/help", lang="en"))
    await fake_telegram.wait_for("sendMessage")  # polling went on
    polls = [r for r in caplog.records if "getUpdates" in r.getMessage()]
    assert polls and all(r.exc_info is None for r in polls)
    assert polls[0].getMessage() == "Telegram getUpdates failed (Bad Gateway); polling goes on"
