"""`confbot run` serves Telegram and Slack at once from one process and stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest

from adapters.runner import configured_platforms, serve
from adapters.startup import StartupRetry
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.test_e2e import FORM, SECRET, signed, slash
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.helpers import wait_until_up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_one_process_serves_both_platforms(core: Core) -> None:
    telegram, slack = FakeTelegram(), FakeSlack()
    await telegram.start()
    await slack.start()
    port = _free_port()
    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.base_url,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        http_host="127.0.0.1",
        http_port=port,
    )
    core.settings = settings
    assert configured_platforms(settings) == ["telegram", "slack"]
    stop = asyncio.Event()
    listening_when_built: list[bool] = []

    def built() -> None:  # confbot run freezes the garbage collector here, every module imported
        with socket.socket() as probe:
            listening_when_built.append(probe.connect_ex(("127.0.0.1", port)) == 0)

    task = asyncio.create_task(serve(settings, core, stop, built=built))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await wait_until_up(client, "/readyz")  # /healthz answers at once; /readyz once both platforms have started
            assert listening_when_built == [False]  # called once, before anything listened
            body = slash(slack, "U1BOTH", "now")
            response = await client.post("/slack/events", content=body, headers=signed(body, content_type=FORM))
            assert response.status_code == 200
        telegram.push(telegram.message_update(55, "/now", lang="en"))
        (tg,) = await telegram.wait_for("sendMessage")
        (sl,) = await slack.wait_for("response")
        assert "Running now" in tg["text"] and "Running now" in str(sl["blocks"])
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        await telegram.stop()
        await slack.stop()


STARTUP_CALLS = frozenset({"getMe", "setMyCommands", "deleteWebhook", "setWebhook"})
FAST = StartupRetry(attempts=8, base_delay=0.001, max_delay=0.01)  # as many tries as in production, millisecond waits


def _telegram_only(telegram: FakeTelegram, token: str | None = None) -> Settings:
    return Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=token or telegram.token,
        TELEGRAM_API_URL=telegram.base_url,  # type: ignore[call-arg]
    )


async def _answered_or_ended(task: asyncio.Task[int], telegram: FakeTelegram) -> None:
    """Wait until the bot answered a message, or ``serve`` returned (then the answer never comes)."""
    answered = asyncio.create_task(telegram.wait_for("sendMessage"))
    await asyncio.wait({task, answered}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    answered.cancel()


@pytest.mark.parametrize("seed", range(5))
async def test_serve_starts_although_the_bot_api_fails_a_third_of_the_start_up_calls(
    core: Core, seed: int, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = FakeTelegram(fault_rate=0.3, fault_seed=seed, fault_methods=STARTUP_CALLS)
    await telegram.start()
    settings = core.settings = _telegram_only(telegram)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, core, stop, retry=FAST))
    try:
        telegram.push(telegram.message_update(55, "/now", lang="en"))
        await _answered_or_ended(task, telegram)
        assert not task.done(), f"serve ended with {task.result()} instead of starting"
        (answer,) = telegram.sent("sendMessage")
        assert "Running now" in answer["text"]
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        await telegram.stop()
    failed = [method for method, params in telegram.calls if params.get("_status") == 502]
    assert failed and set(failed) <= STARTUP_CALLS  # this seed's pattern does hit start-up
    lines = [r for r in caplog.records if r.name == "adapters.startup"]
    assert len(lines) == len(failed)  # one line per failed attempt ...
    assert all(r.exc_info is None and "502 Bad Gateway" in r.getMessage() for r in lines)  # ... and no traceback
    assert "Traceback" not in caplog.text


async def test_serve_gives_up_after_the_last_attempt_with_one_line_and_exit_code_1(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = FakeTelegram(fault_rate=1.0)  # the Bot API is down
    await telegram.start()
    try:
        settings = core.settings = _telegram_only(telegram)
        code = await asyncio.wait_for(serve(settings, core, retry=StartupRetry(attempts=3, base_delay=0.001)), 15)
    finally:
        await telegram.stop()
    assert code == 1
    assert [m for m, _ in telegram.calls] == ["getMe"] * 3
    attempts = [r.getMessage() for r in caplog.records if r.name == "adapters.startup"]
    assert [a.split("), ")[1] for a in attempts] == [
        "attempt 1 of 3; retrying in 0.0 s",
        "attempt 2 of 3; retrying in 0.0 s",
        "attempt 3 of 3; giving up",
    ]
    (final,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert final.getMessage() == "confbot did not start: the Telegram Bot API failed: Bad Gateway"
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_revoked_token_ends_serve_with_exit_code_2_naming_the_variable_and_never_the_token(
    core: Core, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    revoked = "424242:AAH-revoked-Token_value"
    try:
        settings = core.settings = _telegram_only(telegram, token=revoked)
        code = await asyncio.wait_for(serve(settings, core, retry=FAST), 15)
    finally:
        await telegram.stop()
    assert code == 2
    assert [m for m, _ in telegram.calls] == ["getMe"]  # a definite "no" is not retried
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "TELEGRAM_BOT_TOKEN" in message and "401" in message
    captured = capsys.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert revoked not in text and "AAH-revoked" not in text
