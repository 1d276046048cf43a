"""Personal agenda: /subscribe, /unsubscribe, /my, /remind, /ics."""

from __future__ import annotations

import dataclasses

from bot.chat.grammar import parse_number, talk_ids_arg
from bot.chat.labels import HALF_WIDTH, fit
from bot.chat.messages import Attachment, Button, Line, Reply, ReplyBuilder, Span, bold, italic, link
from bot.chat.registry import Context, UsageError, command
from bot.features.browse.agenda import paged_reply
from bot.features.personal import calendar_feed, reminders, subscriptions
from bot.i18n import register
from bot.programme import history
from bot.programme.cards import agenda_line, talk_card, title_of, when_where
from bot.programme.content.schema import Talk
from bot.programme.queries import has_ended, has_started, overlaps
from bot.programme.timefmt import format_day

MIN_LEAD, MAX_LEAD = 1, 120

register(
    {
        "help.subscribe": {"zh": "订阅演讲，开始前提醒您", "en": "star a talk and get a reminder"},
        "help.unsubscribe": {"zh": "取消订阅", "en": "unstar a talk"},
        "help.my": {"zh": "我的日程（订阅的演讲）", "en": "your personal agenda"},
        "help.remind": {
            "zh": "提前几分钟提醒（1–120），或 off / on",
            "en": "reminder lead time (1–120 minutes), or off / on",
        },
        "help.ics": {"zh": "导出我的日程为日历文件 (.ics)", "en": "your agenda as a calendar file (.ics)"},
        "sub.usage": {
            "zh": "用法：/subscribe <编号> [编号…]，例如 /subscribe 12 或 /subscribe 3 4 5",
            "en": "Usage: /subscribe <id> [<id>…], e.g. /subscribe 12 or /subscribe 3 4 5",
        },
        "unsub.usage": {
            "zh": "用法：/unsubscribe <编号> [编号…]，例如 /unsubscribe 12",
            "en": "Usage: /unsubscribe <id> [<id>…], e.g. /unsubscribe 12",
        },
        "sub.done": {
            "zh": "⭐ 已订阅 #{id} {title}，将在开始前 {lead} 分钟提醒您。",
            "en": "⭐ Subscribed to #{id} {title}. I will remind you {lead} minutes before it starts.",
        },
        "sub.done_muted": {
            "zh": "⭐ 已订阅 #{id} {title}。提醒目前已关闭（/remind on 打开）。",
            "en": "⭐ Subscribed to #{id} {title}. Reminders are off (/remind on).",
        },
        "sub.ended": {
            "zh": "⭐ 已订阅 #{id} {title}。这场演讲已经结束，不会再有提醒。",
            "en": "⭐ Subscribed to #{id} {title}. It has already ended, so there will be no reminder.",
        },
        "sub.started": {
            "zh": "⭐ 已订阅 #{id} {title}。这场演讲已经开始，不会再有提醒。",
            "en": "⭐ Subscribed to #{id} {title}. It has already started, so there will be no reminder.",
        },
        "sub.toast_ended": {"zh": "已订阅（已结束，无提醒）", "en": "Subscribed (ended: no reminder)"},
        "sub.toast_started": {"zh": "已订阅（已开始，无提醒）", "en": "Subscribed (started: no reminder)"},
        "sub.clash": {
            "zh": "⚠️ 与您已订阅的 #{id} {title}（{when}）时间冲突。",
            "en": "⚠️ It clashes with #{id} {title} ({when}), which you starred.",
        },
        "sub.clash_choose": {
            "zh": "同一时间只能去一场：点 ✖ 取消其中一场，或点 ⇄ 查看同时段的其他演讲。",
            "en": "You can only be in one: press ✖ to unstar one, or ⇄ for what else runs then.",
        },
        "sub.toast_clash": {"zh": "{done} ⚠️ 与 #{id} 时间冲突", "en": "{done} ⚠️ clashes with #{id}"},
        "sub.already": {"zh": "您已经订阅了 #{id}。", "en": "You already subscribed to #{id}."},
        "sub.cancelled_talk": {"zh": "#{id} 已取消，无法订阅。", "en": "#{id} is cancelled; nothing to subscribe to."},
        "sub.toast_on": {"zh": "已订阅", "en": "Subscribed"},
        "sub.toast_off": {"zh": "已取消订阅", "en": "Unsubscribed"},
        "unsub.done": {"zh": "已取消订阅 #{id} {title}。", "en": "Unsubscribed from #{id} {title}."},
        "unsub.not": {"zh": "您没有订阅 #{id}。", "en": "You were not subscribed to #{id}."},
        "my.title": {"zh": "⭐ 我的日程", "en": "⭐ Your agenda"},
        "my.empty": {
            "zh": "您还没有订阅任何演讲。查看演讲时点 “⭐ 订阅提醒”，或发送 /subscribe <编号>。",
            "en": "You have not starred any talks yet. Press “⭐ Remind me” on a talk, or send /subscribe <id>.",
        },
        "my.clash": {"zh": "⚠️ 时间冲突：#{a} 与 #{b}", "en": "⚠️ Clash: #{a} overlaps #{b}"},
        "my.reminders": {"zh": "提醒：开始前 {lead} 分钟", "en": "Reminders: {lead} minutes before"},
        "my.reminders_off": {"zh": "提醒：已关闭", "en": "Reminders: off"},
        "remind.usage": {
            "zh": "用法：/remind <分钟数 1–120>，或 /remind off / /remind on。当前：{state}",
            "en": "Usage: /remind <minutes 1–120>, or /remind off / /remind on. Now: {state}",
        },
        "remind.range": {
            "zh": "提醒时间需在 {low} 到 {high} 分钟之间。",
            "en": "The lead time must be between {low} and {high} minutes.",
        },
        "remind.set": {
            "zh": "好的，将在演讲开始前 {lead} 分钟提醒您。",
            "en": "OK, I will remind you {lead} minutes before each talk.",
        },
        "remind.off": {
            "zh": "已关闭提醒。发送 /remind on 重新打开。",
            "en": "Reminders are off. Send /remind on to turn them back on.",
        },
        "remind.on": {"zh": "已打开提醒（开始前 {lead} 分钟）。", "en": "Reminders are on ({lead} minutes before)."},
        "ics.caption": {
            "zh": "📅 您的日程（{count} 场），可导入日历。再次导入会更新而不会重复。",
            "en": "📅 Your agenda ({count} talks) for your calendar. Importing again updates it, no duplicates.",
        },
        "ics.feed": {
            "zh": "🔗 在日历应用中订阅（随订阅自动更新，请勿分享）：",
            "en": "🔗 Subscribe in your calendar app (follows your subscriptions; keep it private): ",
        },
        "ics.feed_private": {
            "zh": "🔗 日历订阅地址是您个人的：请在与我的私聊中发送 /ics 获取。",
            "en": "🔗 Your calendar feed address is personal: send /ics in a private chat with me to get it.",
        },
        "ics.reset": {
            "zh": "🔁 已换新日历订阅地址，旧地址已失效。请在日历应用中改用：",
            "en": "🔁 New calendar feed address; the old one no longer works. Subscribe again with: ",
        },
        "ics.no_feed": {
            "zh": "（本机器人未配置日历订阅地址，只能导入文件。）",
            "en": "(This bot has no calendar feed set up: import the file instead.)",
        },
    }
)


def _card(ctx: Context, talk_id: int, toast_key: str, clashes: list[Talk] | None = None) -> Reply:
    """The re-rendered talk card replacing the pressed one; a star that clashes with talks already
    starred says so under the card, with the buttons to choose (and the toast names the clash)."""
    talk = ctx.programme.talk(talk_id)
    assert talk is not None
    subscribed = subscriptions.is_subscribed(ctx.session, ctx.user, talk_id)
    moved = history.moves(ctx.session, ctx.programme).get(talk_id)
    card = talk_card(ctx.programme, talk, ctx.lang, subscribed=subscribed, edit=True, moved=moved)
    if not clashes:
        return Reply(card.lines, card.buttons, edit=True, notice=ctx.t(toast_key))
    lines = [*card.lines, (), *_clash_lines(ctx, clashes)]
    notice = ctx.t("sub.toast_clash", done=ctx.t(toast_key), id=clashes[0].id)
    return Reply(tuple(lines), (*card.buttons, *_clash_buttons(ctx, clashes)), edit=True, notice=notice)


def clashes_with(ctx: Context, talk: Talk) -> list[Talk]:
    """The other talks the user starred that overlap ``talk`` (cancelled ones don't count)."""
    return [
        other
        for other in calendar_feed.my_talks(ctx.session, ctx.programme, ctx.user)
        if other.id != talk.id and not other.cancelled and overlaps(talk, other)
    ]


def _clash_lines(ctx: Context, clashes: list[Talk]) -> list[Line]:
    """``⚠️ It clashes with #2 XDP (Sat 12 Dec 10:00–10:40 Hall A), which you starred.``, and the choice."""
    lines: list[Line] = [
        (bold(ctx.t("sub.clash", id=o.id, title=title_of(o, ctx.lang), when=when_where(ctx.programme, o, ctx.lang))),)
        for o in clashes
    ]
    return [*lines, (italic(ctx.t("sub.clash_choose")),)]


def _clash_buttons(ctx: Context, clashes: list[Talk]) -> tuple[tuple[Button, ...], ...]:
    """For each clashing talk: open it (the alternative) or unstar it (keep the new one)."""
    return tuple(
        (
            Button(fit(f"#{o.id} {title_of(o, ctx.lang)}", HALF_WIDTH), f"talk {o.id}"),
            Button(fit(f"✖ #{o.id} {title_of(o, ctx.lang)}", HALF_WIDTH), f"unsub {o.id}"),
        )
        for o in clashes[:4]
    )


@command(
    "subscribe", help_key="help.subscribe", usage="<id> [<id>…]", aliases=("sub", "star"), order=40, changes_home=True
)
def subscribe(ctx: Context) -> Reply:
    """Star one or several talks and plan their reminders."""
    talk_ids = talk_ids_arg(ctx, ctx.args, "sub.usage", many=not ctx.from_button)
    if ctx.from_button:
        late = _subscribe_one(ctx, talk_ids[0])
        if late == "cancelled":
            raise UsageError("sub.cancelled_talk", id=talk_ids[0])
        toast = f"sub.toast_{late}" if late in ("ended", "started") else "sub.toast_on"
        return _card(ctx, talk_ids[0], toast, _new_clashes(ctx, talk_ids[0], late))
    b = ReplyBuilder()
    clash_rows: list[tuple[Button, ...]] = []
    alternatives: list[int] = []
    for talk_id in talk_ids:
        outcome = _subscribe_one(ctx, talk_id)
        b.line(_subscribed_text(ctx, talk_id, outcome))
        clashes = _new_clashes(ctx, talk_id, outcome)
        if clashes:
            b.lines.extend(_clash_lines(ctx, clashes)[:-1])
            clash_rows += _clash_buttons(ctx, clashes)
            alternatives.append(talk_id)
    if alternatives:
        b.line(italic(ctx.t("sub.clash_choose")))
    buttons = tuple(
        (Button(ctx.t("button.unsubscribe") if len(talk_ids) == 1 else f"✖ #{i}", f"unsub {i}"),)
        for i in talk_ids
        if subscriptions.is_subscribed(ctx.session, ctx.user, i)
    )
    parallel = tuple((Button(f"{ctx.t('button.parallel')} #{i}", f"parallel {i}"),) for i in alternatives[:4])
    return b.build(buttons=_unique((*buttons, *clash_rows, *parallel)))


def _unique(rows: tuple[tuple[Button, ...], ...]) -> tuple[tuple[Button, ...], ...]:
    """The rows without a button whose action an earlier one has (``/subscribe 2 3`` unstars #2 once)."""
    seen: set[str] = set()
    kept: list[tuple[Button, ...]] = []
    for row in rows:
        fresh = tuple(b for b in row if b.action not in seen)
        seen |= {b.action for b in fresh}
        if fresh:
            kept.append(fresh)
    return tuple(kept)


def _new_clashes(ctx: Context, talk_id: int, outcome: str) -> list[Talk]:
    """The starred talks a talk just starred clashes with (none when nothing was starred now)."""
    if outcome in ("cancelled", "already"):
        return []
    talk = ctx.programme.talk(talk_id)
    assert talk is not None
    return clashes_with(ctx, talk)


def _subscribe_one(ctx: Context, talk_id: int) -> str:
    """Star one talk; what happened: ``cancelled``, ``already``, ``ended``, ``started`` or ``done``."""
    talk = ctx.programme.talk(talk_id)
    assert talk is not None
    if talk.cancelled:
        return "cancelled"
    now = ctx.now
    if not subscriptions.subscribe(ctx.session, ctx.user, talk_id, now):
        return "already"
    reminders.plan(ctx.session, ctx.user, talk, now=now, rates=ctx.rates)
    # a talk that has started gets no reminder: say so rather than promise one
    return "ended" if has_ended(talk, now) else "started" if has_started(talk, now) else "done"


def _subscribed_text(ctx: Context, talk_id: int, outcome: str) -> str:
    talk = ctx.programme.talk(talk_id)
    assert talk is not None
    key = {"cancelled": "sub.cancelled_talk", "already": "sub.already", "ended": "sub.ended"}.get(outcome)
    key = key or ("sub.started" if outcome == "started" else "sub.done" if ctx.user.reminders_on else "sub.done_muted")
    return ctx.t(key, id=talk_id, title=title_of(talk, ctx.lang), lead=ctx.user.lead_minutes)


@command(
    "unsubscribe",
    help_key="help.unsubscribe",
    usage="<id> [<id>…]",
    aliases=("unsub", "unstar"),
    order=41,
    changes_home=True,
)
def unsubscribe(ctx: Context) -> Reply:
    """Unstar one or several talks and cancel their pending reminders."""
    talk_ids = talk_ids_arg(ctx, ctx.args, "unsub.usage", many=not ctx.from_button)
    b = ReplyBuilder()
    for talk_id in talk_ids:
        removed = subscriptions.unsubscribe(ctx.session, ctx.user, talk_id)
        reminders.cancel_for_user(ctx.session, ctx.user, talk_id, reason="unsubscribed")
        talk = ctx.programme.talk(talk_id)
        assert talk is not None
        b.line(
            ctx.t("unsub.done", id=talk_id, title=title_of(talk, ctx.lang))
            if removed
            else ctx.t("unsub.not", id=talk_id)
        )
    if ctx.from_button:
        return _card(ctx, talk_ids[0], "sub.toast_off")
    return b.build()


def _my_talks(ctx: Context) -> list[Talk]:
    return calendar_feed.my_talks(ctx.session, ctx.programme, ctx.user)


@command(
    "my",
    help_key="help.my",
    aliases=("mine", "me", "我的"),
    order=42,
    words=("my", "mine", "my agenda", "my schedule", "my talks", "我的", "我的日程", "我的演讲", "我的关注"),
)
def my(ctx: Context) -> Reply:
    """The personal agenda in time order (by instant, whatever zone a moved talk's time is in), with
    clashes flagged, moved talks saying what they moved from and cancelled ones saying so; paged (``my 2``)."""
    programme = ctx.programme
    talks = _my_talks(ctx)
    header: list[Line] = [(bold(ctx.t("my.title")),)]
    if not talks:
        return ReplyBuilder(header).line(ctx.t("my.empty")).build()
    clashing: set[int] = set()
    clashes = []
    for i, a in enumerate(talks):
        for other in talks[i + 1 :]:
            if overlaps(a, other):
                clashing |= {a.id, other.id}
                clashes.append((a.id, other.id))
    state = ctx.t("my.reminders", lead=ctx.user.lead_minutes) if ctx.user.reminders_on else ctx.t("my.reminders_off")
    header.append((italic(state),))
    body: list[Line] = []
    buttons: dict[int, Button] = {}
    day = None
    moves = history.moves(ctx.session, programme)
    for talk in talks:
        if talk.start is None:
            continue
        local_day = talk.start.astimezone(programme.tz).date()
        if local_day != day:
            body.append((bold(f"📅 {format_day(local_day, ctx.lang)}"),))
            day = local_day
        mark = "⚠️ " if talk.id in clashing else ""
        ended = has_ended(talk, ctx.now)
        body.append(agenda_line(programme, talk, ctx.lang, mark=mark, ended=ended, moved=moves.get(talk.id)))
        buttons[id(body[-1])] = Button(fit(f"✖ #{talk.id} {title_of(talk, ctx.lang)}"), f"unsub {talk.id}")
    body += [(Span(ctx.t("my.clash", a=a_id, b=b_id)),) for a_id, b_id in clashes]
    page = parse_number(ctx.args) if ctx.args.strip() else None
    reply = paged_reply(ctx, header, body, "my", page or 1, line_buttons=buttons, per_row=1)
    return dataclasses.replace(reply, buttons=(*reply.buttons, (Button("📅 .ics", "ics"),)))


@command(
    "remind",
    help_key="help.remind",
    usage="<minutes>|off|on",
    aliases=("reminder", "提醒"),
    order=43,
    changes_home=True,
)
def remind(ctx: Context) -> Reply:
    """Set the lead time, or mute / unmute reminders."""
    arg = ctx.args.strip().lower()
    user, now = ctx.user, ctx.now
    state = ctx.t("my.reminders", lead=user.lead_minutes) if user.reminders_on else ctx.t("my.reminders_off")
    if arg in ("off", "关", "关闭"):
        user.reminders_on = False
        reminders.cancel_for_user(ctx.session, user, reason="reminders off")
        return ReplyBuilder().line(ctx.t("remind.off")).build()
    if arg in ("on", "开", "打开"):
        user.reminders_on = True
        ctx.session.flush()
        reminders.replan_user(ctx.session, user, ctx.programme, now=now, rates=ctx.rates)
        return ReplyBuilder().line(ctx.t("remind.on", lead=user.lead_minutes)).build()
    minutes = parse_number(arg)
    if minutes is None:
        raise UsageError("remind.usage", state=state)
    if not MIN_LEAD <= minutes <= MAX_LEAD:
        raise UsageError("remind.range", low=MIN_LEAD, high=MAX_LEAD)
    user.lead_minutes = minutes
    ctx.session.flush()
    if user.reminders_on:
        reminders.replan_user(ctx.session, user, ctx.programme, now=now, rates=ctx.rates)
    return ReplyBuilder().line(ctx.t("remind.set", lead=minutes)).build()


@command("ics", help_key="help.ics", aliases=("ical", "calendar", "日历"), order=44)
def ics(ctx: Context) -> Reply:
    """The personal agenda as an .ics attachment (stable UIDs, alarms), and the feed URL beside it.

    ``/ics reset`` gives a new feed URL (in a private chat) and makes the old one stop working.
    """
    if ctx.args.strip().lower() in ("reset", "重置"):
        return _ics_reset(ctx)
    talks = _my_talks(ctx)
    if not talks:
        return ReplyBuilder().line(ctx.t("my.empty")).build()
    now = ctx.now
    data = calendar_feed.agenda_ics(ctx.programme, talks, ctx.user, now)
    attachment = Attachment(f"{ctx.programme.conference.id}-my-agenda.ics", data, "text/calendar")
    b = ReplyBuilder().line(ctx.t("ics.caption", count=len(talks)))
    public_url = ctx.settings.public_url
    if public_url and ctx.request.is_group:
        b.line(ctx.t("ics.feed_private"))
    elif public_url:
        url = calendar_feed.feed_url(public_url, calendar_feed.token_for(ctx.session, ctx.user, now))
        b.line(ctx.t("ics.feed"), link(url, url))
    else:
        b.line(italic(ctx.t("ics.no_feed")))
    return b.build(attachment=attachment)


def _ics_reset(ctx: Context) -> Reply:
    """Rotate the user's feed token; the new URL is shown only in a private chat."""
    public_url = ctx.settings.public_url
    if not public_url:
        return ReplyBuilder().line(italic(ctx.t("ics.no_feed"))).build()
    if ctx.request.is_group:
        return ReplyBuilder().line(ctx.t("ics.feed_private")).build()
    url = calendar_feed.feed_url(public_url, calendar_feed.reset_token(ctx.session, ctx.user, ctx.now))
    return ReplyBuilder().line(ctx.t("ics.reset"), link(url, url)).build()
