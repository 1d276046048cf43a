"""The HTTP server refuses hostile request heads, each refusal naming its limit, and hostile clients
cost no memory once they are gone: a real uvicorn server on 127.0.0.1, driven over raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.http import HttpServer, build_asgi
from adapters.http_guard import HeadLimits
from adapters.runner import head_limits
from bot.settings import Settings
from tests.adapters.process import ROOT, free_port

DEADLINE = 0.5  # the head deadline these tests configure: the behaviour under test is a socket timeout
HEAD = b"GET /healthz HTTP/1.1\r\nHost: bot\r\n"
CLOSE = b"Connection: close\r\n\r\n"


@pytest.fixture
async def port() -> AsyncIterator[int]:
    """A real server with the default limits but a short head deadline and a 1 s keep-alive."""
    port = free_port()
    server = HttpServer(build_asgi([]), "127.0.0.1", port, HeadLimits(header_timeout=DEADLINE, keepalive_timeout=1))
    await server.start()
    yield port
    await server.stop()


async def _exchange(port: int, data: bytes, *, timeout: float = 5) -> bytes:
    """Send ``data`` and read until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


async def test_a_one_megabyte_header_is_refused_431_naming_the_limit(port: int) -> None:
    started = time.monotonic()
    answer = await _exchange(port, HEAD + b"X-Big: " + b"a" * 1024 * 1024 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ") and answer.endswith(b"request head over 16384 bytes\n")
    assert time.monotonic() - started < DEADLINE  # refused as it came, not at the deadline
    assert (await _exchange(port, HEAD + CLOSE)).startswith(b"HTTP/1.1 200 ")  # and it goes on serving


async def test_too_many_headers_are_refused_431_before_the_app_runs(port: int) -> None:
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(101))
    answer = await _exchange(port, HEAD + many + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ") and answer.endswith(b"more than 100 headers\n")
    just_enough = b"".join(b"X-%d: 1\r\n" % i for i in range(98))  # 98 + Host + Connection
    assert (await _exchange(port, HEAD + just_enough + CLOSE)).startswith(b"HTTP/1.1 200 ")


async def test_a_malformed_head_is_a_400_with_its_reason(port: int) -> None:
    answer = await _exchange(port, b"garbage\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"malformed request: Invalid method encountered" in answer


async def test_a_client_sending_its_head_byte_by_byte_is_cut_off_at_the_deadline(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()

    async def trickle() -> None:  # a byte every 50 ms, for as long as the server takes it
        for sent in itertools.count():
            with contextlib.suppress(ConnectionError):
                writer.write(HEAD[sent % len(HEAD) : sent % len(HEAD) + 1])
            await asyncio.sleep(0.05)

    sending = asyncio.create_task(trickle())
    try:  # the answer as soon as it is whole, whether the close has come yet or not
        answer = await asyncio.wait_for(reader.readuntil(b" s\n"), 10)
    finally:
        sending.cancel()
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(b"request head not received within 0.5 s\n")
    assert DEADLINE <= time.monotonic() - started < DEADLINE + 3


async def test_a_silent_connection_and_an_idle_kept_alive_one_are_closed(port: int) -> None:
    assert (await _exchange(port, b"")).startswith(b"HTTP/1.1 408 ")  # never said a word
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEAD + b"\r\n")
    assert (await asyncio.wait_for(reader.readuntil(b"ok"), 5)).startswith(b"HTTP/1.1 200 ")
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed after the 1 s keep-alive, no answer
    writer.close()


def test_the_limits_are_settings_with_defaults() -> None:
    default = head_limits(Settings(_env_file=None))  # type: ignore[call-arg]
    assert default == HeadLimits(
        max_bytes=16384, max_headers=100, header_timeout=10.0, keepalive_timeout=15, max_connections=1000
    )
    env = {
        "CONFBOT_HTTP_MAX_HEADER_BYTES": "8192",
        "CONFBOT_HTTP_MAX_HEADERS": "50",
        "CONFBOT_HTTP_HEADER_TIMEOUT": "2.5",
        "CONFBOT_HTTP_KEEPALIVE_TIMEOUT": "30",
        "CONFBOT_HTTP_MAX_CONNECTIONS": "200",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert head_limits(Settings(_env_file=None)) == HeadLimits(8192, 50, 2.5, 30, 200)  # type: ignore[call-arg]
    assert Settings(_env_file=None).forwarded_allow_ips == "127.0.0.1,::1"  # type: ignore[call-arg]


SERVER = """
import asyncio, sys
from adapters.http import HttpServer, build_asgi
from adapters.http_guard import HeadLimits

async def main() -> None:
    server = HttpServer(build_asgi([]), "127.0.0.1", int(sys.argv[1]), HeadLimits(header_timeout=float(sys.argv[2])))
    await server.start()
    print("up", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def _slow_loris(port: int) -> bytes:
    """Sends its head a byte every 50 ms until the server answers or closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(200):
            with contextlib.suppress(ConnectionError):
                writer.write(HEAD[i % len(HEAD) : i % len(HEAD) + 1])
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(reader.read(), 0.05)
        return b""
    finally:
        writer.close()


async def _stalled(port: int, head: bytes) -> bytes:
    """Sends part of a head, then nothing: the server must answer and close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)
    except ConnectionError:
        return b"reset"
    finally:
        writer.close()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
async def test_a_hundred_hostile_clients_are_disconnected_and_their_memory_comes_back() -> None:
    port = free_port()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, str(port), str(DEADLINE), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None and await asyncio.wait_for(process.stdout.readline(), 20) == b"up\n"
        assert (await _exchange(port, HEAD + CLOSE)).startswith(b"HTTP/1.1 200 ")  # warmed up
        before = _rss_mb(process.pid)
        big = HEAD + b"X-Big: " + b"a" * 2 * 1024 * 1024  # a 2 MB header that never ends
        partial = HEAD + b"X-Partial: " + b"a" * 12 * 1024  # under the size cap, then silence
        started = time.monotonic()
        answers = await asyncio.gather(
            *[_slow_loris(port) for _ in range(50)],
            *[_stalled(port, big) for _ in range(25)],
            *[_stalled(port, partial) for _ in range(25)],
        )
        took = time.monotonic() - started
        slow, huge, quiet = answers[:50], answers[50:75], answers[75:]
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in slow + quiet), {a[:40] for a in slow + quiet}
        assert all(a.startswith(b"HTTP/1.1 431 ") or a == b"reset" for a in huge)
        assert sum(a.startswith(b"HTTP/1.1 431 ") for a in huge) >= 20  # nearly all read their answer
        assert took < DEADLINE + 5  # every one was let go at the deadline, not left hanging
        assert (await _exchange(port, HEAD + CLOSE)).startswith(b"HTTP/1.1 200 ")
        assert _rss_mb(process.pid) - before < 20
    finally:
        process.kill()
        await process.wait()


async def test_a_body_the_app_did_not_read_is_not_taken_for_the_next_head(port: int) -> None:
    body = b"x" * 40_000  # over the head cap; answered (405) before it is read
    request = b"POST /healthz HTTP/1.1\r\nHost: bot\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        got = b""
        with contextlib.suppress(TimeoutError):
            while chunk := await asyncio.wait_for(reader.read(65536), DEADLINE + 1):
                got += chunk
    finally:
        writer.close()
    assert got.startswith(b"HTTP/1.1 405 ") and got.count(b"HTTP/1.1 ") == 1  # no 431 or 408 after it
