"""/stats: users, the most starred talks with their rooms, reminders and broadcasts, on one page."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chat.grammar import parse_number
from bot.chat.messages import Line, Reply, ReplyBuilder, Span, bold, code
from bot.chat.registry import Context, command
from bot.features.browse.agenda import paged_reply
from bot.features.faq.misses import MISS_CHARS
from bot.features.feedback.ratings import TalkRatings
from bot.features.organizer.stats import BroadcastOutcome, Stats, TalkSubscriptions, collect
from bot.features.rooms import capacity
from bot.i18n import pick, t
from bot.programme.timefmt import clock_time

TOP_MISSES = 10  # questions that found nothing, on the chat's one line; `confbot stats` lists them all
TITLE_CHARS = 40
AUDIENCE_CHARS = 24


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(at: datetime, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%m-%d} {clock_time(at, tz)}"


def _talk_line(rank: int, talk: TalkSubscriptions, lang: str, tz: ZoneInfo) -> Line:
    parts: list[Span | str] = [t(lang, "stats.talk", rank=rank, subs=talk.subscribers), code(f"#{talk.talk_id}")]
    if not talk.in_programme:
        return ReplyBuilder().line(*parts, " ", t(lang, "stats.gone")).lines[0]
    title = _short(pick(lang, talk.title, talk.title_en), TITLE_CHARS)
    room = pick(lang, talk.room or "", talk.room_en) or "—"
    when = _when(talk.start, tz) if talk.start else t(lang, "stats.unscheduled")
    cancelled = t(lang, "stats.cancelled") if talk.cancelled else ""
    return ReplyBuilder().line(*parts, f" {title}{cancelled} — ", bold(room), f" · {when}").lines[0]


def _rating_lines(rank: int, r: TalkRatings, lang: str) -> list[Line]:
    head = t(lang, "stats.rating", rank=rank, mean=f"{r.mean:.2f}", count=r.count, comments=r.comments)
    title = _short(pick(lang, r.title, r.title_en), TITLE_CHARS) if r.title else t(lang, "stats.gone")
    spread = " ".join(f"{n}★ {c}" for n, c in zip(range(5, 0, -1), reversed(r.distribution), strict=True))
    return ReplyBuilder().line(head, code(f"#{r.talk_id}"), f" {title}").line(f"   {spread}").lines


def _broadcast_lines(b: BroadcastOutcome, lang: str, tz: ZoneInfo) -> list[Line]:
    state = t(lang, "stats.done" if b.status == "done" else "stats.sending")
    head = t(
        lang,
        "stats.broadcast",
        when=_when(b.created_at, tz),
        audience=_short(b.audience, AUDIENCE_CHARS),
        recipients=b.recipients,
        state=state,
    )
    counts = t(lang, "stats.broadcast_counts", sent=b.sent, pending=b.pending, failed=b.failed, blocked=b.blocked)
    if b.unreachable:
        counts += t(lang, "stats.unreachable_part", count=b.unreachable)
    return ReplyBuilder().line(code(f"#{b.id}"), head).line(counts).lines


def stats_lines(
    stats: Stats,
    lang: str,
    tz: ZoneInfo,
    *,
    top_talks: int | None,
    top_broadcasts: int | None,
    top_misses: int | None = None,
) -> list[Line]:
    """The report; ``None`` shows every talk, broadcast or unanswered question, a number the first few."""
    b = ReplyBuilder().line(bold(t(lang, "stats.title")))
    b.line(t(lang, "stats.users", total=stats.users, active=stats.active, blocked=stats.blocked))
    for p in stats.platforms:
        langs = " · ".join(f"{code_} {n}" for code_, n in p.languages.items())
        b.line(t(lang, "stats.platform", platform=p.platform, total=p.total, langs=langs))
    b.blank()
    if stats.talks:
        b.line(bold(t(lang, "stats.talks", subs=stats.subscriptions, talks=len(stats.talks), zone=tz.key)))
        shown = stats.talks if top_talks is None else stats.talks[:top_talks]
        for rank, talk in enumerate(shown, start=1):
            b.lines.append(_talk_line(rank, talk, lang, tz))
        if len(stats.talks) > len(shown):
            b.line(t(lang, "stats.more_talks", count=len(stats.talks) - len(shown)))
    else:
        b.line(t(lang, "stats.talks_none"))
    b.blank()
    b.line(t(lang, "stats.reminders", **asdict(stats.reminders)))
    if stats.reminders.unreachable:
        b.line(t(lang, "stats.unreachable", count=stats.reminders.unreachable))
    b.blank()
    if stats.ratings:
        count = sum(r.count for r in stats.ratings)
        b.line(bold(t(lang, "stats.ratings", count=count, talks=len(stats.ratings))))
        rated = stats.ratings if top_talks is None else stats.ratings[:top_talks]
        for rank, rating in enumerate(rated, start=1):
            b.lines.extend(_rating_lines(rank, rating, lang))
        if len(stats.ratings) > len(rated):
            b.line(t(lang, "stats.more_ratings", count=len(stats.ratings) - len(rated)))
    else:
        b.line(t(lang, "stats.ratings_none"))
    b.blank()
    tickets, median = stats.tickets, stats.tickets.median_first_reply_minutes
    waited = t(lang, "stats.minutes", n=f"{median:g}") if median is not None else t(lang, "stats.no_reply")
    b.line(t(lang, "stats.tickets", open=tickets.open, closed=tickets.closed, median=waited))
    b.blank()
    _unanswered(b, stats, lang, top_misses)
    b.blank()
    if stats.broadcasts:
        b.line(bold(t(lang, "stats.broadcasts", count=len(stats.broadcasts))))
        recent = stats.broadcasts if top_broadcasts is None else stats.broadcasts[:top_broadcasts]
        for outcome in recent:
            b.lines.extend(_broadcast_lines(outcome, lang, tz))
        if len(stats.broadcasts) > len(recent):
            b.line(t(lang, "stats.more_broadcasts", count=len(stats.broadcasts) - len(recent)))
    else:
        b.line(t(lang, "stats.broadcasts_none"))
    return b.lines


def _unanswered(b: ReplyBuilder, stats: Stats, lang: str, top: int | None) -> None:
    """The questions that found nothing, the most asked first, on one line (all of them with ``None``)."""
    if not stats.unanswered:
        b.line(t(lang, "stats.unanswered_none"))
        return
    total = sum(m.count for m in stats.unanswered)
    b.line(bold(t(lang, "stats.unanswered", total=total, count=len(stats.unanswered))))
    shown = stats.unanswered if top is None else stats.unanswered[:top]
    b.line(" · ".join(f"“{_short(m.text, TITLE_CHARS if top else MISS_CHARS)}” ×{m.count}" for m in shown))
    if len(stats.unanswered) > len(shown):
        b.line(t(lang, "stats.more_unanswered", count=len(stats.unanswered) - len(shown)))


@command("stats", help_key="help.stats", organizer_only=True, order=94)
def show_stats(ctx: Context) -> Reply:
    """Users, every talk by stars with its room, reminders, ratings, tickets and each broadcast's
    outcome, paged (``stats 2``) like every list that grows with the conference."""
    lines = stats_lines(
        collect(ctx.session, ctx.programme),
        ctx.lang,
        ctx.programme.tz,
        top_talks=None,
        top_broadcasts=None,
        top_misses=TOP_MISSES,
    )
    crowded = capacity.crowded(ctx.session, ctx.programme, ctx.now)  # rooms too small for what is to come
    if crowded:
        warnings = [
            (bold(ctx.t("full.crowded_title")),),
            *((Span(f"• {capacity.describe(ctx.programme, c, ctx.lang)}"),) for c in crowded),
            (),
        ]
        lines = [lines[0], *warnings, *lines[1:]]
    page = parse_number(ctx.args) if ctx.args.strip() else None
    return paged_reply(ctx, lines[:1], lines[1:], "stats", page or 1)
