"""The helpdesk: /helpdesk (also /求助) for attendees; Reply and Close buttons for organizers.

A file sent with ``/helpdesk <text>`` as its caption goes with the ticket message; one sent without a
command (``ticket_file``, see ``Core``) is a follow-up to the attendee's open ticket.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.chat import awaited
from bot.chat.grammar import parse_number
from bot.chat.messages import Reply, ReplyBuilder
from bot.chat.registry import Context, UsageError, command
from bot.features.helpdesk import tickets as helpdesk
from bot.i18n import register
from bot.storage.models import Ticket

REPLY = "helpdesk_reply"  # the awaited-input purpose of an organizer's answer
REPLY_WAIT = timedelta(minutes=30)
MAX_ANSWER = 2000

register(
    {
        "help.helpdesk": {
            "zh": "联系大会服务台（丢失胸牌、无障碍需求、会场已满……）",
            "en": "message the organizers' helpdesk (a lost badge, accessibility, a full room…)",
        },
        "helpdesk.usage": {
            "zh": "用法：/helpdesk <内容>，例如 /helpdesk 我的胸牌丢了",
            "en": "Usage: /helpdesk <text>, e.g. /helpdesk I lost my badge",
        },
        "helpdesk.opened": {
            "zh": "🆘 已创建工单 #{id}，组织者会尽快回复。需要补充时再发送 /helpdesk <内容>。",
            "en": "🆘 Ticket #{id} is open; the organizers will answer here. To add something, send "
            "/helpdesk <text> again.",
        },
        "helpdesk.added": {"zh": "已补充到工单 #{id}。", "en": "Added to ticket #{id}."},
        "helpdesk.nobody": {
            "zh": "（目前没有组织者在线接收，工单已保存。）",
            "en": "(No organizer can be reached by the bot right now; the ticket is kept.)",
        },
        "helpdesk.flood": {
            "zh": "发送太快了，请 {seconds} 秒后再试。",
            "en": "Too fast; please try again in {seconds} seconds.",
        },
        "helpdesk.full": {
            "zh": "工单 #{id} 已有很多消息，请等待组织者回复。",
            "en": "Ticket #{id} has many messages already; please wait for the organizers' answer.",
        },
        "helpdesk.unknown": {"zh": "没有工单 #{id}。", "en": "There is no ticket #{id}."},
        "helpdesk.write_answer": {
            "zh": "请在这里发送给工单 #{id} 的回复（下一条消息，30 分钟内）。",
            "en": "Send your answer to ticket #{id} here, as your next message (within 30 minutes).",
        },
        "helpdesk.write_answer_private": {
            "zh": "请在您与机器人的私聊中发送给工单 #{id} 的回复（下一条消息，30 分钟内）。",
            "en": "Send your answer to ticket #{id} as your next message in your private chat with the bot "
            "(within 30 minutes).",
        },
        "helpdesk.file_needs_ticket": {
            "zh": "要把照片或文件发给组织者，请在发送时附上说明：/helpdesk <内容>。",
            "en": "To send the organizers a photo or file, send it with the caption /helpdesk <text>.",
        },
        "helpdesk.file_needs_ticket_slack": {  # Slack takes "/helpdesk" in the message box as a slash command
            "zh": "要把照片或文件发给组织者，请先用 /conf helpdesk <内容> 提交工单，再在这里分享文件。",
            "en": "To send the organizers a photo or file, first open a ticket with /conf helpdesk <text>, "
            "then share the file here.",
        },
        "helpdesk.cancel": {"zh": "取消", "en": "Cancel"},
        "helpdesk.cancelled": {"zh": "好的，未回复。", "en": "OK, no answer sent."},
        "helpdesk.sent": {"zh": "已回复工单 #{id}。", "en": "Your answer to ticket #{id} is on its way."},
        "helpdesk.closed": {"zh": "工单 #{id} 已关闭。", "en": "Ticket #{id} is closed."},
        "helpdesk.already_closed": {"zh": "工单 #{id} 早已关闭。", "en": "Ticket #{id} was closed already."},
    }
)


@command("helpdesk", help_key="help.helpdesk", usage="<text>", aliases=("求助",), order=47)
def open_or_follow_up(ctx: Context) -> Reply:
    """Open a ticket, or add to the open one (a file sent with it goes too)."""
    text = " ".join(ctx.args.split())
    if not text and ctx.request.file is None:
        raise UsageError("helpdesk.usage")
    return _write(ctx, text)


@command("ticket_file")
def file_follow_up(ctx: Context) -> Reply:
    """A file sent without a command: a follow-up to the open ticket, else how to send one."""
    if ctx.request.file is None:
        raise UsageError("helpdesk.usage")
    if helpdesk.open_ticket(ctx.session, ctx.user) is None:
        slack = ctx.request.address.platform == "slack"
        return (
            ReplyBuilder()
            .line(ctx.t("helpdesk.file_needs_ticket_slack" if slack else "helpdesk.file_needs_ticket"))
            .build()
        )
    return _write(ctx, " ".join(ctx.args.split()))


def _write(ctx: Context, text: str) -> Reply:
    """The flood limits, then the message (and the request's file) to the ticket."""
    now = ctx.now
    current = helpdesk.open_ticket(ctx.session, ctx.user)
    # the photos of an album arrive as separate messages within a second: files added to an open
    # ticket skip the gap (the ticket's message limit still bounds them)
    album = ctx.request.file is not None and current is not None
    last = helpdesk.last_message_at(ctx.session, ctx.user)
    if last is not None and now - last < helpdesk.FLOOD_GAP and not album:
        seconds = max(1, int((helpdesk.FLOOD_GAP - (now - last)).total_seconds() + 0.999))
        return ReplyBuilder().line(ctx.t("helpdesk.flood", seconds=seconds)).build()
    if current is not None and helpdesk.messages_in_open(ctx.session, current) >= helpdesk.MAX_OPEN_MESSAGES:
        return ReplyBuilder().line(ctx.t("helpdesk.full", id=current.id)).build()
    organizers = ctx.settings.organizer_accounts
    ticket, new, reached = helpdesk.write(ctx.session, ctx.user, text, organizers, now, ctx.request.file)
    b = ReplyBuilder().line(ctx.t("helpdesk.opened" if new else "helpdesk.added", id=ticket.id))
    if not reached:
        b.line(ctx.t("helpdesk.nobody"))
    return b.build()


def _ticket(ctx: Context) -> Ticket | Reply:
    words = ctx.args.split()
    number = parse_number(words[0]) if words else None
    ticket = ctx.session.get(Ticket, number) if number is not None and number > 0 else None
    if ticket is None:
        return ReplyBuilder().line(ctx.t("helpdesk.unknown", id=str(number or "?"))).build()
    return ticket


@command("ticket_reply", organizer_only=True)
def reply(ctx: Context) -> Reply:
    """The Reply button: the organizer's next plain message in this chat (the helpdesk chat or their
    private one) is the answer; the adapters pass a group member's awaited message on."""
    ticket = _ticket(ctx)
    if isinstance(ticket, Reply):
        return ticket
    now = ctx.now
    if ctx.request.authorless_chat:  # a Telegram channel: nobody's messages there can be taken as theirs
        private = dataclasses.replace(ctx.request, channel=None, is_group=False, authorless_chat=False)
        awaited.expect(ctx.session, private, REPLY, str(ticket.id), now, ttl=REPLY_WAIT)
        return ReplyBuilder().line(ctx.t("helpdesk.write_answer_private", id=ticket.id)).build()
    awaited.expect(ctx.session, ctx.request, REPLY, str(ticket.id), now, ttl=REPLY_WAIT)
    cancel = awaited.skip_button(ctx.t("helpdesk.cancel"), REPLY, str(ticket.id))
    return ReplyBuilder().line(ctx.t("helpdesk.write_answer", id=ticket.id)).build(buttons=((cancel,),))


@awaited.awaits(REPLY, max_chars=MAX_ANSWER)
def answered(ctx: Context, pending: awaited.Pending, text: str) -> Reply:
    """The organizer's answer: delivered to the attendee through the outbox."""
    number = parse_number(pending.target)
    ticket = ctx.session.get(Ticket, number) if number is not None else None
    if ticket is None or not ctx.is_organizer:
        return ReplyBuilder().line(ctx.t("helpdesk.unknown", id=pending.target)).build()
    helpdesk.answer(ctx.session, ticket, text, ctx.now)
    return ReplyBuilder().line(ctx.t("helpdesk.sent", id=ticket.id)).build()


@awaited.on_skip(REPLY)
def cancel_reply(ctx: Context, target: str, was_pending: bool) -> Reply:
    """Cancel: nothing is sent."""
    return ReplyBuilder().line(ctx.t("helpdesk.cancelled")).build(edit=True)


@command("ticket_close", organizer_only=True)
def close(ctx: Context) -> Reply:
    """The Close button."""
    ticket = _ticket(ctx)
    if isinstance(ticket, Reply):
        return ticket
    closed = helpdesk.close(ctx.session, ticket, ctx.now)
    return ReplyBuilder().line(ctx.t("helpdesk.closed" if closed else "helpdesk.already_closed", id=ticket.id)).build()
