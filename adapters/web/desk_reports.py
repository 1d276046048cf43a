"""The desk's questions page (``/desk/questions``): a talk's questions as its moderators see them in the
chat (``questions <id>``), with the chat's moderation buttons (``moderate <question> hide|answered|…``)
as forms run by ``Core.desk_run``; the top questions a session host reads (``questions <id> top``) and a
link to the room's screen."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.web.desk_schedule import DeskHost
from bot.chat.messages import Reply
from bot.core import DeskSignedIn

MODERATE = re.compile(r"moderate \d{1,9} (hide|answered|pin|unpin|reopen)")  # the chat's moderation buttons
PAGER = re.compile(r"questions (\d{1,6}) page (\d{1,4})")


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 7 else None


def buttons_of(reply: Reply) -> list[list[tuple[str, str, str]]]:
    """The list's buttons a desk page can press: (kind, label, action or href) per row; ``kind`` is
    ``post`` for a moderation, ``link`` for another page of the list. Votes stay in the chat."""
    rows = []
    for row in reply.button_rows:
        shown = []
        for b in row:
            pager = PAGER.fullmatch(b.action)
            if MODERATE.fullmatch(b.action):
                shown.append(("post", b.label, b.action))
            elif pager:
                shown.append(("link", b.label, f"/desk/questions?talk={pager.group(1)}&page={pager.group(2)}"))
        if shown:
            rows.append(shown)
    return rows


class QuestionsPage:
    """``/desk/questions?talk=<id>``: GET shows the talk's questions; POST presses one moderation button."""

    def __init__(self, desk: DeskHost) -> None:
        self.desk = desk
        self.core = desk.core

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/desk/questions", self.show, methods=["GET", "HEAD"]),
            Route("/desk/questions", self.moderate, methods=["POST"]),
        ]

    async def show(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        talk = _number(request.query_params.get("talk"))
        page = _number(request.query_params.get("page")) or 1
        command = None if talk is None else f"questions {talk} page {page}" if page > 1 else f"questions {talk}"
        return await self._page(request, signed, talk, command)

    async def moderate(self, request: Request) -> Response:
        posted = await self.desk.form(request)
        if posted is None:
            return self.desk.refused(request)
        signed, fields = posted
        action = " ".join(fields.get("action", "").split())
        talk = _number(fields.get("talk"))
        if not MODERATE.fullmatch(action) or talk is None:
            return self.desk.refused(request, "desk.schedule_unknown", 400)
        return await self._page(request, signed, talk, action)

    async def _page(self, request: Request, signed: DeskSignedIn, talk: int | None, command: str | None) -> Response:
        lang = self.desk.pages.lang_of(request)
        choices = (await self.core.blocking(lambda: self.core.desk_schedule(lang))).talks
        listed = stage = None
        if talk is not None and command is not None:
            listed = await self.core.blocking(lambda: self.core.desk_run(signed, command, lang))
            stage = await self.core.blocking(lambda: self.core.desk_run(signed, f"questions {talk} top", lang))
        room = next((c.room for c in choices if c.value == str(talk)), None)
        return self.desk.frame(
            request,
            "desk_questions.html",
            signed,
            talks=choices,
            talk=str(talk) if talk is not None else "",
            room=room,
            listed=listed,
            rows=buttons_of(listed) if listed else [],
            stage=stage,
        )
