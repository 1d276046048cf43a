"""One ASGI server (Starlette on uvicorn) for every adapter's webhook endpoints."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route


async def healthz(_: Request) -> PlainTextResponse:
    """Liveness probe."""
    return PlainTextResponse("ok")


def build_asgi(routes: Sequence[BaseRoute]) -> Starlette:
    """A Starlette app with the adapters' routes plus ``/healthz``."""
    return Starlette(routes=[*routes, Route("/healthz", healthz)])


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """Serves an ASGI app in the running event loop until :meth:`stop`."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start serving; returns once the socket is bound."""
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # surfaces bind errors
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Finish in-flight requests and close."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
