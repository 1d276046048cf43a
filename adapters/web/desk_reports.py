"""The desk's report pages.

- ``/desk/questions``: a talk's questions as its moderators see them in the chat (``questions <id>``),
  with the chat's moderation buttons (``moderate <question> hide|answered|…``) as forms run by
  ``Core.desk_run``; the top questions a session host reads (``questions <id> top``) and a link to
  the room's screen.
- ``/desk/stats``: the ``/stats`` reply, with charts of the same numbers drawn as inline SVG, and
  ``/desk/stats.csv``, those numbers one a row.
- ``/desk/audit``: the audit log's lines as ``/audit`` shows them, filtered by who, command and outcome.
"""

from __future__ import annotations

import re

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.web.charts import Bar, bars
from adapters.web.frames import DeskHost
from bot.chat.messages import Reply, clean_text
from bot.core import DeskSignedIn, Stats
from bot.i18n import pick, t

MODERATE = re.compile(r"moderate \d{1,9} (hide|answered|pin|unpin|reopen)")  # the chat's moderation buttons
PAGER = re.compile(r"questions (\d{1,6}) page (\d{1,4})")
STATS_PAGER = re.compile(r"stats (\d{1,4})")
CSV_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Disposition": 'attachment; filename="stats.csv"',
}
CHARTED_TALKS = 20  # the most starred talks in the chart (the reply and the CSV list them all)
CHARTED_BROADCASTS = 10  # the newest
AUDIT_SHOWN = 200  # the newest entries shown (the chat's /audit shows 20)
STATUSES = ("sent", "pending", "failed", "blocked", "unreachable")  # a push's outcome, as /stats folds them


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


class StatsPage:
    """``/desk/stats`` (the ``/stats`` reply, paged as in the chat, and its charts) and ``/desk/stats.csv``."""

    def __init__(self, desk: DeskHost) -> None:
        self.desk = desk
        self.core = desk.core

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/desk/stats", self.show, methods=["GET", "HEAD"]),
            Route("/desk/stats.csv", self.csv, methods=["GET", "HEAD"]),
        ]

    async def show(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        lang = self.desk.pages.lang_of(request)
        page = _number(request.query_params.get("page")) or 1
        command = f"stats {page}" if page > 1 else "stats"
        reply = await self.core.blocking(lambda: self.core.desk_run(signed, command, lang))
        pages = [
            (b.label, f"/desk/stats?page={m.group(1)}")
            for row in reply.button_rows
            for b in row
            if (m := STATS_PAGER.fullmatch(b.action))
        ]
        charts = self._charts(await self.core.blocking(self.core.desk_stats), lang)
        return self.desk.frame(request, "desk_stats.html", signed, reply=reply, pages=pages, charts=charts)

    async def csv(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        lang = self.desk.pages.lang_of(request)
        text = await self.core.blocking(lambda: self.core.desk_stats_csv(lang))
        return Response(text, media_type="text/csv; charset=utf-8", headers=CSV_HEADERS)

    def _charts(self, stats: Stats, lang: str) -> list[tuple[str, Markup]]:
        """(heading, chart): subscriptions per talk, reminders and broadcasts by outcome, ratings."""
        statuses = [t(lang, f"desk.stats_{s}") for s in STATUSES]
        talks = [
            Bar(f"#{s.talk_id} {pick(lang, s.title, s.title_en)}", (s.subscribers,), str(s.subscribers))
            for s in stats.talks[:CHARTED_TALKS]
        ]
        r = stats.reminders
        outcomes = (
            r.sent,
            r.pending,
            r.failed + r.missed,
            r.blocked,
            r.unreachable,
        )  # missed: failed, as for broadcasts
        reminders = [Bar(t(lang, "desk.stats_reminders"), outcomes, str(sum(outcomes)))]
        tz = self.core.programme.tz
        sent = [
            Bar(
                f"#{b.id} {b.audience} {b.created_at.astimezone(tz):%m-%d %H:%M}",
                (b.sent, b.pending, b.failed, b.blocked, b.unreachable),
                f"{b.sent}/{b.recipients}",
            )
            for b in stats.broadcasts[:CHARTED_BROADCASTS]
        ]
        rated = [
            Bar(f"#{s.talk_id} {pick(lang, s.title, s.title_en)}", s.distribution, f"★ {s.mean:.1f} ({s.count})")
            for s in stats.ratings
        ]
        stars = [f"{n}★" for n in range(1, 6)]
        return [
            (t(lang, "desk.stats_chart_talks"), bars(t(lang, "desk.stats_chart_talks"), talks)),
            (t(lang, "desk.stats_chart_reminders"), bars(t(lang, "desk.stats_chart_reminders"), reminders, statuses)),
            (t(lang, "desk.stats_chart_broadcasts"), bars(t(lang, "desk.stats_chart_broadcasts"), sent, statuses)),
            (t(lang, "desk.stats_chart_ratings"), bars(t(lang, "desk.stats_chart_ratings"), rated, stars)),
        ]


class AuditPage:
    """``/desk/audit?who=&action=&outcome=``: the newest entries, each filter one of the log's own values."""

    def __init__(self, desk: DeskHost) -> None:
        self.desk = desk
        self.core = desk.core

    def routes(self) -> list[BaseRoute]:
        return [Route("/desk/audit", self.show, methods=["GET", "HEAD"])]

    async def show(self, request: Request) -> Response:
        signed = await self.desk.signed(request)
        if signed is None:
            return self.desk.refused(request)
        # a filter is text to match, never sent raw: controls (NUL, which PostgreSQL refuses) are dropped
        chosen = {
            k: (clean_text(request.query_params.get(k)) or "")[:140] or None for k in ("who", "action", "outcome")
        }
        view = await self.core.blocking(
            lambda: self.core.desk_audit(AUDIT_SHOWN, chosen["who"], chosen["action"], chosen["outcome"])
        )
        return self.desk.frame(request, "desk_audit.html", signed, view=view, chosen=chosen, shown=AUDIT_SHOWN)
