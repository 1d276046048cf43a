"""The Bot API transport on aiohttp: what PTB gets back, uploads, bursts, timeouts and unreachable APIs."""

from __future__ import annotations

import asyncio
import re

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from adapters.telegram.transport import AiohttpRequest
from tests.adapters.process import free_port
from tests.fakes.telegram_server import FakeTelegram

ATTENDEE = 5001


async def _bot(base_url: str, request: AiohttpRequest) -> Bot:
    bot = Bot(FakeTelegram.token, base_url=base_url, request=request)
    await bot.initialize()
    return bot


async def test_the_platforms_answers_reach_ptb_as_its_own_errors(fake_telegram: FakeTelegram) -> None:
    bot = await _bot(fake_telegram.base_url, AiohttpRequest())
    try:
        sent = await bot.send_message(ATTENDEE, "<b>XDP</b> at 10:00", parse_mode="HTML")
        assert sent.text == "XDP at 10:00"
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(ATTENDEE, "<b>XDP", parse_mode="HTML")
        fake_telegram.flood.append(7)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(ATTENDEE, "again")
        assert flood.value.retry_after == 7
        fake_telegram.blocked.add(ATTENDEE)
        with pytest.raises(Forbidden):
            await bot.send_message(ATTENDEE, "blocked")
    finally:
        await bot.shutdown()
    assert [m["text"] for m in fake_telegram.sent("sendMessage") if m.get("_ok")] == ["<b>XDP</b> at 10:00"]


async def test_an_uploaded_file_arrives_whole_with_its_name_and_caption(fake_telegram: FakeTelegram) -> None:
    calendar = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    bot = await _bot(fake_telegram.base_url, AiohttpRequest())
    try:
        await bot.send_document(ATTENDEE, calendar, filename="agenda.ics", caption="我的日程")
    finally:
        await bot.shutdown()
    (upload,) = fake_telegram.sent("sendDocument")
    assert upload["document"] == calendar
    assert upload["caption"] == "我的日程"


async def test_a_burst_larger_than_the_pool_waits_its_turn_and_every_message_arrives(
    fake_telegram: FakeTelegram,
) -> None:
    bot = await _bot(fake_telegram.base_url, AiohttpRequest(connection_pool_size=2))
    try:
        await asyncio.gather(*(bot.send_message(ATTENDEE, f"reply {n}") for n in range(60)))
    finally:
        await bot.shutdown()
    texts = {m["text"] for m in fake_telegram.sent("sendMessage")}
    assert texts == {f"reply {n}" for n in range(60)}


async def test_a_late_answer_is_a_timeout(fake_telegram: FakeTelegram) -> None:
    fake_telegram.slow_answers, fake_telegram.slow_seconds = 1, 0.5
    bot = await _bot(fake_telegram.base_url, AiohttpRequest(read_timeout=0.05))
    try:
        with pytest.raises(TimedOut):
            await bot.send_message(ATTENDEE, "late")
        on_time = await bot.send_message(ATTENDEE, "on time", read_timeout=5)
        assert on_time.text == "on time"  # the transport goes on
    finally:
        await bot.shutdown()


async def test_calls_queued_behind_slow_answers_each_get_their_whole_timeout(fake_telegram: FakeTelegram) -> None:
    # one connection, answers taking 0.15 s: the fifth call waits 0.6 s for the connection, longer
    # than its own 0.5 s (connect + write + read), and is still sent and answered
    fake_telegram.slow_answers, fake_telegram.slow_seconds = 5, 0.15
    transport = AiohttpRequest(connection_pool_size=1, connect_timeout=0.1, write_timeout=0.1, read_timeout=0.3)
    bot = await _bot(fake_telegram.base_url, transport)
    try:
        sent = await asyncio.gather(*(bot.send_message(ATTENDEE, f"queued {n}") for n in range(5)))
    finally:
        await bot.shutdown()
    assert sorted(m.text for m in sent) == [f"queued {n}" for n in range(5)]


async def test_a_malformed_answer_is_a_network_error_that_does_not_hold_the_token() -> None:
    async def garbage(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")  # a broken proxy or gateway in the way
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        failure = await _network_error(f"http://127.0.0.1:{port}/bot{FakeTelegram.token}/sendMessage")
    finally:
        server.close()
        await server.wait_closed()
    assert "aiohttp.ClientResponseError" in failure
    assert FakeTelegram.token not in failure and "TEST-token" not in failure


async def test_an_unreachable_api_is_a_network_error_that_does_not_hold_the_token() -> None:
    failure = await _network_error(f"http://127.0.0.1:{free_port()}/bot{FakeTelegram.token}/getMe")
    assert "aiohttp.ClientConnectorError" in failure
    assert FakeTelegram.token not in failure


async def _network_error(url: str) -> str:
    """The text of the NetworkError a call to ``url`` through a fresh transport raises."""
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as failure:
            await request.post(url)
    finally:
        await request.shutdown()
    return str(failure.value)


async def test_a_call_before_initialize_or_after_shutdown_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")


async def test_the_bot_api_is_reached_through_the_proxy_the_environment_names(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # where Telegram is blocked, operators set HTTP(S)_PROXY; the Bot API's own host is unreachable here
    for name in ("no_proxy", "NO_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{fake_telegram.port}")
    bot = await _bot("http://api.telegram.invalid/bot", AiohttpRequest())
    try:
        assert (await bot.send_message(ATTENDEE, "via the proxy")).text == "via the proxy"
        monkeypatch.setenv("NO_PROXY", "api.telegram.invalid")  # read once per host: the first answer stands
        assert (await bot.send_message(ATTENDEE, "again")).text == "again"
    finally:
        await bot.shutdown()
    assert [m["text"] for m in fake_telegram.sent("sendMessage")] == ["via the proxy", "again"]


async def test_a_socks_proxy_is_refused_with_a_clear_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    failure = await _network_error(f"http://api.telegram.invalid/bot{FakeTelegram.token}/getMe")
    assert re.search("not an HTTP proxy.*HTTPS_PROXY=http://", failure)


async def test_a_host_named_in_no_proxy_is_reached_directly(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    bot = await _bot(fake_telegram.base_url, AiohttpRequest())
    try:
        assert (await bot.send_message(ATTENDEE, "direct")).text == "direct"
    finally:
        await bot.shutdown()
