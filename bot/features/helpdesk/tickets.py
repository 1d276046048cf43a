"""The helpdesk: an attendee's ticket to the organizers, their answers back, through the outbox.

``/helpdesk <text>`` opens a ticket, or adds a follow-up to the attendee's open one. Each message
goes to the organizers' helpdesk chat (a group or channel marked ``/announce here helpdesk``) or,
without one, to every organizer in ``CONFBOT_ORGANIZERS`` who has talked to the bot (a platform lets
a bot write only to people who did), with Reply and Close buttons. An organizer's answer goes to the
attendee with the ticket number. Only organizers see tickets. A file the attendee sends with a
message (a photo of the problem, :class:`~bot.chat.messages.UserFile`) is kept as the platform's
reference, stored with the message and carried in the push; each platform's sender shows it.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.chat.messages import Button, Reply, ReplyBuilder, UserFile, bold, italic
from bot.delivery import outbox
from bot.delivery.renderers import PushContext, renderer
from bot.features.announce.push import HELPDESK
from bot.i18n import register, t
from bot.settings import Account
from bot.storage.models import AnnounceChannel, Ticket, TicketMessage, User
from bot.users import find

register(
    {
        "helpdesk.to_organizers": {"zh": "🆘 服务台工单 #{id}", "en": "🆘 Helpdesk ticket #{id}"},
        "helpdesk.followup": {"zh": "🆘 工单 #{id} 的追加消息", "en": "🆘 Follow-up on ticket #{id}"},
        "helpdesk.from": {"zh": "来自 {who}", "en": "from {who}"},
        "helpdesk.reply": {"zh": "↩️ 回复", "en": "↩️ Reply"},
        "helpdesk.close": {"zh": "✅ 关闭", "en": "✅ Close"},
        "helpdesk.answer": {"zh": "💬 服务台回复（工单 #{id}）：", "en": "💬 The helpdesk answers (ticket #{id}):"},
        "helpdesk.answer_hint": {
            "zh": "如需补充，请发送 /helpdesk <内容>。",
            "en": "To add something, send /helpdesk <text>.",
        },
        "helpdesk.closed_notice": {"zh": "✅ 工单 #{id} 已关闭。", "en": "✅ Ticket #{id} is closed."},
    }
)

KIND = "helpdesk"  # a ticket message to an organizer
ANSWER = "helpdesk_answer"  # an answer or the closing, to the attendee
FLOOD_GAP = timedelta(seconds=10)  # one attendee's helpdesk messages at least this far apart
MAX_OPEN_MESSAGES = 20  # messages one open ticket takes from its attendee


@dataclass(frozen=True)
class TicketCounts:
    """What ``/stats`` shows of the helpdesk."""

    open: int = 0
    closed: int = 0
    median_first_reply_minutes: float | None = None  # over the tickets answered at least once


def counts(session: Session) -> TicketCounts:
    """Open and closed tickets and the median time to an organizer's first answer."""
    rows = session.execute(select(Ticket.state, Ticket.created_at, Ticket.first_reply_at)).all()
    waits = [(first - created).total_seconds() / 60 for _, created, first in rows if first is not None]
    return TicketCounts(
        open=sum(1 for state, _, _ in rows if state == "open"),
        closed=sum(1 for state, _, _ in rows if state == "closed"),
        median_first_reply_minutes=round(statistics.median(waits), 1) if waits else None,
    )


def open_ticket(session: Session, user: User) -> Ticket | None:
    """The user's open ticket, if any."""
    return session.scalar(
        select(Ticket).where(Ticket.user_id == user.id, Ticket.state == "open").order_by(Ticket.id.desc()).limit(1)
    )


def last_message_at(session: Session, user: User) -> datetime | None:
    """When the user last wrote to the helpdesk."""
    return session.scalar(
        select(TicketMessage.created_at)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(Ticket.user_id == user.id, TicketMessage.author == "attendee")
        .order_by(TicketMessage.id.desc())
        .limit(1)
    )


def write(
    session: Session, user: User, text: str, organizers: Iterable[Account], now: datetime, file: UserFile | None = None
) -> tuple[Ticket, bool, int]:
    """Add the attendee's ``text`` (and ``file``) to their open ticket or a new one; (ticket, new,
    organizers reached)."""
    ticket = open_ticket(session, user)
    new = ticket is None
    if ticket is None:
        ticket = Ticket(user_id=user.id, state="open", created_at=now)
        session.add(ticket)
        session.flush()
    stored = file.to_json() if file is not None else None
    message = TicketMessage(ticket_id=ticket.id, author="attendee", text=text, file=stored, created_at=now)
    session.add(message)
    session.flush()
    who = f"{user.display_name or user.platform_user_id} ({user.platform}:{user.platform_user_id})"
    payload: dict[str, object] = {"ticket": ticket.id, "text": text, "who": who, "followup": not new}
    if stored is not None:
        payload["file"] = stored
    reached = 0
    for recipient in recipients(session, organizers):
        reached += outbox.enqueue(
            session,
            recipient_id=recipient.id,
            kind=KIND,
            key=f"helpdesk:{message.id}",
            due_at=now,
            payload=payload,
            now=now,
        )
    return ticket, new, reached


def recipients(session: Session, organizers: Iterable[Account]) -> list[User]:
    """Where tickets go: the chats marked ``/announce here helpdesk``, else each organizer who has
    talked to the bot."""
    chats = list(
        session.scalars(
            select(User)
            .join(AnnounceChannel, AnnounceChannel.user_id == User.id)
            .where(AnnounceChannel.active.is_(True), AnnounceChannel.mode == HELPDESK, User.active.is_(True))
            .order_by(AnnounceChannel.id)
        )
    )
    if chats:
        return chats
    people = []
    for platform, user_id in dict.fromkeys(organizers):
        organizer = find(session, platform, user_id) if user_id else None
        if organizer is not None and organizer.active:
            people.append(organizer)
    return people


def messages_in_open(session: Session, ticket: Ticket) -> int:
    """How many messages the attendee wrote in ``ticket``."""
    return len(
        session.scalars(
            select(TicketMessage.id).where(TicketMessage.ticket_id == ticket.id, TicketMessage.author == "attendee")
        ).all()
    )


def answer(session: Session, ticket: Ticket, text: str, now: datetime) -> None:
    """Store an organizer's answer and push it to the attendee."""
    message = TicketMessage(ticket_id=ticket.id, author="organizer", text=text, created_at=now)
    session.add(message)
    if ticket.first_reply_at is None:
        ticket.first_reply_at = now
    session.flush()
    outbox.enqueue(
        session,
        recipient_id=ticket.user_id,
        kind=ANSWER,
        key=f"helpdesk-answer:{message.id}",
        due_at=now,
        payload={"ticket": ticket.id, "text": text},
        now=now,
    )


def close(session: Session, ticket: Ticket, now: datetime) -> bool:
    """Close the ticket and tell the attendee; False if it was closed already."""
    if ticket.state == "closed":
        return False
    ticket.state, ticket.closed_at = "closed", now
    outbox.enqueue(
        session,
        recipient_id=ticket.user_id,
        kind=ANSWER,
        key=f"helpdesk-closed:{ticket.id}",
        due_at=now,
        payload={"ticket": ticket.id, "closed": True},
        now=now,
    )
    return True


@renderer(KIND)
def render_ticket(push: PushContext) -> Reply:
    """A ticket message to an organizer, with Reply and Close, carrying the attendee's file if any."""
    p, lang = push.payload, push.lang
    head = "helpdesk.followup" if p.get("followup") else "helpdesk.to_organizers"
    b = ReplyBuilder().line(bold(t(lang, head, id=p["ticket"]))).line(italic(t(lang, "helpdesk.from", who=p["who"])))
    if p.get("text"):
        b.line(str(p["text"]))
    buttons = (
        (
            Button(t(lang, "helpdesk.reply"), f"ticket_reply {p['ticket']}"),
            Button(t(lang, "helpdesk.close"), f"ticket_close {p['ticket']}"),
        ),
    )
    return dataclasses.replace(b.build(buttons=buttons), forward=UserFile.from_json(p.get("file")))


@renderer(ANSWER)
def render_answer(push: PushContext) -> Reply:
    """An organizer's answer (or the closing) to the attendee, with the ticket number."""
    p, lang = push.payload, push.lang
    if p.get("closed"):
        return ReplyBuilder().line(t(lang, "helpdesk.closed_notice", id=p["ticket"])).build()
    b = ReplyBuilder().line(bold(t(lang, "helpdesk.answer", id=p["ticket"]))).line(str(p.get("text", "")))
    return b.line(italic(t(lang, "helpdesk.answer_hint"))).build()
