"""One ASGI server (Starlette on uvicorn) for every adapter's webhook endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024  # the default of ``CONFBOT_MAX_BODY_BYTES``


class _TooLarge(Exception):
    """Raised inside ``receive`` once a streamed body passes the cap."""


class BodyLimit:
    """Pure ASGI middleware: a request body over ``max_bytes`` gets 413 and is not read on.

    A declared ``Content-Length`` over the cap is refused before the app runs; a body without one
    (chunked) is counted as the app reads it, and refused at the first chunk past the cap. The 413
    closes the connection, so the unread rest is never buffered.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and not (declared.isascii() and declared.isdigit()):
            await _refuse(scope, receive, send, 400, "bad Content-Length")
            return
        # more digits than any sane length (int() of thousands of digits would even raise)
        if declared is not None and (len(declared) > 18 or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:  # an app that answers before reading on keeps its answer
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.warning("refused a request body over %d bytes: %s %s", self.max_bytes, scope["method"], scope["path"])
        await _refuse(scope, receive, send, 413, "request body too large")


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    """A short plain-text answer that closes the connection (the body may be unread)."""
    await PlainTextResponse(text, status_code=status, headers={"Connection": "close"})(scope, receive, send)


async def healthz(_: Request) -> PlainTextResponse:
    """Liveness probe."""
    return PlainTextResponse("ok")


def calendar_route(core: Core) -> Route:
    """``GET /calendar/<token>.ics``: a user's personal agenda feed; an unknown token is 404."""

    def feed(request: Request) -> Response:  # sync: Starlette runs it in a worker thread
        data = core.calendar_feed(request.path_params["token"])
        if data is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(
            data, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"}
        )

    return Route("/calendar/{token}.ics", feed, methods=["GET"])


def build_asgi(routes: Sequence[BaseRoute], *, max_body_bytes: int = MAX_BODY_BYTES) -> Starlette:
    """A Starlette app with the adapters' routes plus ``/healthz``; bodies over ``max_body_bytes`` get 413."""
    return Starlette(
        routes=[*routes, Route("/healthz", healthz)],
        middleware=[Middleware(BodyLimit, max_bytes=max_body_bytes)],
    )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """Serves an ASGI app in the running event loop until :meth:`stop`."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        # log_config=None: uvicorn logs through the root handlers, so the secret filter sees them too
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", log_config=None)
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
