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
from bot.i18n import pick, register
from bot.programme.cards import room_name

register(
    {
        "help.announce": {
            "zh": "在群组或频道里播报“即将开始”和“下一场”，或日程变动",
            "en": "post “starting in 5 minutes” and “up next”, or the schedule changes, in a group or channel",
        },
        "announce.usage": {
            "zh": "用法：在群组或频道里发送 /announce here [会场|all|changes]，或 /announce off 停止。"
            "单独发送 /announce 查看正在播报的群组。",
            "en": "Usage: in a group or channel, /announce here [room|all|changes], or /announce off to "
            "stop. /announce alone lists the chats announcing.",
        },
        "announce.private": {
            "zh": "请在要接收播报的群组或频道里发送 /announce here（先把机器人加进去）。Telegram 频道则在这里设置："
            "/announce here [会场|all|changes] in @频道名（或频道 id），停止用 /announce off in @频道名。",
            "en": "Send /announce here in the group or channel that should get the posts (add the bot "
            "there first). A Telegram channel is set up from here instead: /announce here [room|all|changes] "
            "in @channel (or its id), and /announce off in @channel.",
        },
        "announce.channel_not_found": {
            "zh": "找不到这个频道。请先把机器人添加为频道管理员（可发布消息），"
            "再发送 /announce here … in @频道名（或频道 id）。",
            "en": "I can't see that channel. Add the bot to it as an administrator who can post messages, then "
            "send /announce here … in @channel (or the channel's id) again.",
        },
        "announce.channel_not_admin": {
            "zh": "只有该频道的所有者或管理员才能为它设置播报。",
            "en": "Only the channel's owner or an administrator can set up its announcements.",
        },
        "announce.channel_unchecked": {
            "zh": "在私聊中设置（… in @频道名）只适用于 Telegram 频道。请在要接收播报的群组或频道里发送 "
            "/announce here（先把机器人加进去）。",
            "en": "Setting a chat up from here (… in @channel) works for Telegram channels only. Send "
            "/announce here in the group or channel that should get the posts (add the bot there first).",
        },
        "announce.channel_bot_cannot_post": {
            "zh": "机器人在该频道里不能发布消息：请把它设为管理员并允许“发布消息”。",
            "en": "The bot can't post in that channel: make it an administrator allowed to post messages.",
        },
        "announce.remote_on": {
            "zh": "📣 频道 {chat} 将播报：{what}。",
            "en": "📣 Channel {chat} now gets: {what}.",
        },
        "announce.remote_stop_hint": {
            "zh": "停止：/announce off in {chat}",
            "en": "To stop: /announce off in {chat}",
        },
        "announce.remote_off": {
            "zh": "🔕 频道 {chat} 的播报已停止，取消了 {count} 条待发消息。",
            "en": "🔕 Announcements in channel {chat} are off. Pending posts cancelled: {count}.",
        },
        "announce.remote_not_on": {"zh": "频道 {chat} 没有在播报。", "en": "Channel {chat} isn't announcing anything."},
        "announce.unknown_room": {
            "zh": "没有这个会场。可用：{names}，或 all（全部会场）、changes（日程变动）。",
            "en": "No such room. Rooms: {names}; or all (every room), changes (schedule changes).",
        },
        "announce.on_room": {
            "zh": "📣 本群将播报 {room}：每场演讲开始前 5 分钟提醒，换场时预告下一场。",
            "en": "📣 This chat now gets {room}: “starting in 5 minutes” for each talk, and “up next” "
            "at each changeover.",
        },
        "announce.on_all": {
            "zh": "📣 本群将播报全部会场：每场演讲开始前 5 分钟提醒，换场时预告下一场。",
            "en": "📣 This chat now gets every room: “starting in 5 minutes” for each talk, and “up "
            "next” at each changeover.",
        },
        "announce.on_changes": {
            "zh": "📣 本群将发布日程变动：每次调整或取消都会在这里公布一次。",
            "en": "📣 This chat is now the schedule-changes channel: every move and cancellation is posted here once.",
        },
        "announce.planned": {"zh": "已安排 {count} 条播报。", "en": "Posts planned: {count}."},
        "announce.stop_hint": {"zh": "在这里发送 /announce off 停止。", "en": "Send /announce off here to stop."},
        "announce.off": {
            "zh": "🔕 本群的播报已停止，取消了 {count} 条待发消息。",
            "en": "🔕 Announcements here are off. Pending posts cancelled: {count}.",
        },
        "announce.not_on": {"zh": "本群没有在播报。", "en": "This chat isn't announcing anything."},
        "announce.list_title": {"zh": "📣 正在播报的群组（{count}）", "en": "📣 Chats announcing ({count})"},
        "announce.list_empty": {
            "zh": "还没有。在群组或频道里发送 /announce here 开始。",
            "en": "None yet. Send /announce here in a group or channel to start.",
        },
        "announce.mode_helpdesk": {"zh": "服务台工单", "en": "helpdesk tickets"},
        "announce.on_helpdesk": {
            "zh": "🆘 这里是服务台：参会者的 /helpdesk 工单会发到这里，点“回复”后发送的下一条消息就是回复。",
            "en": "🆘 This chat is the helpdesk: attendees' /helpdesk tickets come here; press Reply and your "
            "next message here is the answer.",
        },
        "announce.mode_all": {"zh": "全部会场", "en": "every room"},
        "announce.mode_changes": {"zh": "日程变动", "en": "schedule changes"},
        "announce.removed": {
            "zh": "（机器人已被移出：重新发送 /announce here 恢复）",
            "en": "(the bot was removed: send /announce here there again)",
        },
    }
)

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
