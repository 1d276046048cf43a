"""Personal web pages (``/me/<token>``) and the forms every page carries: star, ask, vote, rate.

Every form posts one chat action (``sub 5``, ``vote 12``, ``rate 5 4``, ``ask 5 <text>``) that the core
runs as the page's user (:meth:`bot.core.Core.web_run`), so the web and the chat share every rule; the
answer the chat would give is shown once on the next page (a short-lived ``flash`` cookie, after a
303 redirect, so a reload sends nothing twice).

Forms are protected by a double-submit token: a random ``csrf`` cookie (``SameSite=Strict``,
``HttpOnly``) that each form repeats in a hidden field; a post whose field is missing or different is
refused (403) with no effect. Opening a personal page remembers its token in an ``agenda`` cookie, so
that the programme and the talk pages show that person's stars, questions and ratings. Writing is
limited per page and per client (``RateLimit`` buckets), and so is making agendas.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.web.frames import Pages
from bot.chat.messages import Reply
from bot.core import WEB_ACTIONS as ACTIONS
from bot.core import RateLimit
from bot.core import WebHolder as Holder
from bot.i18n import t

if TYPE_CHECKING:
    pass


AGENDA_COOKIE = "agenda"
CSRF_COOKIE = "csrf"
FLASH_COOKIE = "flash"
FLASH_CHARS = 300  # the answer shown after a form: its notice or first lines, this long at most
MAX_FIELDS = 10
COOKIE_SECONDS = 365 * 24 * 3600
PERSONAL_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
_NEXT_OK = ("/talks/", "/me/")


@dataclass(frozen=True)
class Limits:
    """How fast one page, and one client (its address), may write; and how fast a browser (its CSRF
    cookie) makes agendas."""

    per_page_burst: int = 20
    per_page_per_second: float = 0.5
    # a whole venue may share one address (its Wi-Fi, a carrier's NAT): this is only a backstop
    per_client_burst: int = 600
    per_client_per_second: float = 20.0
    agendas_burst: int = 5
    agendas_per_second: float = 5 / 3600


class Agendas:
    """The personal pages' routes and the forms' handling, over the site's pages (:class:`Pages`)."""

    def __init__(self, pages: Pages, limits: Limits | None = None) -> None:
        self.pages = pages
        self.core = pages.core
        limits = limits or Limits()
        clock = pages.core.clock
        self.per_page = RateLimit(limits.per_page_burst, limits.per_page_per_second, clock)
        self.per_client = RateLimit(limits.per_client_burst, limits.per_client_per_second, clock)
        self.agendas = RateLimit(limits.agendas_burst, limits.agendas_per_second, clock)

    def routes(self) -> list[BaseRoute]:
        """``POST /me`` (make an agenda), ``GET``/``POST /me/<token>`` and ``POST /me/<token>/reset``."""
        return [
            Route("/me", self.new_agenda, methods=["POST"]),
            Route("/me/{token}", self.agenda, methods=["GET", "HEAD"]),
            Route("/me/{token}", self.act, methods=["POST"]),
            Route("/me/{token}/reset", self.reset, methods=["POST"]),
            Route("/me/{token}/use", self.use, methods=["POST"]),
        ]

    # --- who is reading ---

    async def holder(self, request: Request) -> Holder | None:
        """The personal page this browser opened last (its ``agenda`` cookie), if it still exists."""
        token = request.cookies.get(AGENDA_COOKIE)
        if not token:
            return None
        return await self.core.blocking(lambda: self.core.web_holder(token))

    @staticmethod
    def csrf(request: Request) -> str:
        """This browser's form token (its cookie), or a new one that :func:`remember` will set."""
        known = request.cookies.get(CSRF_COOKIE, "")
        token = known if 20 <= len(known) <= 64 and known.isascii() else secrets.token_urlsafe(24)
        request.state.csrf = token
        return token

    def cookie(self, request: Request, response: Response, name: str, value: str, **options: Any) -> None:
        """Set one of the site's cookies (:func:`site_cookie`)."""
        site_cookie(request, response, self.pages.settings.public_url, name, value, **options)

    def remember(self, request: Request, response: Response) -> None:
        """Set the cookies a page needs (the form token when new) and drop a flash once shown."""
        token = getattr(request.state, "csrf", None)
        if token and token != request.cookies.get(CSRF_COOKIE):
            self.cookie(request, response, CSRF_COOKIE, token, samesite="strict")
        if request.cookies.get(FLASH_COOKIE):
            response.delete_cookie(FLASH_COOKIE)

    def flash_reply(self, request: Request, response: Response, reply: Reply) -> None:
        """Show the chat's answer once on the next page: its notice, else its text, cut short."""
        flash_reply(request, response, self.pages.settings.public_url, reply)

    @staticmethod
    def flash(request: Request) -> str | None:
        """The answer to the last form, shown once."""
        value = request.cookies.get(FLASH_COOKIE)
        return unquote(value)[:FLASH_CHARS] if value else None

    # --- the pages ---

    async def agenda(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        token = str(request.path_params["token"])
        holder = await self.core.blocking(lambda: self.core.web_holder(token))
        if holder is None:
            return self.pages.missing(request, lang, t(lang, "me.unknown"))
        page_text = request.query_params.get("page") or "1"
        action = f"my {page_text}" if page_text.isdigit() and len(page_text) < 4 else "my"
        mine = await self.core.blocking(lambda: self.core.web_run(holder, action, lang))
        board = await self.core.blocking(lambda: self.core.web_board(lang))
        base = (self.pages.settings.public_url or str(request.base_url)).rstrip("/")
        remembered = await self._may_remember(request, holder.token)
        response = self.pages.page(
            request,
            lang,
            "me.html",
            elsewhere=not remembered,
            holder=holder,
            mine=mine,
            board=board,
            feed_url=f"{base}/calendar/{holder.feed_token}.ics",
            headers=PERSONAL_HEADERS,
            **self.pages.live(),
        )
        if remembered:
            self.cookie(request, response, AGENDA_COOKIE, holder.token)
        return response

    async def _may_remember(self, request: Request, token: str) -> bool:
        """Whether this browser may remember ``token`` as its agenda: it has none, or this one, or one that
        no longer exists. Opening someone else's page never replaces the browser's own agenda."""
        kept = request.cookies.get(AGENDA_COOKIE)
        if not kept or kept == token:
            return True
        return await self.core.blocking(lambda: self.core.web_holder(kept)) is None

    async def new_agenda(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        form = await self._form(request)
        if form is None:
            return self._refused(request, lang, "me.expired", 403)
        browser = request.cookies.get(CSRF_COOKIE, "")
        if not (
            self._within(self.agendas, "browser", browser) and self._within(self.per_client, "client", _client(request))
        ):
            return self._refused(request, lang, "me.slow", 429)
        action = _action(form) if "action" in form else f"sub {form.get('talk', '')}"  # ☆ on the programme
        token = await self.core.blocking(lambda: self.core.web_new_agenda(lang))
        target = _next(form.get("next", ""), token) if "next" in form else f"/me/{token}"
        response = RedirectResponse(target, status_code=303, headers=PERSONAL_HEADERS)
        self.cookie(request, response, AGENDA_COOKIE, token)
        holder = await self.core.blocking(lambda: self.core.web_holder(token))
        if holder is not None and ACTIONS.fullmatch(action):  # the star or question that made the agenda
            reply = await self.core.blocking(lambda: self.core.web_run(holder, action, lang))
            self.flash_reply(request, response, reply)
        return response

    async def act(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        token = str(request.path_params["token"])
        form = await self._form(request)
        if form is None:
            return self._refused(request, lang, "me.expired", 403)
        action = _action(form)
        if not ACTIONS.fullmatch(action):
            return self._refused(request, lang, "me.bad_form", 400)
        holder = await self.core.blocking(lambda: self.core.web_holder(token))
        if holder is None:
            return self.pages.missing(request, lang, t(lang, "me.unknown"))
        if not (
            self._within(self.per_page, "page", token) and self._within(self.per_client, "client", _client(request))
        ):
            return self._refused(request, lang, "me.slow", 429)
        reply = await self.core.blocking(lambda: self.core.web_run(holder, action, lang))
        response = RedirectResponse(_next(form.get("next", ""), token), status_code=303, headers=PERSONAL_HEADERS)
        self.flash_reply(request, response, reply)
        return response

    async def use(self, request: Request) -> Response:
        """ "Use this page in this browser": the page becomes the one the programme and talk pages act as."""
        lang = self.pages.lang_of(request)
        if await self._form(request) is None:
            return self._refused(request, lang, "me.expired", 403)
        token = str(request.path_params["token"])
        if await self.core.blocking(lambda: self.core.web_holder(token)) is None:
            return self.pages.missing(request, lang, t(lang, "me.unknown"))
        response = RedirectResponse(f"/me/{token}", status_code=303, headers=PERSONAL_HEADERS)
        self.cookie(request, response, AGENDA_COOKIE, token)
        return response

    async def reset(self, request: Request) -> Response:
        lang = self.pages.lang_of(request)
        form = await self._form(request)
        if form is None:
            return self._refused(request, lang, "me.expired", 403)
        token = str(request.path_params["token"])
        if not self._within(self.per_page, "page", token):
            return self._refused(request, lang, "me.slow", 429)
        holder = await self.core.blocking(lambda: self.core.web_holder(token, reset=True))
        if holder is None:
            return self.pages.missing(request, lang, t(lang, "me.unknown"))
        response = RedirectResponse(f"/me/{holder.token}", status_code=303, headers=PERSONAL_HEADERS)
        self.cookie(request, response, FLASH_COOKIE, quote(t(lang, "me.reset_done")), max_age=60)
        return response

    # --- shared ---

    async def _form(self, request: Request) -> dict[str, str] | None:
        """The posted form, or None when its CSRF field is not this browser's cookie (no effect)."""
        return await browser_form(request)

    def _within(self, limit: RateLimit, kind: str, key: str) -> bool:
        return limit.check(kind, key, may_warn=True) == "serve"

    def _refused(self, request: Request, lang: str, key: str, status: int) -> Response:
        return self.pages.page(request, lang, "missing.html", status=status, message=t(lang, key))


def _action(form: dict[str, str]) -> str:
    """The chat action a form posts: a button's (three words at most), or ``ask <id>`` with its text."""
    action = " ".join(form.get("action", "").split()[:3])
    if action.startswith("ask "):
        text = " ".join(form.get("text", "").split())
        return f"{action} {text}" if text else ""
    return action


async def posted(request: Request, limit: int = MAX_FIELDS) -> dict[str, str] | None:
    """The posted (URL-encoded) form's fields, or None when it has more than ``limit`` (no form of ours)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return dict(parse_qsl(body, keep_blank_values=True, max_num_fields=limit))
    except ValueError:
        return None


def carries(fields: dict[str, str] | None, token: str) -> bool:
    """Whether the form repeats ``token`` in its ``csrf`` field (compared in constant time)."""
    return fields is not None and bool(token) and hmac.compare_digest(fields.get("csrf", "").encode(), token.encode())


async def browser_form(request: Request) -> dict[str, str] | None:
    """The posted form when its CSRF field is this browser's ``csrf`` cookie (double submit), else None."""
    fields = await posted(request)
    return fields if fields is not None and carries(fields, request.cookies.get(CSRF_COOKIE, "")) else None


def site_cookie(
    request: Request, response: Response, public_url: str | None, name: str, value: str, **options: Any
) -> None:
    """Set one of the site's cookies: ``HttpOnly``, a year and ``SameSite=Lax`` unless said, ``Secure``
    over HTTPS."""
    options.setdefault("max_age", COOKIE_SECONDS)
    options.setdefault("samesite", "lax")
    response.set_cookie(name, value, httponly=True, secure=secure(request, public_url), **options)


def flash_reply(request: Request, response: Response, public_url: str | None, reply: Reply, **options: Any) -> None:
    """Show the chat's answer once on the next page: its notice, else its text, cut short."""
    text = reply.notice or " ".join(reply.plain_text.split())
    if text:
        site_cookie(request, response, public_url, FLASH_COOKIE, quote(text[:FLASH_CHARS]), max_age=60, **options)


def secure(request: Request, public_url: str | None) -> bool:
    """Whether cookies must be ``Secure``: the page came over HTTPS, or the public address is HTTPS."""
    return request.url.scheme == "https" or (public_url or "").startswith("https://")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _next(target: str, token: str) -> str:
    """Where a form's answer is shown: the page it was sent from (a talk or this agenda), else the agenda."""
    if target == "/" or (target.startswith(_NEXT_OK) and target.isascii() and len(target) < 200 and "//" not in target):
        return target
    return f"/me/{token}"
