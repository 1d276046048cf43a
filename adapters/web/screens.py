"""The room screens for a projector (``/rooms/<room>/screen``): the talk on now with a countdown, up next,
the top audience questions and a QR code to ask, kept live by server-sent events (``/rooms/<room>/events``).

What a screen shows is the core's (``Core.web_room_screen``: the chat's room, agenda and question rules).
Live updates never rely on a hook in this process, since a question may be asked, or the schedule
changed, on another replica: while a room has screens connected here, one poller reads that room's
state every ``CONFBOT_WEB_SCREEN_INTERVAL`` seconds and sends the re-rendered screen to those screens
when, and only when, it differs from what they show (docs/web.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import segno
from jinja2 import Environment
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from adapters.http import stopping
from adapters.web.frames import Pages

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
HEARTBEAT = 15.0  # seconds between comments on a quiet stream, so that proxies keep it open
RETRY_MS = 3000  # how soon a browser reconnects a dropped stream
QUEUED = 8  # updates one slow screen may have waiting; past it only the newest is kept

View = tuple[str, str]  # what a screen is rendered for: its language and the base URL of its QR code
Queue = asyncio.Queue[str]


class ScreenPages(Pages, Protocol):
    """What the screens use of the web pages (``adapters.web.WebPages``, handed in by ``web_routes``): the
    personal pages' frame and, for the live fragments, the templates."""

    env: Environment


@dataclass
class _Watch:
    """One watched room: its connected screens by view, what each view shows, and its poller."""

    screens: dict[View, set[Queue]] = field(default_factory=dict)
    shown: dict[View, str] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None


@functools.lru_cache(maxsize=256)
def _qr(url: str) -> Markup:
    return Markup(segno.make(url, error="m").svg_inline(border=2, omitsize=True))


def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class _EventStream(StreamingResponse):
    """A streaming response that calls ``on_close`` however it ends (finished, client gone, cancelled)."""

    def __init__(self, content: AsyncIterator[str], on_close: Callable[[], None], headers: dict[str, str]) -> None:
        super().__init__(content, media_type="text/event-stream", headers=headers)
        self.on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.on_close()


class RoomScreens:
    """The room screens' handlers, their per-room pollers and the cap on open streams, over the web
    pages (their core, templates and language choice) and their security ``headers``.

    ``interval`` (seconds between reads of a watched room), ``max_streams`` (open event streams in this
    process) default to the settings; ``heartbeat`` is the seconds between keep-alive comments."""

    def __init__(
        self,
        pages: ScreenPages,
        headers: Mapping[str, str],
        *,
        interval: float | None = None,
        max_streams: int | None = None,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        self.pages = pages
        self.core = pages.core
        self.settings = settings = pages.settings
        self.headers = dict(headers)
        self.interval = interval if interval is not None else settings.web_screen_interval
        self.max_streams = max_streams if max_streams is not None else settings.web_max_screens
        self.heartbeat = heartbeat
        self.script = (HERE / "static" / "screen.js").read_bytes()
        self.streams = 0  # open event streams
        self._watches: dict[str, _Watch] = {}

    def routes(self) -> list[BaseRoute]:
        """``/rooms/<room>/screen``, ``/rooms/<room>/events`` and ``/static/screen.js``."""
        return [
            Route("/rooms/{room_id}/screen", self.screen, methods=["GET", "HEAD"]),
            Route("/rooms/{room_id}/events", self.events, methods=["GET"]),
            Route("/static/screen.js", self.javascript, methods=["GET", "HEAD"]),
        ]

    @property
    def watched(self) -> set[str]:
        """The rooms with a poller running (a room with screens connected)."""
        return {room for room, watch in self._watches.items() if watch.task is not None and not watch.task.done()}

    # --- the page, the script, the stream ---

    async def screen(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        room_id = str(request.path_params["room_id"])[:100]
        view = (lang, self._base(request))
        rendered = await self._render(room_id, view)
        if rendered is None:
            return self.pages.missing(request, lang)
        name, body = rendered
        return self.pages.page(
            request,
            lang,
            "screen.html",
            room_name=name,
            body=Markup(body),
            events=f"/rooms/{quote(room_id, safe='')}/events?lang={lang}",
            now=_millis(self.core.clock.now()),
        )

    async def javascript(self, _: Request) -> Response:
        headers = {**self.headers, "Cache-Control": "public, max-age=3600"}
        return Response(self.script, media_type="text/javascript; charset=utf-8", headers=headers)

    async def events(self, request: Request) -> Response:
        room_id = str(request.path_params["room_id"])[:100]
        if self.streams >= self.max_streams:
            log.warning("refused a room screen's stream: %d open, the most this process serves", self.streams)
            headers = {**self.headers, "Retry-After": "30"}
            text = "too many room screens are open on this server: try again later"
            return PlainTextResponse(text, status_code=503, headers=headers)
        lang = self.pages.lang_of(request)
        view = (lang, self._base(request))
        self.streams += 1  # held from here, so that streams still starting count against the cap
        try:
            rendered = await self._render(room_id, view)
        except BaseException:
            self.streams -= 1
            raise
        if rendered is None:
            self.streams -= 1
            return PlainTextResponse("no such room", status_code=404, headers=self.headers)
        first = rendered[1]
        queue: Queue = asyncio.Queue(QUEUED)
        stop = stopping(request.app)
        self._join(room_id, view, queue, first, stop)

        def close() -> None:
            self.streams -= 1
            self._leave(room_id, view, queue)

        headers = {**self.headers, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        stream = self._stream(f"retry: {RETRY_MS}\n" + self._event(first), queue, stop)
        return _EventStream(stream, close, headers)

    async def _stream(self, first: str, queue: Queue, stop: asyncio.Event) -> AsyncIterator[str]:
        """The first state, then each update, a comment when quiet; ends when the server stops."""
        stopped = asyncio.ensure_future(stop.wait())
        getter: asyncio.Future[str] | None = None
        try:
            yield first
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, stopped}, timeout=self.heartbeat, return_when="FIRST_COMPLETED")
                if getter in done:
                    yield getter.result()
                elif stopped in done:
                    return
                else:
                    getter.cancel()
                    yield ": keepalive\n\n"
        finally:
            stopped.cancel()
            if getter is not None:
                getter.cancel()

    # --- the pollers ---

    def _join(self, room_id: str, view: View, queue: Queue, shown: str, stop: asyncio.Event) -> None:
        watch = self._watches.get(room_id)
        if watch is None or watch.task is None or watch.task.done():
            watch = self._watches[room_id] = _Watch()
            watch.task = asyncio.create_task(self._poll(room_id, watch, stop), name=f"room screen {room_id}")
        watch.screens.setdefault(view, set()).add(queue)
        watch.shown.setdefault(view, shown)

    def _leave(self, room_id: str, view: View, queue: Queue) -> None:
        watch = self._watches.get(room_id)
        if watch is None:
            return
        screens = watch.screens.get(view)
        if screens is not None:
            screens.discard(queue)
            if not screens:
                del watch.screens[view]
                watch.shown.pop(view, None)

    async def _poll(self, room_id: str, watch: _Watch, stop: asyncio.Event) -> None:
        """Read the room's state every interval while it has screens (until the server stops); send each
        view's screen when it changed."""
        try:
            while watch.screens and not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.interval)
                if stop.is_set():
                    return
                for view in list(watch.screens):
                    try:
                        rendered = await self._render(room_id, view)
                    except Exception:  # the database away: the screens keep what they show, and it is read again
                        log.exception("could not read room %s for its screens", room_id)
                        continue
                    body = rendered[1] if rendered else None
                    if body is None or body == watch.shown.get(view) or view not in watch.screens:
                        continue
                    watch.shown[view] = body
                    message = self._event(body)
                    for queue in watch.screens[view]:
                        self._put(queue, message)
        finally:
            if self._watches.get(room_id) is watch:
                del self._watches[room_id]

    @staticmethod
    def _put(queue: Queue, message: str) -> None:
        """Queue an update; a screen that fell behind keeps only the newest (each update is a whole screen)."""
        while True:
            try:
                queue.put_nowait(message)
                return
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()

    # --- rendering ---

    def _base(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    async def _render(self, room_id: str, view: View) -> tuple[str, str] | None:
        """The room's name and its screen's inner HTML for ``view`` now; None for an unknown room."""
        lang, base = view
        screen = await self.core.blocking(lambda: self.core.web_room_screen(room_id, lang))
        if screen is None:
            return None
        ask = f"{base}/talks/{screen.questions_talk}" if screen.questions_talk is not None else None
        values: dict[str, Any] = {
            "s": screen,
            "ask": ask,
            "qr": _qr(ask) if ask else None,
            "ask_shown": ask.split("://", 1)[-1] if ask else "",  # to type in, for a phone that can't scan
            "until": _millis(screen.countdown_to) if screen.countdown_to else None,
            "until_text": screen.countdown_to.astimezone(self.core.programme.tz).strftime("%H:%M")
            if screen.countdown_to
            else "",
        }
        return screen.room.name, self.pages.env.get_template("screen_body.html").render(values)

    def _event(self, body: str) -> str:
        data = json.dumps({"html": body, "now": _millis(self.core.clock.now())}, ensure_ascii=False)
        return f"event: screen\ndata: {data}\n\n"
