"""Personal agenda: /subscribe, /unsubscribe, /my, /remind, /ics."""

from __future__ import annotations

import dataclasses

from bot.chat import push_notes
from bot.chat.grammar import parse_number, talk_ids_arg
from bot.chat.labels import HALF_WIDTH, fit
from bot.chat.messages import Attachment, Button, Line, Reply, ReplyBuilder, Span, bold, italic, link
from bot.chat.registry import Context, UsageError, command
from bot.features.browse.agenda import paged_reply
from bot.features.personal import calendar_feed, reminders, subscriptions, web_agenda
from bot.programme import history
from bot.programme.cards import agenda_line, talk_card, title_of, when_where
from bot.programme.content.schema import Talk
from bot.programme.queries import has_ended, has_started, overlaps
from bot.programme.timefmt import format_day

MIN_LEAD, MAX_LEAD = 1, 120


def _card(ctx: Context, talk_id: int, toast_key: str, clashes: list[Talk] | None = None) -> Reply:
    """The re-rendered talk card replacing the pressed one; a star that clashes with talks already
    starred says so under the card, with the buttons to choose (and the toast names the clash)."""
    talk = ctx.programme.talk(talk_id)
    assert talk is not None
    subscribed = subscriptions.is_subscribed(ctx.session, ctx.user, talk_id)
    moved = history.moves(ctx.session, ctx.programme).get(talk_id)
    card = talk_card(ctx.programme, talk, ctx.lang, subscribed=subscribed, edit=True, moved=moved, now=ctx.now)
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
        card = _card(ctx, talk_ids[0], toast, _new_clashes(ctx, talk_ids[0], late))
        return _with_push_note(ctx, card, [talk_ids[0]]) if late == "done" else card
    b = ReplyBuilder()
    clash_rows: list[tuple[Button, ...]] = []
    alternatives: list[int] = []
    starred: list[int] = []
    for talk_id in talk_ids:
        outcome = _subscribe_one(ctx, talk_id)
        if outcome == "done":
            starred.append(talk_id)
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
    reply = b.build(buttons=_unique((*buttons, *clash_rows, *parallel)))
    return _with_push_note(ctx, reply, starred) if starred else reply


def _with_push_note(ctx: Context, reply: Reply, starred: list[int]) -> Reply:
    """The answer to new stars, with what this platform's reminders can't promise (WeChat's window)
    and, where the platform has one, the link to allow each talk's reminder anyway."""
    address = ctx.request.address
    note = push_notes.note_for(address.platform)
    if note is None:
        return reply
    lines: list[Line] = [*reply.lines, (), (italic(ctx.t(note.key)),)]
    for talk_id in starred:
        offered = note.offer(address.user_id, talk_id, ctx.lang) if note.offer else None
        if offered is not None:
            lines.append((link(*offered),))
    return dataclasses.replace(reply, lines=tuple(lines))


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


@command("web", help_key="help.web", aliases=("网页", "網頁"), order=44)
def web(ctx: Context) -> Reply:
    """The address of the person's own web page (their agenda, stars, questions and ratings in a browser);
    ``/web reset`` gives a new one and the old one stops working. Only in a private chat."""
    public_url = ctx.settings.public_url
    if not (ctx.settings.web and public_url):
        return ReplyBuilder().line(italic(ctx.t("me.off"))).build()
    if ctx.request.is_group:
        return ReplyBuilder().line(ctx.t("me.private")).build()
    reset = ctx.args.strip().lower() in ("reset", "重置")
    token = (web_agenda.reset if reset else web_agenda.page_token)(ctx.session, ctx.user, ctx.now)
    url = web_agenda.page_url(public_url, token)
    b = ReplyBuilder().line(ctx.t("me.reset_done" if reset else "me.link"), link(url, url))
    return b.line(italic(ctx.t("me.keep"))).build()
