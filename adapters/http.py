"""One ASGI server (Starlette on uvicorn): the adapters' webhooks, `/healthz`, `/readyz` and `/metrics`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.feed_guard import FeedGuard
from adapters.http_guard import HeadLimits, protocol_with
from adapters.startup import StartupError
from adapters.workers import listen
from bot.ops.health import Readiness

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024  # the default of ``CONFBOT_MAX_BODY_BYTES``
FEED_MISS_LIMIT, FEED_MISS_WINDOW = 30, 600.0  # the defaults of CONFBOT_FEED_MISS_LIMIT and _WINDOW
READY_TIMEOUT = 3.0  # seconds /readyz waits for its checks (a database that does not answer)


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


class StartedGate:
    """Pure ASGI middleware: a platform's endpoint answers 503 until that platform has started.

    The server comes up first, so that probes answer while the platforms connect; Telegram and Slack
    retry a 503, so an update that arrives early is delivered again once the adapter is up.
    """

    def __init__(self, app: ASGIApp, gates: Mapping[str, Callable[[], bool]]) -> None:
        self.app = app
        self.gates = dict(gates)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gates.get(scope["path"]) if scope["type"] == "http" else None
        if gate is not None and not gate():
            response = PlainTextResponse("starting", status_code=503, headers={"Retry-After": "5"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def healthz(_: Request) -> PlainTextResponse:
    """Liveness probe: the process serves HTTP."""
    return PlainTextResponse("ok")


def calendar_route(core: Core, guard: FeedGuard | None = None) -> Route:
    """``GET /calendar/<token>.ics``: a user's personal agenda feed; an unknown token is 404, and a client
    past its limit of unknown tokens is 429 (``guard``, by default 30 in 10 minutes)."""
    guard = guard or FeedGuard(FEED_MISS_LIMIT, FEED_MISS_WINDOW, lambda: core.clock.now().timestamp())

    async def feed(request: Request) -> Response:
        client = request.client.host if request.client else "unknown"
        wait = guard.refusal(client)
        if wait is not None:
            headers = {"Retry-After": str(math.ceil(wait))}
            return PlainTextResponse("too many unknown calendar feeds: try later", status_code=429, headers=headers)
        data = await run_in_threadpool(core.calendar_feed, request.path_params["token"])  # a database query
        if data is None:
            guard.missed(client)
            return PlainTextResponse("not found", status_code=404)
        return Response(
            data, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"}
        )

    return Route("/calendar/{token}.ics", feed, methods=["GET"])


def readyz_endpoint(readiness: Readiness) -> Callable[[Request], Awaitable[Response]]:
    """``/readyz``: 200 ``{"status": "ready"}``, or 503 with each failing check and its reason; non-blocking
    checks that report a problem are listed under ``warnings`` either way."""

    def run() -> tuple[dict[str, str], dict[str, str]]:
        return readiness.failing(), readiness.warnings()

    async def readyz(_: Request) -> Response:
        try:  # the checks block (a database query): in a thread, with a bound
            failing, warnings = await asyncio.wait_for(asyncio.to_thread(run), READY_TIMEOUT)
        except TimeoutError:
            failing, warnings = {"checks": f"no answer within {READY_TIMEOUT:g} s"}, {}
        extra = {"warnings": warnings} if warnings else {}
        if failing:
            return JSONResponse({"status": "not ready", "failing": failing, **extra}, status_code=503)
        return JSONResponse({"status": "ready", "checks": readiness.names, **extra})

    return readyz


def metrics_endpoint(exposition: Callable[[], bytes], content_type: str) -> Callable[[Request], Awaitable[Response]]:
    """``/metrics`` in Prometheus' text format (the database gauges are read in a thread)."""

    async def metrics(_: Request) -> Response:
        return Response(await asyncio.to_thread(exposition), media_type=content_type)

    return metrics


def build_asgi(
    routes: Sequence[BaseRoute],
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    readiness: Readiness | None = None,
    metrics: tuple[Callable[[], bytes], str] | None = None,
    gates: Mapping[str, Callable[[], bool]] | None = None,
) -> Starlette:
    """A Starlette app with the adapters' routes plus ``/healthz`` (and ``/readyz``, ``/metrics`` when given).

    Bodies over ``max_body_bytes`` get 413; a path in ``gates`` gets 503 while its gate is closed.
    """
    ops: list[BaseRoute] = [Route("/healthz", healthz)]
    if readiness is not None:
        ops.append(Route("/readyz", readyz_endpoint(readiness)))
    if metrics is not None:
        ops.append(Route("/metrics", metrics_endpoint(*metrics)))
    return Starlette(
        routes=[*routes, *ops],
        middleware=[Middleware(BodyLimit, max_bytes=max_body_bytes), Middleware(StartedGate, gates=gates or {})],
    )


def stopping(app: Starlette) -> asyncio.Event:
    """Set when the server of ``app`` begins to stop. A response that streams until the client leaves
    (server-sent events) ends on it: uvicorn's shutdown waits for every response to finish."""
    event = getattr(app.state, "stopping", None)
    if not isinstance(event, asyncio.Event):
        event = asyncio.Event()
        app.state.stopping = event
    return event


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """Serves an ASGI app in the running event loop until :meth:`stop`, within ``limits`` (request heads'
    size, header count and time to arrive, idle keep-alive, connections: ``adapters/http_guard.py``)."""

    def __init__(
        self,
        app: Starlette,
        host: str,
        port: int,
        limits: HeadLimits | None = None,
        *,
        trusted_proxies: str = "127.0.0.1,::1",
    ) -> None:
        self.where = f"{host}:{port}"
        self._app = app
        self._address = (host, port)
        limits = limits or HeadLimits()
        # log_config=None: uvicorn logs through the root handlers, so the secret filter sees them too;
        # httptools held to the head limits (http_guard.py): a request head is never buffered past them
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            log_config=None,
            http=protocol_with(limits),
            timeout_keep_alive=limits.keepalive_timeout,
            limit_concurrency=limits.max_connections,
            forwarded_allow_ips=trusted_proxies,  # whose X-Forwarded-For names the client
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self, sock: socket.socket | None = None) -> None:
        """Start serving (on ``sock`` when given: a worker's inherited socket); returns once the socket is
        bound. A port that can't be bound is a StartupError (bound here: uvicorn would log the error and
        ``sys.exit`` out of the event loop)."""
        sock = sock or listen(*self._address)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise StartupError(f"the HTTP server on {self.where} stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """End the streams (:func:`stopping`), finish in-flight requests and close."""
        if self._task is None:
            return
        stopping(self._app).set()
        self._server.should_exit = True
        await self._task
        self._task = None
