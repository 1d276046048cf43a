"""The helpdesk: /helpdesk (also /求助) for attendees; /tickets, Reply and Close for organizers.

A file sent with ``/helpdesk <text>`` as its caption goes with the ticket message; one sent without a
command (``ticket_file``, see ``Core``) is a follow-up to the attendee's open ticket. A message right
after another (a second thought, an album's photos) joins the open ticket: nothing is refused but a
ticket past its message limit.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.chat import awaited
from bot.chat.grammar import parse_number
from bot.chat.messages import Button, Reply, ReplyBuilder, bold, italic
from bot.chat.registry import Context, UsageError, command
from bot.features.helpdesk import tickets as helpdesk
from bot.storage.models import Ticket

REPLY = "helpdesk_reply"  # the awaited-input purpose of an organizer's answer
REPLY_WAIT = timedelta(minutes=30)
MAX_ANSWER = 2000


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
    """The message (and the request's file) to the open ticket or a new one, within the ticket's limit."""
    now = ctx.now
    current = helpdesk.open_ticket(ctx.session, ctx.user)
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
    private one) is the answer; the adapters pass a group member's awaited message on.
    ``/ticket_reply <n> <answer>`` (the desk's Send) answers at once."""
    ticket = _ticket(ctx)
    if isinstance(ticket, Reply):
        return ticket
    if ticket.state != "open":  # closed meanwhile (by another organizer): the attendee is told nothing more
        return ReplyBuilder().line(ctx.t("helpdesk.already_closed", id=ticket.id)).build()
    now = ctx.now
    words = ctx.args.strip().split(None, 1)
    if len(words) < 2 and ctx.request.page is not None:  # a page has no "next message" to wait for
        return ReplyBuilder().line(ctx.t("helpdesk.empty_answer")).build()
    if len(words) > 1:
        text = words[1].strip()
        if len(text) > MAX_ANSWER:
            return ReplyBuilder().line(ctx.t("prompts.too_long", length=len(text), limit=MAX_ANSWER)).build()
        helpdesk.answer(ctx.session, ticket, text, now)
        return ReplyBuilder().line(ctx.t("helpdesk.sent", id=ticket.id)).build()
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
    if ticket.state != "open":
        return ReplyBuilder().line(ctx.t("helpdesk.already_closed", id=ticket.id)).build()
    helpdesk.answer(ctx.session, ticket, text, ctx.now)
    return ReplyBuilder().line(ctx.t("helpdesk.sent", id=ticket.id)).build()


@awaited.on_skip(REPLY)
def cancel_reply(ctx: Context, target: str, was_pending: bool) -> Reply:
    """Cancel: nothing is sent."""
    return ReplyBuilder().line(ctx.t("helpdesk.cancelled")).build(edit=True)


@command("ticket_claim", organizer_only=True)
def claim(ctx: Context) -> Reply:
    """Take a ticket so no other organizer answers it too; one who has it already is named."""
    ticket = _ticket(ctx)
    if isinstance(ticket, Reply):
        return ticket
    me = f"{ctx.request.address.platform}:{ctx.request.address.user_id}"
    holder = helpdesk.claim(ctx.session, ticket, me, ctx.now)
    if holder is None:
        return ReplyBuilder().line(ctx.t("helpdesk.already_closed", id=ticket.id)).build()
    if holder != me:
        ctx.outcome = "refused"
        return ReplyBuilder().line(ctx.t("desk.helpdesk_claimed_by", id=ticket.id, who=holder)).build()
    return ReplyBuilder().line(ctx.t("desk.helpdesk_claimed", id=ticket.id)).build()


@command("ticket_close", organizer_only=True)
def close(ctx: Context) -> Reply:
    """The Close button."""
    ticket = _ticket(ctx)
    if isinstance(ticket, Reply):
        return ticket
    closed = helpdesk.close(ctx.session, ticket, ctx.now)
    return ReplyBuilder().line(ctx.t("helpdesk.closed" if closed else "helpdesk.already_closed", id=ticket.id)).build()


TICKETS_PAGE = 5  # tickets on one page of /tickets (each with its own Reply and Close)


@command("tickets", help_key="help.tickets", usage="[page]", aliases=("工单",), organizer_only=True, order=89)
def list_open(ctx: Context) -> Reply:
    """The open tickets, oldest first, each with Reply and Close; paged."""
    shown = helpdesk.open_tickets(ctx.session)
    b = ReplyBuilder().line(bold(ctx.t("tickets.title", count=len(shown))))
    if not shown:
        return b.line(ctx.t("tickets.none")).build(edit=ctx.from_button)
    count = (len(shown) + TICKETS_PAGE - 1) // TICKETS_PAGE
    page = min(max(1, parse_number(ctx.args.strip()) or 1), count)
    rows: list[tuple[Button, ...]] = []
    for ticket in shown[(page - 1) * TICKETS_PAGE : page * TICKETS_PAGE]:
        b.blank()
        b.lines += helpdesk.ticket_lines(ticket, ctx.lang, ctx.programme.tz, ctx.now)
        reply_to = Button(ctx.t("tickets.reply", id=ticket.id), f"ticket_reply {ticket.id}")
        rows.append((reply_to, Button(ctx.t("tickets.close", id=ticket.id), f"ticket_close {ticket.id}")))
    if count > 1:
        b.blank().line(italic(ctx.t("page.of", page=page, count=count)))
        pager = [Button(ctx.t("button.prev"), f"tickets {page - 1}")] if page > 1 else []
        pager += [Button(ctx.t("button.next"), f"tickets {page + 1}")] if page < count else []
        rows.append(tuple(pager))
    return b.build(buttons=tuple(rows), edit=ctx.from_button)
