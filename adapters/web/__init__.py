"""The public web pages (``CONFBOT_WEB=true``): the programme, talks, speakers and search, for any browser.

Served by ``confbot run`` on the same HTTP server as the webhooks; every page is the core's own view
(``Core.web_*``: the chat's lines, cards and search) rendered with Jinja2. Nothing is loaded from
another host, and the Content-Security-Policy says so (docs/web.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.web.agenda import PERSONAL_HEADERS, Agendas
from adapters.web.desk import Desk
from adapters.web.language import COOKIE, chosen, page_language
from adapters.web.miniapp import MiniApp
from adapters.web.miniapp import script as miniapp_script
from adapters.web.render import action_href, line_html, links_of, reply_html
from adapters.web.screens import RoomScreens
from bot.core import ASK_LIMIT
from bot.core import WEB_ACTIONS as ACTIONS
from bot.i18n import LANGUAGES, join_names, pick, t
from bot.ops.health import Readiness

if TYPE_CHECKING:
    from bot.core import Core
    from bot.settings import Settings

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers too old for it
}
COOKIE_SECONDS = 365 * 24 * 3600
HTML_LANG = {"zh": "zh-Hans", "zh-hant": "zh-Hant", "en": "en"}
# how each platform's bot is opened at a talk: /start talk_<id> (bot/features/browse/general.py)
DEEP_LINKS = {"telegram": "https://t.me/{username}?start=talk_{id}"}
PLATFORM_NAMES = {"telegram": "Telegram"}

Usernames = Callable[[], Mapping[str, str | None]]


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["line"] = line_html
    env.filters["reply"] = reply_html
    env.filters["web_action"] = lambda action: ACTIONS.fullmatch(action) is not None  # a button a form presses
    env.filters["href"] = action_href  # a button that leads to a page
    return env


class WebPages:
    """The pages' handlers, over one core. ``usernames`` says each started platform's bot name (for the
    "remind me" deep links; a platform whose name is unknown gets none)."""

    def __init__(self, core: Core, settings: Settings, usernames: Usernames | None = None) -> None:
        self.core = core
        self.settings = settings
        self.usernames: Usernames = usernames or dict
        self.env = _environment()
        self.css = (HERE / "static" / "web.css").read_bytes()
        self.live_js = (HERE / "static" / "live.js").read_bytes()
        self.agendas = Agendas(self)
        self.mini_app = MiniApp(self, miniapp_script(), SECURITY_HEADERS)
        self.desk = Desk(self)

    def routes(self) -> list[BaseRoute]:
        """``/``, ``/talks/<id>``, ``/talks/<id>.ics``, ``/speakers/<id>``, ``/search`` and the stylesheet."""
        return [
            Route("/", self.programme, methods=["GET", "HEAD"]),
            Route("/talks/{talk_id:int}.ics", self.calendar, methods=["GET", "HEAD"]),
            Route("/talks/{talk_id:int}", self.talk, methods=["GET", "HEAD"]),
            Route("/speakers/{speaker_id}", self.speaker, methods=["GET", "HEAD"]),
            Route("/search", self.search, methods=["GET", "HEAD"]),
            Route("/static/web.css", self.stylesheet, methods=["GET", "HEAD"]),
            Route("/static/live.js", self.live_script, methods=["GET", "HEAD"]),
            Route("/programme/version", self.version, methods=["GET", "HEAD"]),
            Route("/favicon.ico", self.no_icon, methods=["GET", "HEAD"]),
            *self.agendas.routes(),
            *self.mini_app.routes(),
            *self.desk.routes(),
        ]

    # --- the pages ---

    async def programme(self, request: Request) -> Response:
        lang = self.lang_of(request)
        room, track = request.query_params.get("room") or None, request.query_params.get("track") or None
        board = await self.core.blocking(lambda: self.core.web_board(lang, room=room, track=track))
        holder = await self.agendas.holder(request)
        return self.page(
            request,
            lang,
            "programme.html",
            headers=PERSONAL_HEADERS if holder else None,
            **self.live(),
            board=board,
            holder=holder,
            tracks_label=t(lang, "tracks.title"),
            rooms_label=t(lang, "rooms.title"),
            all_label=t(lang, "web.all"),
            filter_label=t(lang, "web.filter"),
        )

    async def talk(self, request: Request) -> Response:
        lang = self.lang_of(request)
        talk_id = int(request.path_params["talk_id"])
        page = await self.core.blocking(lambda: self.core.web_talk(talk_id, lang))
        if page is None:
            return self.missing(request, lang)
        reminders = []
        names = self.usernames()
        for platform, pattern in DEEP_LINKS.items():
            username = names.get(platform)
            if username:
                label = t(lang, "web.remind", platform=PLATFORM_NAMES[platform])
                reminders.append((label, pattern.format(username=username, id=page.id), platform))
        holder = await self.agendas.holder(request)
        rating = questions = poll = None
        if holder is not None:  # the chat's rating card and question list, as this person sees them
            rating = await self.core.blocking(lambda: self.core.web_run(holder, f"rate {talk_id}", lang))
            questions = await self.core.blocking(lambda: self.core.web_run(holder, f"questions {talk_id}", lang))
            poll_id = await self.core.blocking(lambda: self.core.web_talk_poll(talk_id))
            if poll_id is not None:  # the live poll with the chat's vote buttons (as forms)
                poll = await self.core.blocking(lambda: self.core.web_run(holder, f"poll results {poll_id}", lang))
        return self.page(
            request,
            lang,
            "talk.html",
            headers=PERSONAL_HEADERS if holder else None,
            **self.live(),
            holder=holder,
            rating=rating,
            questions=questions,
            poll=poll,
            ask_limit=ASK_LIMIT,
            page=page,
            speakers_label=t(lang, "talk.speakers"),
            separator=join_names(["", ""], lang),
            calendar_label=t(lang, "web.calendar"),
            reminders=reminders,
            qr=self._qr(request),
            qr_label=t(lang, "web.qr"),
        )

    async def calendar(self, request: Request) -> Response:
        lang = self.lang_of(request)
        data = self.core.web_talk_calendar(int(request.path_params["talk_id"]), lang)
        if data is None:
            return self.missing(request, lang)
        name = f"talk-{request.path_params['talk_id']}.ics"
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(data, media_type="text/calendar; charset=utf-8", headers=headers)

    async def speaker(self, request: Request) -> Response:
        lang = self.lang_of(request)
        page = self.core.web_speaker(str(request.path_params["speaker_id"])[:100], lang)
        if page is None:
            return self.missing(request, lang)
        return self.page(request, lang, "speaker.html", page=page, qr=self._qr(request), qr_label=t(lang, "web.qr"))

    async def search(self, request: Request) -> Response:
        lang = self.lang_of(request)
        query = (request.query_params.get("q") or "").strip()
        page_text = request.query_params.get("page") or "1"
        page = int(page_text) if page_text.isdigit() and len(page_text) < 4 else 1
        result = await self.core.blocking(lambda: self.core.web_search(query, lang, page)) if query else None
        links = [(label, href) for label, href in links_of(result) if not href.startswith("/talks/")] if result else []
        return self.page(
            request, lang, "search.html", result=result, links=links, query=query, search_help=t(lang, "help.search")
        )

    async def live_script(self, _: Request) -> Response:
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"}
        return Response(self.live_js, media_type="text/javascript; charset=utf-8", headers=headers)

    async def version(self, _: Request) -> Response:
        """The programme's version, which open pages poll (no database: made once per programme)."""
        return JSONResponse(
            {"version": self.core.web_version()}, headers={**SECURITY_HEADERS, "Cache-Control": "no-store"}
        )

    async def stylesheet(self, _: Request) -> Response:
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"}
        return Response(self.css, media_type="text/css; charset=utf-8", headers=headers)

    async def no_icon(self, _: Request) -> Response:
        return Response(status_code=204, headers=SECURITY_HEADERS)

    # --- shared ---

    def lang_of(self, request: Request) -> str:
        return page_language(request.query_params.get("lang"), request.cookies, request.headers.get("accept-language"))

    def page(
        self,
        request: Request,
        lang: str,
        template: str,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **values: Any,
    ) -> Response:
        """A page in the site's frame; every form on it carries this browser's CSRF token."""
        conf = self.core.programme.conference
        query = dict(request.query_params)

        def switch(code: str) -> str:
            return urlencode({**query, "lang": code})

        html = self.env.get_template(template).render(
            lang=lang,
            html_lang=HTML_LANG.get(lang, lang),
            site=pick(lang, conf.name, conf.name_en),
            languages=[(code, t(code, "web.language")) for code in LANGUAGES],
            switch=switch,
            search_label=t(lang, "web.search"),
            back_label=t(lang, "room.all"),
            csrf=Agendas.csrf(request),
            flash=Agendas.flash(request),
            path=request.url.path,
            t=lambda key, **params: t(lang, key, **params),
            **values,
        )
        headers = {
            **SECURITY_HEADERS,
            "Cache-Control": "no-cache",
            "Vary": "Accept-Language, Cookie",
            **(headers or {}),
        }
        response = HTMLResponse(html, status_code=status, headers=headers)
        switched = chosen(request.query_params.get("lang"))
        if switched is not None:  # the switch is remembered
            self.agendas.cookie(request, response, COOKIE, switched)
        self.agendas.remember(request, response)
        return response

    def live(self) -> dict[str, Any]:
        """What makes a page follow the schedule (``/static/live.js``): the programme's version and how
        often to ask for it."""
        return {"version": self.core.web_version(), "poll_every": self.settings.web_live_interval}

    def missing(self, request: Request, lang: str, message: str | None = None) -> Response:
        """The 404 page, saying what is missing."""
        return self.page(request, lang, "missing.html", status=404, message=message or t(lang, "web.missing"))

    def _qr(self, request: Request) -> Markup:
        """The page's address (``CONFBOT_PUBLIC_URL`` when set, else as the browser asked) as an inline SVG."""
        base = (self.settings.public_url or str(request.base_url)).rstrip("/")
        return qr_svg(base + request.url.path)


@lru_cache(maxsize=1024)
def qr_svg(address: str) -> Markup:
    """``address`` as a QR code in inline SVG. Drawing one (segno picks the best of eight masks) is most
    of a talk page's time, and the same page always draws the same code, so the codes are kept: one
    per page under ``CONFBOT_PUBLIC_URL``, bounded for the hosts browsers may name without it."""
    return Markup(segno.make(address, error="m").svg_inline(scale=4, border=2, omitsize=False))


def web_routes(
    core: Core, settings: Settings, usernames: Usernames | None = None, readiness: Readiness | None = None
) -> list[BaseRoute]:
    """The web pages' routes, to mount on the shared HTTP server. ``readiness``: what ``/readyz`` checks,
    which the desk's Now page shows when something is not ready."""
    pages = WebPages(core, settings, usernames)
    pages.desk.readiness = readiness
    return pages.routes() + RoomScreens(pages, SECURITY_HEADERS).routes()
