"""The desk's broadcast page (``/desk/broadcast``): ``/broadcast`` composed in a browser.

The page runs the chat command itself (``Core.desk_run``): ``broadcast <audience> <text>`` gives the
chat's preview (its refusals, its per-platform count, its Confirm token), and ``confirm <token>`` queues
the rows, audited under the organizer's chat identity. Beside the chat's preview the page shows the
recipient count per platform (``broadcast.sizes``, the function the preview counts with) and the text
as the Telegram and Slack adapters render it (their own renderers, shown as source in a ``<pre>``).
After Confirm, ``/desk/broadcast/<id>`` shows the broadcast's sent / pending / failed / blocked rows and
redraws itself every two seconds until it is done.
"""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.slack.render import to_blocks
from adapters.telegram.render import to_html
from adapters.web.frames import DeskHost
from bot.chat.messages import Reply
from bot.core import DeskSignedIn

PROGRESS_REFRESH_SECONDS = 2  # the progress page redraws itself this often until the broadcast is done
REDIRECT_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}  # as the desk's pages
MAX_TEXT = 8000  # the form's text, before the command's own limit (one message) refuses it kindly


def confirm_token(reply: Reply) -> str | None:
    """The token of the preview's Confirm button (``confirm <token>``); None for a refusal."""
    for row in reply.button_rows:
        for button in row:
            word, _, token = button.action.partition(" ")
            if word == "confirm" and token:
                return token
    return None


def slack_mrkdwn(reply: Reply) -> str:
    """The text of the Block Kit sections the Slack adapter posts for ``reply``."""
    parts = []
    for block in to_blocks(reply):
        text = block.get("text")
        parts.append(str(text.get("text", "")) if isinstance(text, dict) else json.dumps(block, ensure_ascii=False))
    return "\n\n".join(parts)


MAX_ID = 2**31 - 1
CONFIRMED = re.compile(r"confirmed broadcast #(\d+)")  # the broadcast command's audit outcome


class BroadcastPages:
    """``/desk/broadcast`` (compose, preview, confirm) and ``/desk/broadcast/<id>`` (progress)."""

    def __init__(self, desk: DeskHost) -> None:
        self.desk = desk
        self.core = desk.core

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/desk/broadcast", self.compose, methods=["GET", "HEAD"]),
            Route("/desk/broadcast", self.preview, methods=["POST"]),
            Route("/desk/broadcast/confirm", self.confirm, methods=["POST"]),
            Route("/desk/broadcast/cancel", self.cancel, methods=["POST"]),
            Route("/desk/broadcast/{broadcast_id:int}", self.progress, methods=["GET", "HEAD"]),
        ]

    async def _draw(
        self,
        request: Request,
        signed: DeskSignedIn,
        status: int = 200,
        text: str = "",
        audience: str = "all",
        **values: object,
    ) -> Response:
        lang = self.desk.pages.lang_of(request)
        audiences = await self.core.blocking(lambda: self.core.desk_broadcast_audiences(lang))
        return self.desk.frame(
            request, "desk_broadcast.html", signed, status, audiences=audiences, text=text, audience=audience, **values
        )

    async def compose(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        return await self._draw(request, signed)

    async def preview(self, request: Request) -> Response:
        posted = await self.desk.form(request)
        if posted is None:
            return self.desk.refused(request)
        signed, fields = posted
        lang = self.desk.pages.lang_of(request)
        text = fields.get("text", "").replace("\r\n", "\n").strip()[:MAX_TEXT]
        audience = fields.get("audience", "all")
        audiences = await self.core.blocking(lambda: self.core.desk_broadcast_audiences(lang))
        if audience not in {value for value, _ in audiences}:  # else its first word would be read as the text
            return self.desk.refused(request, "desk.broadcast_bad_audience", 400)
        reply = await self.core.blocking(lambda: self.core.desk_run(signed, f"broadcast {audience} {text}", lang))
        token = confirm_token(reply)
        if token is None:  # the chat's refusal (usage, nobody in the audience, too long…)
            return await self._draw(request, signed, 422, text, audience, answer=reply)
        sizes = await self.core.blocking(lambda: self.core.desk_broadcast_sizes(audience))
        message = self.core.desk_broadcast_message(text)
        return await self._draw(
            request,
            signed,
            200,
            text,
            audience,
            answer=reply,
            token=token,
            sizes=sizes,
            total=sum(sizes.values()),
            telegram=to_html(message),
            slack=slack_mrkdwn(message),
        )

    async def confirm(self, request: Request) -> Response:
        posted = await self.desk.form(request)
        if posted is None:
            return self.desk.refused(request)
        signed, fields = posted
        lang = self.desk.pages.lang_of(request)
        action = f"confirm {fields.get('token', '').strip()}"
        reply, outcome = await self.core.blocking(lambda: self.core.desk_act(signed, action, lang))
        confirmed = CONFIRMED.fullmatch(outcome)  # the id the confirm itself made, never a guess
        if confirmed is None:  # the preview was used, dropped or expired: the chat says so; the draft stays
            keep = {"text": fields.get("text", ""), "audience": fields.get("audience", "")}
            return await self._draw(request, signed, 409, answer=reply, **keep)
        return RedirectResponse(f"/desk/broadcast/{confirmed.group(1)}", status_code=303, headers=REDIRECT_HEADERS)

    async def cancel(self, request: Request) -> Response:
        posted = await self.desk.form(request)
        if posted is None:
            return self.desk.refused(request)
        signed, fields = posted
        lang = self.desk.pages.lang_of(request)
        action = f"drop {fields.get('token', '').strip()}"
        reply = await self.core.blocking(lambda: self.core.desk_run(signed, action, lang))
        return await self._draw(request, signed, answer=reply)

    async def progress(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        broadcast_id = int(request.path_params["broadcast_id"])
        if broadcast_id > MAX_ID:  # past any row's id (and PostgreSQL's integer)
            return self.desk.refused(request, "desk.broadcast_unknown", 404)
        tally = await self.core.blocking(lambda: self.core.desk_broadcast_progress(broadcast_id))
        if tally is None:
            return self.desk.refused(request, "desk.broadcast_unknown", 404)
        message = self.core.desk_broadcast_message(tally.text)
        refresh = None if tally.done else PROGRESS_REFRESH_SECONDS
        return self.desk.frame(
            request, "desk_broadcast_progress.html", signed, tally=tally, message=message, refresh=refresh
        )
