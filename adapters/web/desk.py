"""The organizer desk (``/desk``): sign-in from a one-time chat link, the session, and its pages.

A link from ``/desk`` opens ``GET /desk/signin/<token>``, which only shows whose link it is and a
"Sign in" button: the ``POST`` uses it up (a chat app's link preview, which fetches the address,
cannot). The session lives in a ``desk`` cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` behind
HTTPS); every desk form repeats the session's own CSRF token, and a post without it, or with an
expired or signed-out session, is refused with no effect. What a page does is the chat command that
does the same thing (``Core.desk_run``), audited under the organizer's chat identity.

Other desk pages register here (:meth:`Desk.routes`) and use :meth:`Desk.signed` and
:meth:`Desk.form` for the session and its forms, and :meth:`Desk.frame` to draw themselves.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.web.agenda import browser_form, carries, posted, site_cookie
from adapters.web.desk_broadcast import BroadcastPages
from adapters.web.desk_helpdesk import HelpdeskPages
from adapters.web.desk_reports import AuditPage, QuestionsPage, StatsPage
from adapters.web.desk_schedule import SchedulePages
from adapters.web.frames import Pages
from bot.core import DeskSignedIn
from bot.i18n import t
from bot.ops.health import Readiness

COOKIE = "desk"
DESK_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
NOW_REFRESH_SECONDS = 30  # the Now page redraws itself this often
MAX_FIELDS = 20


class Desk:
    """The desk's sign-in, session and pages, over the site's pages."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.core = pages.core
        self.nav: list[tuple[str, str]] = []  # the other desk pages: (path, catalog key of its name)
        self.readiness: Readiness | None = None  # what /readyz checks (confbot run hands it in)
        self.nav.append(("/desk/broadcast", "desk.broadcast_nav"))
        self.nav.append(("/desk/helpdesk", "desk.helpdesk_nav"))
        self.nav.append(("/desk/schedule", "desk.schedule_nav"))
        self.nav.append(("/desk/questions", "desk.questions_nav"))
        self.nav.append(("/desk/stats", "desk.stats_nav"))
        self.nav.append(("/desk/audit", "desk.audit_nav"))

    def routes(self) -> list[BaseRoute]:
        """``/desk/signin/<token>`` (GET shows it, POST uses it), ``/desk/signout`` and ``/desk`` (Now)."""
        return [
            Route("/desk/signin/{token}", self.signin_page, methods=["GET", "HEAD"]),
            Route("/desk/signin/{token}", self.signin, methods=["POST"]),
            Route("/desk/signout", self.signout, methods=["POST"]),
            Route("/desk", self.now, methods=["GET", "HEAD"]),
            *BroadcastPages(self).routes(),
            *HelpdeskPages(self).routes(),
            *SchedulePages(self).routes(),
            *QuestionsPage(self).routes(),
            *StatsPage(self).routes(),
            *AuditPage(self).routes(),
        ]

    # --- the session ---

    async def signed(self, request: Request) -> DeskSignedIn | None:
        """The organizer this browser's desk session is, if it is live."""
        token = request.cookies.get(COOKIE, "")
        if not token:
            return None
        return await self.core.blocking(lambda: self.core.desk_session(token))

    async def form(self, request: Request) -> tuple[DeskSignedIn, dict[str, str]] | None:
        """The posted form and its organizer, or None: no live session, or not this session's CSRF token."""
        signed = await self.signed(request)
        if signed is None:
            return None
        fields = await posted(request, MAX_FIELDS)
        return (signed, fields) if fields is not None and carries(fields, signed.csrf) else None

    def frame(
        self, request: Request, template: str, signed: DeskSignedIn, status: int = 200, **values: Any
    ) -> Response:
        """A desk page: the site's frame with the desk's navigation, its CSRF token and headers."""
        lang = self.pages.lang_of(request)
        values.setdefault("desk_csrf", signed.csrf)
        values.setdefault("desk_pages", self.nav)
        return self.pages.page(
            request, lang, template, status=status, headers=DESK_HEADERS, account=signed.account, **values
        )

    def refused(self, request: Request, key: str = "desk.signed_out", status: int = 403) -> Response:
        """A desk request without a live session or with a bad form: what to do, nothing done."""
        lang = self.pages.lang_of(request)
        return self.pages.page(request, lang, "missing.html", status=status, headers=DESK_HEADERS, message=t(lang, key))

    # --- sign-in ---

    async def signin_page(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        token = str(request.path_params["token"])
        account = await self.core.blocking(lambda: self.core.desk_link_account(token))
        if account is None:
            return self.refused(request, "desk.link_used", 404)
        return self.pages.page(request, lang, "desk_signin.html", headers=DESK_HEADERS, account=account, token=token)

    async def signin(self, request: Request) -> Response:
        if await browser_form(request) is None:  # the site's double-submit token, as every form
            return self.refused(request, "me.expired")
        token = str(request.path_params["token"])
        made = await self.core.blocking(lambda: self.core.desk_redeem(token))
        if made is None:
            return self.refused(request, "desk.link_used", 404)
        session_token, signed = made
        response = RedirectResponse("/desk", status_code=303, headers=DESK_HEADERS)
        max_age = max(0, int((signed.expires_at - self.core.clock.now()).total_seconds()))
        public_url = self.pages.settings.public_url
        site_cookie(request, response, public_url, COOKIE, session_token, max_age=max_age, samesite="strict")
        return response

    async def signout(self, request: Request) -> Response:
        posted = await self.form(request)
        if posted is None:
            return self.refused(request)
        token = request.cookies.get(COOKIE, "")
        await self.core.blocking(lambda: self.core.desk_sign_out(token))
        response = RedirectResponse("/", status_code=303, headers=DESK_HEADERS)
        response.delete_cookie(COOKIE)
        return response

    # --- Now ---

    async def now(self, request: Request) -> Response:
        signed = await self.signed(request)
        if signed is None:
            return self.refused(request)
        lang = self.pages.lang_of(request)
        view = await self.core.blocking(lambda: self.core.desk_now(lang))
        problems = await self.core.blocking(self._problems)
        return self.frame(request, "desk_now.html", signed, view=view, readiness=problems, refresh=NOW_REFRESH_SECONDS)

    def _problems(self) -> list[tuple[str, str]]:
        """What is not ready (as ``/readyz`` says it) and the warnings, by check name."""
        if self.readiness is None:
            return []
        return [*self.readiness.failing().items(), *self.readiness.warnings().items()]
