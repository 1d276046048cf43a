"""``/full <room>`` and ``/full <room> off``, for organizers and the room's hosts, and the notice its
subscribers get (see :mod:`.full`).

The registry's ``organizer_only`` admits organizers alone, so this command checks its own rights:
organizers, and the hosts ``CONFBOT_ROOM_HOSTS`` lists for that room. Anyone else is refused as for an
organizer command, and every attempt is audited (ok, usage or refused) like one.
"""

from __future__ import annotations

from bot import audit
from bot.chat.labels import fit
from bot.chat.messages import Button, Reply, ReplyBuilder, bold, link
from bot.chat.registry import Context, UsageError, command
from bot.delivery.renderers import PushContext, renderer
from bot.features.rooms import full as full_rooms
from bot.i18n import pick, t
from bot.programme.cards import agenda_line, room_name, title_of
from bot.programme.content.schema import Room
from bot.programme.search.names import find_named
from bot.programme.timefmt import format_time
from bot.settings import Account

NAME = "full"
OFF = frozenset({"off", "clear", "关", "取消"})
MAX_BUTTONS = 3  # the talks elsewhere opened by a button each


def _hosts_of(ctx: Context) -> set[str]:
    """The rooms this person hosts."""
    me = Account(ctx.request.address.platform, ctx.request.address.user_id)
    return {room for room, accounts in ctx.settings.room_host_accounts.items() if me in accounts}


def _record(ctx: Context, outcome: str) -> None:
    audit.record(ctx.session, ctx.request.address, NAME, ctx.args, outcome, ctx.now)


def _room(ctx: Context, wanted: str) -> Room:
    room = find_named(wanted, ctx.programme.conference.rooms)
    if room is None:
        rooms = ctx.programme.conference.rooms
        names = ", ".join(pick(ctx.lang, r.name, r.name_en) + f" ({r.id})" for r in rooms)
        raise UsageError("full.usage", names=names or "—")
    return room


@command(NAME, usage="<room> [off]", order=89)  # no help line: attendees must not see it in /help
def full(ctx: Context) -> Reply:
    """Mark a room full for the talk on there (or starting soon), or take the mark off."""
    organizer, hosted = ctx.is_organizer, _hosts_of(ctx)
    if not organizer and not hosted:
        _record(ctx, "refused")
        return ReplyBuilder().line(ctx.t("error.organizer_only", name=NAME)).build()
    words = ctx.args.split()
    off = len(words) > 1 and words[-1].lower() in OFF
    try:
        room = _room(ctx, " ".join(words[:-1] if off else words))
    except UsageError:
        _record(ctx, "usage")
        raise
    if not organizer and room.id not in hosted:
        _record(ctx, "refused")
        return ReplyBuilder().line(ctx.t("error.organizer_only", name=NAME)).build()
    name = room_name(ctx.programme, room.id, ctx.lang)
    if off:
        was = full_rooms.clear(ctx.session, room.id, ctx.now)
        _record(ctx, "ok" if was else "not full")
        return ReplyBuilder().line(ctx.t("full.cleared" if was else "full.not_marked", room=name)).build()
    talk = full_rooms.talk_to_mark(ctx.programme, room.id, ctx.now)
    if talk is None or talk.end is None:
        _record(ctx, "no talk")
        minutes = int(full_rooms.SOON.total_seconds() // 60)
        return ReplyBuilder().line(ctx.t("full.no_talk", room=name, minutes=minutes)).build()
    told = full_rooms.mark(ctx.session, room.id, talk, ctx.request.address, ctx.now)
    _record(ctx, "ok")
    b = ReplyBuilder().line(ctx.t("full.marked", room=name, until=format_time(talk.end, ctx.programme.tz)))
    b.line(bold(f"#{talk.id} {title_of(talk, ctx.lang)}")).line(ctx.t("full.told", count=told))
    return b.build()


@renderer(full_rooms.KIND)
def render(push: PushContext) -> Reply | None:
    """The room is full: the talk, the room's live stream, and the talks starting then elsewhere."""
    talk, lang, programme = push.talk(), push.lang, push.programme
    if talk is None or talk.cancelled or talk.room != push.payload.get("room"):
        return None  # moved or cancelled since: this room being full says nothing about it
    room = programme.room(talk.room)
    b = ReplyBuilder().line(bold(t(lang, "full.notice", room=room_name(programme, talk.room, lang))))
    b.line(f"#{talk.id} {title_of(talk, lang)}")
    if room is not None and room.stream:
        b.blank().line(t(lang, "full.watch"), link(t(lang, "full.stream"), room.stream))
    others = full_rooms.elsewhere(programme, talk)
    b.blank().line(bold(t(lang, "full.elsewhere" if others else "full.nothing_elsewhere")))
    for other in others:
        b.lines.append(agenda_line(programme, other, lang))
    buttons = tuple((Button(fit(f"#{o.id} {title_of(o, lang)}"), f"talk {o.id}"),) for o in others[:MAX_BUTTONS])
    return b.build(buttons=buttons)
