"""/checkin <id> (a linked speaker: "I'm here", the ask's button) and /checkins (the day's state).

``/checkins`` is for organizers and room hosts (``CONFBOT_ROOM_HOSTS``): today's talks that have linked
speakers, each speaker checked in (when), asked, not asked yet, or out of reach (an account that never
wrote to the bot can be neither asked nor told), and whom a missing check-in was escalated to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select

from bot.chat.grammar import talk_id_arg
from bot.chat.messages import Button, Reply, ReplyBuilder, bold
from bot.chat.registry import Context, UsageError, command
from bot.delivery import outbox
from bot.features.checkin import push
from bot.programme.cards import room_name, title_of
from bot.programme.content.schema import Talk
from bot.programme.timefmt import clock_time, format_time
from bot.settings import Account
from bot.storage.models import OutboxMessage, User


@command("checkin", help_key="help.checkin", usage="<id>", order=36)
def checkin(ctx: Context) -> Reply:
    """Record that this linked speaker is here for their talk."""
    if not ctx.args.strip():
        raise UsageError("checkin.usage")
    talk = ctx.programme.talk(talk_id_arg(ctx, ctx.args, "checkin.usage"))
    assert talk is not None  # talk_id_arg checked it exists
    if not ctx.speakers.speaks_at(ctx.request.address, talk):
        raise UsageError("checkin.not_yours", id=talk.id)
    if talk.cancelled or talk.start is None:
        raise UsageError("checkin.cancelled", id=talk.id)
    now = ctx.now
    if talk.end is not None and now >= talk.end:
        raise UsageError("checkin.over", id=talk.id)
    earlier = push.check_in(ctx.session, ctx.user, talk, ctx.speakers, now=now)
    tz = ctx.programme.tz
    at = clock_time(earlier or now, tz)
    b = ReplyBuilder().line(bold(ctx.t("checkin.done", id=talk.id, time=at)))
    b.line(
        ctx.t("checkin.see_you", room=room_name(ctx.programme, talk.room, ctx.lang), time=format_time(talk.start, tz))
    )
    reply = b.build(buttons=((Button(ctx.t("button.open_talk"), f"talk {talk.id}"),),), edit=ctx.from_button)
    return dataclasses.replace(reply, notice=ctx.t("checkin.done", id=talk.id, time=at))


def _may_list(ctx: Context) -> bool:
    """Organizers and room hosts may see the check-ins."""
    if ctx.is_organizer:
        return True
    me = Account(ctx.request.address.platform, ctx.request.address.user_id)
    return any(me in hosts for hosts in ctx.settings.room_host_accounts.values())


@command("checkins", help_key=None, order=96)  # not in /help: attendees would see it; the escalations' button runs it
def checkins(ctx: Context) -> Reply:
    """Today's talks with linked speakers and their check-in state."""
    if not _may_list(ctx):
        raise UsageError("checkin.not_allowed")
    programme, now = ctx.programme, ctx.now
    today = now.astimezone(programme.tz).date()
    talks = [
        talk
        for talk in sorted(programme.talks, key=lambda x: (x.start or now, x.id))
        if talk.start is not None
        and talk.start.astimezone(programme.tz).date() == today
        and not talk.cancelled
        and push.linked_speakers(talk, ctx.speakers)
    ]
    b = ReplyBuilder().line(bold(ctx.t("checkin.list_title")))
    if not talks:
        return b.line(ctx.t("checkin.list_none")).build()
    for talk in talks:
        b.blank()
        _talk_lines(ctx, b, talk)
    return b.blank().line(ctx.t("checkin.list_reach")).build()


def _talk_lines(ctx: Context, b: ReplyBuilder, talk: Talk) -> None:
    """One talk: its heading, each linked speaker's state, and the escalations sent."""
    assert talk.start is not None
    programme, tz = ctx.programme, ctx.programme.tz
    room = room_name(programme, talk.room, ctx.lang)
    b.line(bold(f"#{talk.id} {clock_time(talk.start, tz)} {room} · {title_of(talk, ctx.lang)}"))
    rows = ctx.session.execute(
        select(User.platform, User.platform_user_id, OutboxMessage.key, OutboxMessage.status, OutboxMessage.payload)
        .add_columns(OutboxMessage.due_at, OutboxMessage.sent_at)
        .join(User, User.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.kind.in_(push.KINDS), OutboxMessage.key.startswith(push.key_for(talk, "")))
    ).all()
    asks = {(r.platform, r.platform_user_id): r for r in rows if r.key == push.key_for(talk, "ask")}
    accounts = push.speaker_accounts(talk, ctx.speakers)
    for sid in push.linked_speakers(talk, ctx.speakers):
        mine = [asks.get((platform, uid)) for s, platform, uid in accounts if s == sid]
        known = push.reachable(ctx.session, ((p, u) for s, p, u in accounts if s == sid))
        name = push.names(programme, [sid], ctx.lang)
        b.line(f"  {name}: {_state(ctx, [r for r in mine if r is not None], bool(known))}")
    for stage, key in ((push.HOSTS, "checkin.told_hosts"), (push.ORGANIZERS, "checkin.told_organizers")):
        sent = [r.sent_at for r in rows if r.key == push.key_for(talk, stage) and r.status == outbox.SENT]
        if sent:
            b.line(f"  ⚠️ {ctx.t(key, time=clock_time(min(x for x in sent if x is not None), tz))}")
    hosts = ctx.settings.room_host_accounts.get(talk.room or "", ())
    if hosts and not push.reachable(ctx.session, hosts):
        b.line(f"  {ctx.t('checkin.hosts_unreachable')}")


def _state(ctx: Context, asks: Sequence[Row[Any]], reachable: bool) -> str:
    """One speaker's state from the ask rows of their accounts."""
    tz = ctx.programme.tz
    times: list[datetime] = [
        datetime.fromisoformat(r.payload["checked_in"]) for r in asks if (r.payload or {}).get("checked_in")
    ]
    if times:
        return "✅ " + ctx.t("checkin.state_in", time=clock_time(min(times), tz))
    sent = [r.sent_at for r in asks if r.status == outbox.SENT and r.sent_at is not None]
    if sent:
        return ctx.t("checkin.state_asked", time=clock_time(min(sent), tz))
    due = [r.due_at for r in asks if r.status == outbox.PENDING]
    if due:
        return ctx.t("checkin.state_due", time=clock_time(min(due), tz))
    if not reachable:
        return ctx.t("checkin.state_unreachable")
    return ctx.t("checkin.state_not_asked")
