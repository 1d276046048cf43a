"""/announce: a group or channel gets room announcements or the public schedule changes.

``/announce here [room | all | changes]`` in the group or channel (``/conf announce here B`` in a
Slack channel), ``/announce off`` there to stop, ``/announce`` anywhere to list the channels.
The posts themselves are planned by :mod:`bot.features.announce.push`.

A Telegram channel's posts reach the bot without their author (any admin can sign them as anyone),
so ``/announce`` typed in a channel can't be honoured. Instead an organizer sends, in their private
chat with the bot::

    /announce here [room | all | changes] in @channel      (or the channel's id, -100…)
    /announce off in @channel

:func:`check_named_chat` then asks the platform (:class:`~bot.chat.ports.ChatRights`) whether they
administer it and the bot may post there; only then it is set up, as if the command had been sent
there; otherwise the answer gives the reason (``Request.channel_problem``), audited as a refusal.
The platform is asked for organizers only; a platform without the port gets a clear answer.
"""

from __future__ import annotations

import dataclasses
import re

from bot.chat.grammar import parse_command
from bot.chat.messages import Reply, ReplyBuilder, Request, bold, code
from bot.chat.ports import ChatRights
from bot.chat.registry import Context, UsageError, command
from bot.features.announce import push as announcements
from bot.features.helpdesk.tickets import deliver_pending
from bot.i18n import pick
from bot.programme.cards import room_name

# "here B in @confnews", "off in -1001234567890": the arguments, then the chat they name
_NAMED_CHAT = re.compile(
    r"^(?P<args>(?:here|off)\b.*?)\s+in\s+(?P<chat>@[A-Za-z]\w{3,31}|-\d+)\s*$", re.IGNORECASE | re.DOTALL
)


def named_chat(args: str) -> tuple[str, str] | None:
    """``(args without "in …", chat)`` for ``here …`` or ``off`` naming a chat, else None."""
    match = _NAMED_CHAT.match(args.strip())
    return (match["args"], match["chat"]) if match else None


async def check_named_chat(request: Request, chats: ChatRights, *, organizer: bool) -> Request:
    """``request`` for ``/announce … in <chat>`` from an ``organizer``'s private chat, as if sent in
    that chat when the platform says they may set it up, else with the reason in ``channel_problem``;
    any other request unchanged."""
    parsed = parse_command(request.text.strip()) if request.action is None and not request.is_group else None
    named = named_chat(parsed[1]) if parsed is not None and parsed[0] == "announce" else None
    if named is None or not organizer:
        return request  # not naming a chat, or refused by the core as any organizer command is
    args, chat = named
    check = await chats.may_post(request.address.user_id, chat)
    return dataclasses.replace(request, text=f"/announce {args}", channel=check.chat_id, channel_problem=check.problem)


def _mode(ctx: Context, wanted: str) -> str:
    """``all`` (also when empty), ``changes`` or ``room:<id>`` for a room id or name."""
    key = wanted.strip().casefold()
    if key in ("", announcements.ALL):
        return announcements.ALL
    if key in (announcements.CHANGES, announcements.HELPDESK):
        return key
    rooms = ctx.programme.conference.rooms
    for room in rooms:
        if key in {room.id.casefold(), room.name.casefold(), (room.name_en or "").casefold()}:
            return f"{announcements.ROOM_PREFIX}{room.id}"
    names = ", ".join(pick(ctx.lang, r.name, r.name_en) + f" ({r.id})" for r in rooms)
    raise UsageError("announce.unknown_room", names=names or "—")


def _describe(ctx: Context, mode: str) -> str:
    if mode.startswith(announcements.ROOM_PREFIX):
        return room_name(ctx.programme, mode[len(announcements.ROOM_PREFIX) :], ctx.lang)
    if mode == announcements.HELPDESK:
        return ctx.t("announce.mode_helpdesk")
    return ctx.t("announce.mode_changes" if mode == announcements.CHANGES else "announce.mode_all")


@command(
    "announce", help_key="help.announce", usage="here [room|all|changes|helpdesk] | off", organizer_only=True, order=93
)
def announce(ctx: Context) -> Reply:
    """Set up, stop or list the announcing chats."""
    sub, _, rest = ctx.args.strip().partition(" ")
    sub = sub.casefold()
    if sub in ("", "list", "status"):
        return _listing(ctx)
    if sub not in ("here", "off"):
        raise UsageError("announce.usage")
    if ctx.request.channel_problem:
        raise UsageError(f"announce.channel_{ctx.request.channel_problem}")
    chat = ctx.request.channel
    if chat is None:  # a chat named from here that nobody could check: this platform has no such check
        raise UsageError("announce.channel_unchecked" if named_chat(ctx.args) else "announce.private")
    remote = not ctx.request.is_group  # a Telegram channel, set up from the organizer's private chat
    platform, now = ctx.request.address.platform, ctx.now
    if sub == "off":
        cancelled = announcements.stop(ctx.session, platform, chat)
        ctx.outcome = "off" if cancelled is not None else "not on"
        if remote:
            key = "announce.remote_off" if cancelled is not None else "announce.remote_not_on"
            return ReplyBuilder().line(ctx.t(key, chat=chat, count=cancelled)).build()
        if cancelled is None:
            return ReplyBuilder().line(ctx.t("announce.not_on")).build()
        return ReplyBuilder().line(ctx.t("announce.off", count=cancelled)).build()
    mode = _mode(ctx, rest)
    channel = announcements.channel_row(ctx.session, platform, chat, lang=ctx.lang, now=now)
    who = f"{platform}:{ctx.request.address.user_id}"
    planned = announcements.set_mode(ctx.session, channel, mode, who, ctx.programme, now=now)
    ctx.outcome = f"on {mode}"[:32]
    # tickets that found nobody go to the new helpdesk chat now
    waiting = (
        deliver_pending(ctx.session, ctx.settings.organizer_accounts, now) if mode == announcements.HELPDESK else 0
    )
    if remote:
        b = ReplyBuilder().line(ctx.t("announce.remote_on", chat=chat, what=_describe(ctx, mode)))
        if waiting:
            b.line(ctx.t("helpdesk.waiting_sent", count=waiting))
        if mode != announcements.CHANGES:
            b.line(ctx.t("announce.planned", count=planned))
        return b.line(ctx.t("announce.remote_stop_hint", chat=chat)).build()
    if mode == announcements.HELPDESK:
        b = ReplyBuilder().line(ctx.t("announce.on_helpdesk"))
        if waiting:
            b.line(ctx.t("helpdesk.waiting_sent", count=waiting))
    elif mode == announcements.CHANGES:
        b = ReplyBuilder().line(ctx.t("announce.on_changes"))
    elif mode == announcements.ALL:
        b = ReplyBuilder().line(ctx.t("announce.on_all")).line(ctx.t("announce.planned", count=planned))
    else:
        b = ReplyBuilder().line(ctx.t("announce.on_room", room=_describe(ctx, mode)))
        b.line(ctx.t("announce.planned", count=planned))
    return b.line(ctx.t("announce.stop_hint")).build()


def _listing(ctx: Context) -> Reply:
    """The active announcing chats, with their mode."""
    rows = announcements.listing(ctx.session)
    b = ReplyBuilder().line(bold(ctx.t("announce.list_title", count=len(rows))))
    if not rows:
        return b.line(ctx.t("announce.list_empty")).build()
    for user, link in rows:
        gone = f" {ctx.t('announce.removed')}" if not user.active else ""
        b.line("• ", code(f"{user.platform} {user.chat_id}"), f" · {_describe(ctx, link.mode)}{gone}")
    return b.build()
