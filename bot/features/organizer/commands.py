"""/stats: users, the most starred talks with their rooms, reminders and broadcasts, on one page."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chat.messages import Line, Reply, ReplyBuilder, Span, bold, code
from bot.chat.pages import paginate
from bot.chat.registry import Context, command
from bot.features.faq.misses import MISS_CHARS
from bot.features.feedback.ratings import TalkRatings
from bot.features.organizer.stats import BroadcastOutcome, Stats, TalkSubscriptions, collect
from bot.i18n import pick, register, t
from bot.programme.timefmt import clock_time

TOP_TALKS = 10  # talks shown in chat; `confbot stats` lists them all
TOP_BROADCASTS = 5  # latest broadcasts shown in chat
TITLE_CHARS = 40
AUDIENCE_CHARS = 24

register(
    {
        "help.stats": {
            "zh": "统计：用户、最受关注的演讲及其会场、提醒与广播结果、没找到答案的问题",
            "en": "stats: users, the most starred talks and their rooms, reminders, broadcasts, "
            "questions that found nothing",
        },
        "stats.title": {"zh": "📊 统计", "en": "📊 Stats"},
        "stats.users": {
            "zh": "用户：{total} 人（活跃 {active}，已屏蔽机器人 {blocked}）",
            "en": "People: {total} ({active} active, {blocked} blocked the bot)",
        },
        "stats.platform": {"zh": "· {platform}：{total}（{langs}）", "en": "· {platform}: {total} ({langs})"},
        "stats.talks": {
            "zh": "演讲关注数（{talks} 场演讲共 {subs} 次关注，时间为 {zone}）：",
            "en": "Subscriptions per talk ({subs} on {talks} talks, times in {zone}):",
        },
        "stats.talks_none": {"zh": "还没有人关注演讲。", "en": "Nobody has starred a talk yet."},
        "stats.talk": {"zh": "{rank}. {subs} 人 · ", "en": "{rank}. {subs} · "},
        "stats.cancelled": {"zh": "（已取消）", "en": " (cancelled)"},
        "stats.gone": {"zh": "（已不在日程中）", "en": "(no longer in the programme)"},
        "stats.unscheduled": {"zh": "未排期", "en": "unscheduled"},
        "stats.more_talks": {
            "zh": "……另有 {count} 场演讲有人关注（完整列表：confbot stats）",
            "en": "… and {count} more talks with subscribers (all of them: confbot stats)",
        },
        "stats.reminders": {
            "zh": "提醒：已发送 {sent} · 待发送 {pending} · 错过 {missed} · 失败 {failed} · 被屏蔽 {blocked}",
            "en": "Reminders: {sent} sent · {pending} pending · {missed} missed · {failed} failed · {blocked} blocked",
        },
        "stats.ratings": {"zh": "演讲评分（{talks} 场，共 {count} 个）：", "en": "Ratings ({count} on {talks} talks):"},
        "stats.ratings_none": {"zh": "评分：还没有。", "en": "Ratings: none yet."},
        "stats.rating": {
            "zh": "{rank}. 平均 {mean} · {count} 个 · {comments} 条评论 · ",
            "en": "{rank}. mean {mean} · {count} · {comments} comments · ",
        },
        "stats.more_ratings": {
            "zh": "……另有 {count} 场演讲有评分（完整列表：confbot stats；评论：confbot feedback export）",
            "en": "… and {count} more rated talks (all of them: confbot stats; comments: confbot feedback export)",
        },
        "stats.tickets": {
            "zh": "服务台：{open} 个待处理，{closed} 个已关闭，首次回复中位数 {median}。",
            "en": "Helpdesk: {open} open, {closed} closed tickets; median first reply {median}.",
        },
        "stats.unanswered": {
            "zh": "没找到答案的问题（{count} 种，共问了 {total} 次；可加进 faq.yaml）：",
            "en": "Questions that found nothing ({count} different, asked {total}× in all; add them to faq.yaml):",
        },
        "stats.unanswered_none": {"zh": "没找到答案的问题：还没有。", "en": "Questions that found nothing: none yet."},
        "stats.more_unanswered": {
            "zh": "……另有 {count} 种（完整列表：confbot stats）",
            "en": "… and {count} more (all of them: confbot stats)",
        },
        "stats.minutes": {"zh": "{n} 分钟", "en": "{n} min"},
        "stats.no_reply": {"zh": "—（还没有回复）", "en": "— (no answer yet)"},
        "stats.broadcasts": {"zh": "广播（共 {count} 次）：", "en": "Broadcasts ({count}):"},
        "stats.broadcasts_none": {"zh": "广播：还没有。", "en": "Broadcasts: none yet."},
        "stats.broadcast": {
            "zh": " {when} · {audience} · {recipients} 人 · {state}",
            "en": " {when} · {audience} · {recipients} recipients · {state}",
        },
        "stats.broadcast_counts": {
            "zh": "   已发送 {sent} · 待发送 {pending} · 失败 {failed} · 被屏蔽 {blocked}",
            "en": "   {sent} sent · {pending} pending · {failed} failed · {blocked} blocked",
        },
        "stats.sending": {"zh": "发送中", "en": "sending"},
        "stats.done": {"zh": "已完成", "en": "done"},
        "stats.more_broadcasts": {
            "zh": "……另有 {count} 次更早的广播（完整列表：confbot stats）",
            "en": "… and {count} earlier broadcasts (all of them: confbot stats)",
        },
    }
)


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
    return ReplyBuilder().line(code(f"#{b.id}"), head).line(counts).lines


def stats_lines(
    stats: Stats, lang: str, tz: ZoneInfo, *, top_talks: int | None, top_broadcasts: int | None
) -> list[Line]:
    """The report; ``None`` shows every talk or broadcast (the command line), a number the first few."""
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
    _unanswered(b, stats, lang, top_talks)
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


def stats_reply(stats: Stats, lang: str, tz: ZoneInfo) -> Reply:
    """The chat reply: the top talks and latest broadcasts, as many as fit on one page."""
    talks, casts = TOP_TALKS, TOP_BROADCASTS
    while True:
        lines = stats_lines(stats, lang, tz, top_talks=talks, top_broadcasts=casts)
        if len(paginate(lines)) == 1 or (talks, casts) == (1, 1):
            return ReplyBuilder(lines).build()
        talks, casts = max(1, talks - 2), max(1, casts - 1)


@command("stats", help_key="help.stats", organizer_only=True, order=94)
def show_stats(ctx: Context) -> Reply:
    """Users, the most starred talks with their rooms, reminders and each broadcast's outcome."""
    return stats_reply(collect(ctx.session, ctx.programme), ctx.lang, ctx.programme.tz)
