"""A TCP proxy in front of PostgreSQL that can cut the database away, as a server restart does.

``cut()`` resets every open connection and stops listening (new connections are refused, as by a
server that is down); ``restore()`` listens again on the same port. It runs its own event loop in a
thread, so the code under test may block on the database from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator


class CuttingProxy:
    """127.0.0.1:``port`` relays to ``host:target_port`` until cut."""

    def __init__(self, host: str, target_port: int) -> None:
        self.host = host
        self.target_port = target_port
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    def start(self) -> int:
        """Listen on a free port (kept across cuts); returns it."""
        self._thread.start()
        self._call(self._listen())
        return self.port

    def cut(self) -> None:
        """Reset every connection and refuse new ones."""
        self._call(self._cut())

    def restore(self) -> None:
        """Accept connections again."""
        self._call(self._listen())

    def close(self) -> None:
        """Cut, then stop the proxy's thread."""
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def _call(self, coro: object) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, up_writer))
        await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer), return_exceptions=True)
        self._open.difference_update((writer, up_writer))


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


@contextlib.contextmanager
def cutting_proxy(host: str, port: int) -> Iterator[CuttingProxy]:
    """A started :class:`CuttingProxy`, closed after."""
    proxy = CuttingProxy(host, port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
