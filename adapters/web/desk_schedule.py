"""The desk's schedule page (``/desk/schedule``): /move, /cancel, their undo and /reload from forms.

Each form builds the chat command's text (``move 5 2026-12-13 16:30 B force``, ``cancel 5``,
``move 5 undo``, ``reload``) and runs it with ``Core.desk_run``, so the page shows the chat's own
preview, clash refusal or usage answer; the preview's Confirm and Drop are forms that run
``confirm <token>`` and ``drop <token>`` the same way. Beside them: the overrides stored so far, each
with its undo.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.web.frames import DeskHost
from bot.chat.messages import Reply
from bot.core import DeskSignedIn

ANSWER = re.compile(r"(confirm|drop) [A-Za-z0-9_-]{1,64}")  # a preview's buttons
PARTS = ("move", "cancel")  # what an undo drops


def _token(fields: dict[str, str], name: str) -> str:
    """One field as one word of the command (spaces inside would make it two)."""
    return "".join(fields.get(name, "").split())[:64]


def command_of(fields: dict[str, str]) -> str | None:
    """The chat command a posted schedule form stands for, or None for a form that is none of them."""
    do = fields.get("do", "")
    force = ["force"] if fields.get("force") else []
    talk = _token(fields, "talk")
    if do == "move":
        words = [talk, _token(fields, "day"), _token(fields, "time"), _token(fields, "room"), *force]
        return " ".join(["move", *(w for w in words if w)])
    if do == "cancel":
        return " ".join(["cancel", talk, *force])
    if do == "undo" and fields.get("part") in PARTS:
        return " ".join([fields["part"], talk, "undo", *force])
    if do == "reload":
        return " ".join(["reload", *force])
    action = " ".join(fields.get("action", "").split())
    if do == "answer" and ANSWER.fullmatch(action):
        return action
    return None


def answers(reply: Reply) -> list[tuple[str, str]]:
    """A preview's Confirm and Drop buttons as (label, action)."""
    return [(b.label, b.action) for row in reply.button_rows for b in row if ANSWER.fullmatch(b.action)]


class SchedulePages:
    """``/desk/schedule``: GET shows the forms and the overrides; POST runs one chat command."""

    def __init__(self, desk: DeskHost) -> None:
        self.desk = desk
        self.core = desk.core

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/desk/schedule", self.show, methods=["GET", "HEAD"]),
            Route("/desk/schedule", self.run, methods=["POST"]),
        ]

    async def show(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        return await self._page(request, signed, None, {})

    async def run(self, request: Request) -> Response:
        posted = await self.desk.form(request)
        if posted is None:
            return self.desk.refused(request)
        signed, fields = posted
        command = command_of(fields)
        if command is None:
            return self.desk.refused(request, "desk.schedule_unknown", 400)
        lang = self.desk.pages.lang_of(request)
        reply = await self.core.blocking(lambda: self.core.desk_run(signed, command, lang))
        return await self._page(request, signed, reply, fields)

    async def _page(
        self, request: Request, signed: DeskSignedIn, reply: Reply | None, fields: dict[str, str]
    ) -> Response:
        lang = self.desk.pages.lang_of(request)
        view = await self.core.blocking(lambda: self.core.desk_schedule(lang))
        return self.desk.frame(
            request,
            "desk_schedule.html",
            signed,
            view=view,
            result=reply,
            answers=answers(reply) if reply else [],
            posted=fields,
        )
