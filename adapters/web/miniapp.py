"""The Telegram Mini App: the web pages opened inside Telegram from the bot's menu button.

``GET /webapp`` is the address given to BotFather. Telegram opens it with the signed ``initData`` in the
address's hash (``tgWebAppData``); ``/static/webapp.js`` posts it to ``POST /webapp/session`` (form
field ``init_data``), which checks Telegram's signature with the bot token
(:func:`adapters.telegram.webapp.verify_init_data`, as
core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app says) and opens the
Telegram user's own personal page (``/me/<token>``: their account, so their stars are their chat
subscriptions). A forged, tampered or stale ``initData`` is 403 and changes nothing.

The session post carries no CSRF token: the signature is the proof (it names the user and is made with
the bot's token), and a page elsewhere can only sign someone in as themselves.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.telegram.webapp import MAX_AGE, InitDataError, MiniAppUser, verify_init_data
from adapters.web.agenda import PERSONAL_HEADERS
from adapters.web.frames import Pages
from bot.chat.messages import Address
from bot.chat.messages import Request as ChatRequest
from bot.i18n import t

log = logging.getLogger(__name__)
MAX_INIT_DATA = 4096


class MiniApp:
    """``/webapp``, its script and ``POST /webapp/session``."""

    def __init__(self, pages: Pages, script: bytes, security_headers: dict[str, str]) -> None:
        self.pages = pages
        self.script = script
        self.headers = security_headers

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/webapp", self.opening, methods=["GET", "HEAD"]),
            Route("/webapp/session", self.session, methods=["POST"]),
            Route("/static/webapp.js", self.javascript, methods=["GET", "HEAD"]),
        ]

    async def opening(self, request: Request) -> Response:
        return self.pages.page(request, self.pages.lang_of(request), "webapp.html", headers=PERSONAL_HEADERS)

    async def javascript(self, _: Request) -> Response:
        headers = {**self.headers, "Cache-Control": "public, max-age=3600"}
        return Response(self.script, media_type="text/javascript; charset=utf-8", headers=headers)

    async def session(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        user = self._verified(await request.body())
        if user is None:
            return self.pages.page(request, lang, "missing.html", status=403, message=t(lang, "webapp.refused"))
        address = Address("telegram", user.id, user.id)  # a private chat's id is the user's
        name = " ".join(part for part in (user.first_name, user.last_name) if part) or None
        chat = ChatRequest(address, action="my", locale=user.language_code, display_name=name, background=True)
        page = await self.pages.core.blocking(lambda: self.pages.core.web_agenda_of(chat))
        return RedirectResponse(f"/me/{page}", status_code=303, headers=PERSONAL_HEADERS)

    def _verified(self, body: bytes) -> MiniAppUser | None:
        """The Telegram user the posted ``init_data`` names, when its signature and age hold."""
        token = self.pages.settings.telegram_bot_token
        if not token or len(body) > 3 * MAX_INIT_DATA:  # no bot to check it with, or far too long
            return None
        try:
            fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), max_num_fields=5))
            return verify_init_data(fields.get("init_data", ""), token, self.pages.core.clock.now(), MAX_AGE)
        except (InitDataError, ValueError) as refused:
            log.info("Mini App session refused: %s", refused)
            return None


def script() -> bytes:
    """The Mini App's one script."""
    return (Path(__file__).resolve().parent / "static" / "webapp.js").read_bytes()
