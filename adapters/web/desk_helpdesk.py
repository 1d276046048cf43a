"""The desk's helpdesk inbox (``/desk/helpdesk``): the open tickets oldest first, each with the lines
``/tickets`` shows and the attendee's whole thread (a file by its kind and name: it stays on the
platform, never fetched), and per ticket Claim, an answer box and Close.

Each button is the chat command an organizer would send (``Core.desk_run``): ``ticket_claim <n>``
(a ticket another organizer has already claimed is refused with their name), ``ticket_reply <n>
<answer>`` (the attendee gets it in their chat through the outbox, exactly as a Reply in the chat),
``ticket_close <n>``; audited under the organizer's chat identity. The chat's answer is shown once
on the inbox after the form (the site's flash).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.web.agenda import PERSONAL_HEADERS, flash_reply
from adapters.web.frames import DeskHost
from bot.chat.messages import Reply, ReplyBuilder
from bot.i18n import t

HEADERS = PERSONAL_HEADERS  # the desk's too (not stored, not indexed)


INBOX = "/desk/helpdesk"
COMMANDS = {"claim": "ticket_claim", "reply": "ticket_reply", "close": "ticket_close"}


class HelpdeskPages:
    """``GET /desk/helpdesk`` and ``POST /desk/helpdesk/<n>/{claim,reply,close}``."""

    def __init__(self, desk: DeskHost) -> None:
        self.desk = desk
        self.core = desk.core

    def routes(self) -> list[BaseRoute]:
        return [
            Route(INBOX, self.inbox, methods=["GET", "HEAD"]),
            Route(INBOX + "/{number:int}/{what}", self.act, methods=["POST"]),
        ]

    async def inbox(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        lang = self.desk.pages.lang_of(request)
        shown = await self.core.blocking(lambda: self.core.desk_helpdesk(lang))
        return self.desk.frame(request, "desk_helpdesk.html", signed, tickets=shown)

    async def act(self, request: Request) -> Response:
        what = str(request.path_params["what"])
        command = COMMANDS.get(what)
        posted = await self.desk.form(request)
        if posted is None:
            return self.desk.refused(request)
        if command is None:
            return self.desk.refused(request, "desk.helpdesk_bad_form", 400)
        signed, fields = posted
        lang = self.desk.pages.lang_of(request)
        number = int(request.path_params["number"])
        action = f"{command} {number}"
        if what == "reply":
            text = fields.get("text", "").strip()
            if not text:  # a bare ticket_reply would wait for their next chat message: never from the desk
                return self._back(request, number, t(lang, "desk.helpdesk_empty", id=number))
            action = f"{action} {text}"
        reply = await self.core.blocking(lambda: self.core.desk_run(signed, action, lang))
        return self._back(request, number, reply)

    def _back(self, request: Request, number: int, said: Reply | str) -> Response:
        """To the inbox at the ticket, with the chat's answer (or the page's own word) shown once."""
        response = RedirectResponse(f"{INBOX}#ticket-{number}", status_code=303, headers=HEADERS)
        reply = said if isinstance(said, Reply) else ReplyBuilder().line(said).build()
        flash_reply(request, response, self.desk.pages.settings.public_url, reply, samesite="strict")
        return response
