"""The shared HTTP server caps request bodies: 413 before the app reads past the cap, on every route."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from adapters.http import MAX_BODY_BYTES, HttpServer, build_asgi
from adapters.runner import serve
from bot.core import Core
from bot.settings import Settings
from tests.adapters.slack.test_e2e import SECRET, event, signed
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.helpers import wait_until_up

CAP = 64 * 1024
CHUNK = 16 * 1024


class Echo:
    """A route that counts its calls and answers with the length of the body it read."""

    def __init__(self) -> None:
        self.calls = 0
        self.read = 0

    async def endpoint(self, request: Request) -> PlainTextResponse:
        self.calls += 1
        body = await request.body()
        self.read += len(body)
        return PlainTextResponse(str(len(body)))


class Stream:
    """A request body handed over in chunks; counts how many the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(0, self.total, CHUNK):
            self.pulled += 1
            yield b"x" * CHUNK


def _client(echo: Echo, cap: int = CAP) -> httpx.AsyncClient:
    app = build_asgi([Route("/hook", echo.endpoint, methods=["POST"])], max_body_bytes=cap)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_default_cap_is_one_mebibyte_and_a_setting() -> None:
    assert Settings(_env_file=None).max_body_bytes == MAX_BODY_BYTES == 1024 * 1024  # type: ignore[call-arg]
    assert Settings(_env_file=None, max_body_bytes=2048).max_body_bytes == 2048  # type: ignore[call-arg]


async def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read() -> None:
    echo, body = Echo(), Stream(2 * 1024 * 1024)
    async with _client(echo) as client:
        response = await client.post("/hook", content=body, headers={"Content-Length": str(body.total)})
    assert response.status_code == 413 and response.headers["connection"] == "close"
    assert echo.calls == 0 and body.pulled == 0  # the route never ran, not one byte was read


async def test_a_chunked_body_is_cut_off_at_the_cap() -> None:
    echo, body = Echo(), Stream(2 * 1024 * 1024)
    async with _client(echo) as client:
        response = await client.post("/hook", content=body)  # no Content-Length: Transfer-Encoding chunked
    assert response.status_code == 413
    assert body.pulled == CAP // CHUNK + 1  # reading stopped at the first chunk past the cap
    assert echo.read == 0  # the route never got the body
    async with _client(echo) as client:  # up to the cap, either way, a body passes whole
        declared = await client.post("/hook", content=b"x" * CAP)
        streamed = await client.post("/hook", content=Stream(CAP))
        assert (await client.get("/healthz")).text == "ok"
    assert declared.text == streamed.text == str(CAP)


@pytest.mark.parametrize(("declared", "status"), [(b"-5", 400), (b"9" * 5000, 413)])
async def test_a_content_length_that_is_not_a_sane_number_is_refused(declared: bytes, status: int) -> None:
    echo, sent = Echo(), []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    app = build_asgi([Route("/hook", echo.endpoint, methods=["POST"])], max_body_bytes=CAP)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/hook",
        "raw_path": b"/hook",
        "query_string": b"",
        "headers": [(b"content-length", declared)],
        "server": ("bot", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == status and echo.calls == 0  # 5 000 digits: too large, not a crash


async def _status_line(port: int, head: str, body: bytes = b"") -> str:
    """Send a request head (and the start of a body) over a raw socket; the status line that comes back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 5)
        return line.decode().strip()
    finally:
        writer.close()


async def test_a_real_server_answers_413_without_waiting_for_the_body() -> None:
    echo, port = Echo(), _free_port()
    server = HttpServer(
        build_asgi([Route("/hook", echo.endpoint, methods=["POST"])], max_body_bytes=CAP), "127.0.0.1", port
    )
    await server.start()
    try:
        # a 100 MB upload announced with Expect: 100-continue (as curl does): refused before any byte is sent
        declared = "POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Length: 104857600\r\nExpect: 100-continue\r\n\r\n"
        assert await _status_line(port, declared) == "HTTP/1.1 413 Request Entity Too Large"
        # a chunked upload that never ends: refused as soon as it passes the cap
        chunked = "POST /hook HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n"
        assert await _status_line(port, chunked, chunk * (CAP // CHUNK + 1)) == "HTTP/1.1 413 Request Entity Too Large"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.post("/hook", content=b"hello")).text == "5"  # and it goes on serving
    finally:
        await server.stop()
    assert echo.read == 5  # the chunked route read nothing: its body stopped at the cap


async def test_confbot_run_applies_the_configured_cap(core: Core) -> None:
    slack, port = FakeSlack(), _free_port()
    await slack.start()
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,  # type: ignore[call-arg]
        SLACK_API_URL=slack.api_url,
        http_host="127.0.0.1",
        http_port=port,
        max_body_bytes=4096,
    )
    core.settings = settings
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, core, stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await wait_until_up(client)
            body = event("U1BIG", "/now " + "x" * 5000)  # a signed DM, just over this deployment's cap
            response = await client.post(
                "/slack/events", content=body, headers=signed(body, content_type="application/json")
            )
            assert response.status_code == 413
        assert [method for method, _ in slack.calls if method != "auth.test"] == []  # Bolt never saw it
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
        await slack.stop()


@pytest.mark.parametrize("cap", [0, -1])
def test_a_cap_must_be_positive(cap: int) -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, max_body_bytes=cap)  # type: ignore[call-arg]


async def test_a_port_in_use_is_a_one_line_startup_error() -> None:
    import socket

    from adapters.http import HttpServer
    from adapters.startup import StartupError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = HttpServer(build_asgi([]), "127.0.0.1", port)
        with pytest.raises(StartupError) as raised:
            await server.start()
    assert f"cannot listen on 127.0.0.1:{port}" in str(raised.value) and "CONFBOT_HTTP_PORT" in str(raised.value)
    await server.stop()  # nothing left to stop
