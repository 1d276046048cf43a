"""A TCP proxy on 127.0.0.1 that delays every chunk, each way, to put a database one network hop away.

Run: ``python -m bench.latency_proxy <listen port> <target host> <target port> <one-way delay ms>``.
``bench.telegram_updates --db-latency-ms N`` starts it with N/2 each way (an N ms round trip) in
front of PostgreSQL, as a managed database in the same region adds about 1 ms per round trip.
Bytes keep their order; only their arrival is late. It stops with its parent (SIGTERM).
"""

from __future__ import annotations

import asyncio
import sys
import time


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk ``delay`` seconds after it arrived."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((time.monotonic() + delay, data))
    except ConnectionError:
        pass
    finally:
        queue.put_nowait((0.0, b""))
        await delivering


async def serve(port: int, host: str, target_port: int, delay: float) -> None:
    """Accept on ``port`` and relay each connection to ``host:target_port`` with ``delay`` each way."""

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            _pump(client_reader, server_writer, delay),
            _pump(server_reader, client_writer, delay),
            return_exceptions=True,
        )

    server = await asyncio.start_server(relay, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    port, host, target_port, delay_ms = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    asyncio.run(serve(port, host, target_port, delay_ms / 1000))


if __name__ == "__main__":
    main()
