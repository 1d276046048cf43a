"""The helpdesk: an attendee's ticket to the organizers, their answers back, through the outbox.

``/helpdesk <text>`` opens a ticket, or adds a follow-up to the attendee's open one. Each message
goes to the organizers' helpdesk chat (a group or channel marked ``/announce here helpdesk``) or,
without one, to every organizer in ``CONFBOT_ORGANIZERS`` who has talked to the bot (a platform lets
a bot write only to people who did), with Reply and Close buttons. An organizer's answer goes to the
attendee with the ticket number. Only organizers see tickets. A file the attendee sends with a
message (a photo of the problem, :class:`~bot.chat.messages.UserFile`) is kept as the platform's
reference, stored with the message and carried in the push; each platform's sender shows it.

No ticket is lost. A message that found nobody to receive it (no helpdesk chat, no organizer who has
talked to the bot) keeps ``routed_at`` empty and goes out, in order, as soon as one can be reached:
:func:`deliver_pending` runs when an organizer writes to the bot and when a helpdesk chat is set. It
claims the waiting messages with one ``UPDATE … RETURNING`` (a replica running it at the same time
finds them claimed), and the outbox keys (``helpdesk:<message id>``) make each push once per recipient.
The attendee is told when their waiting ticket has reached the organizers. :func:`open_tickets` is
what ``/tickets`` and ``confbot helpdesk list`` show; :func:`inbox` what the desk's helpdesk page shows.

An organizer claims a ticket (``/ticket_claim``, the desk's Claim button) so two don't both answer:
:func:`claim` is one conditional ``UPDATE`` (taken only while nobody else has it), so of two organizers
claiming at once exactly one gets it and the other is told who.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.chat.messages import Button, Line, Reply, ReplyBuilder, Span, UserFile, bold, italic
from bot.delivery import outbox
from bot.delivery.renderers import PushContext, renderer
from bot.features.announce.push import HELPDESK
from bot.host import Host
from bot.i18n import t
from bot.programme.timefmt import clock_time, format_day
from bot.settings import Account
from bot.storage.models import AnnounceChannel, Ticket, TicketMessage, User
from bot.users import find

KIND = "helpdesk"  # a ticket message to an organizer
ANSWER = "helpdesk_answer"  # an answer or the closing, to the attendee
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
    to = recipients(session, organizers)
    if not new and _waiting(session, ticket, before=message.id):
        # a follow-up to a ticket still waiting goes after what waits (all of it, if someone is there now)
        return ticket, new, deliver_pending(session, organizers, now) if to else 0
    reached = _route(session, message, user, to, now, followup=not new)
    if reached:
        message.routed_at = now
    return ticket, new, reached


def who_wrote(user: User) -> str:
    """``Alice (telegram:1001)``: the attendee as organizers see them."""
    return f"{user.display_name or user.platform_user_id} ({user.platform}:{user.platform_user_id})"


def _route(
    session: Session, message: TicketMessage, user: User, to: list[User], now: datetime, *, followup: bool
) -> int:
    """Queue one attendee message to each of ``to``; how many pushes were queued."""
    payload: dict[str, object] = {"ticket": message.ticket_id, "text": message.text, "who": who_wrote(user)}
    payload["followup"] = followup
    if message.file is not None:
        payload["file"] = message.file
    return sum(
        outbox.enqueue(
            session,
            recipient_id=recipient.id,
            kind=KIND,
            key=f"helpdesk:{message.id}",
            due_at=now,
            payload=payload,
            now=now,
        )
        for recipient in to
    )


def _waiting(session: Session, ticket: Ticket, *, before: int) -> bool:
    """Whether some of the ticket's messages written before message ``before`` still wait for an organizer."""
    pending = select(TicketMessage.id).where(
        TicketMessage.ticket_id == ticket.id,
        TicketMessage.author == "attendee",
        TicketMessage.routed_at.is_(None),
        TicketMessage.id < before,
    )
    return session.scalar(pending.limit(1)) is not None


_ANY_WAITING = (
    select(TicketMessage.id).where(TicketMessage.author == "attendee", TicketMessage.routed_at.is_(None)).limit(1)
)


def deliver_pending(session: Session, organizers: Iterable[Account], now: datetime) -> int:
    """Queue every message that found nobody to whoever can receive tickets now; how many messages.

    Each is claimed once (``UPDATE … RETURNING``: a replica doing the same at the same moment gets none
    of them) and queued in the order written; each waiting ticket's attendee is told it has arrived.
    A request with nothing waiting costs one read.
    """
    if session.scalar(_ANY_WAITING) is None:
        return 0
    to = recipients(session, organizers)
    if not to:
        return 0
    claim = (
        update(TicketMessage)
        .where(TicketMessage.author == "attendee", TicketMessage.routed_at.is_(None))
        .values(routed_at=now)
        .returning(TicketMessage.id)
    )
    claimed = sorted(session.scalars(claim, execution_options={"synchronize_session": False}).all())
    if not claimed:
        return 0
    messages = session.scalars(
        select(TicketMessage).where(TicketMessage.id.in_(claimed)).order_by(TicketMessage.id)
    ).all()
    first_of: dict[int, int | None] = {}
    for message in messages:
        ticket = session.get(Ticket, message.ticket_id)
        if ticket is None or ticket.state != "open":  # closed from /tickets meanwhile: nothing to send
            continue
        if message.ticket_id not in first_of:
            first_of[message.ticket_id] = session.scalar(
                select(func.min(TicketMessage.id)).where(
                    TicketMessage.ticket_id == ticket.id, TicketMessage.author == "attendee"
                )
            )
            outbox.enqueue(
                session,
                recipient_id=ticket.user_id,
                kind=ANSWER,
                key=f"helpdesk-reached:{ticket.id}",
                due_at=now,
                payload={"ticket": ticket.id, "reached": True},
                now=now,
            )
        attendee = session.get(User, ticket.user_id)
        assert attendee is not None
        _route(session, message, attendee, to, now, followup=message.id != first_of[message.ticket_id])
    return len(claimed)


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


def claim(session: Session, ticket: Ticket, by: str, now: datetime) -> str | None:
    """Claim an open ticket for organizer ``by`` (``platform:user_id``); who holds it afterwards: ``by``
    when it is theirs (now or already), another organizer's account when they had it first, None when
    the ticket is closed. One conditional UPDATE: two claiming at once, one gets it."""
    if ticket.claimed_by == by and ticket.state == "open":
        return by
    taken = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.state == "open", Ticket.claimed_by.is_(None))
        .values(claimed_by=by, claimed_at=now)
        .returning(Ticket.id),
        execution_options={"synchronize_session": False},
    ).first()
    session.refresh(ticket)
    if taken is not None:
        return by
    return ticket.claimed_by if ticket.state == "open" else None


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
    if p.get("reached"):
        return ReplyBuilder().line(t(lang, "helpdesk.reached", id=p["ticket"])).build()
    b = ReplyBuilder().line(bold(t(lang, "helpdesk.answer", id=p["ticket"]))).line(str(p.get("text", "")))
    return b.line(italic(t(lang, "helpdesk.answer_hint"))).build()


SHOWN_CHARS = 160  # of a ticket's message in a list


@dataclass(frozen=True)
class OpenTicket:
    """One open ticket as the organizers' list shows it."""

    id: int
    opened_at: datetime
    who: str
    first: str  # the attendee's first message
    latest: str | None  # their latest, when they wrote more than one
    messages: int  # the attendee's
    answers: int  # the organizers'
    files: int
    waiting: bool  # some of it has not reached any organizer yet
    claimed_by: str | None = None  # the organizer who took it (``platform:user_id``)


def open_tickets(session: Session) -> list[OpenTicket]:
    """Every open ticket, oldest first."""
    tickets = session.scalars(select(Ticket).where(Ticket.state == "open").order_by(Ticket.created_at, Ticket.id)).all()
    if not tickets:
        return []
    ids = [ticket.id for ticket in tickets]
    messages: dict[int, list[TicketMessage]] = {i: [] for i in ids}
    for message in session.scalars(
        select(TicketMessage).where(TicketMessage.ticket_id.in_(ids)).order_by(TicketMessage.id)
    ):
        messages[message.ticket_id].append(message)
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_({t.user_id for t in tickets})))}
    shown = []
    for ticket in tickets:
        own = [m for m in messages[ticket.id] if m.author == "attendee"]
        user = people.get(ticket.user_id)
        shown.append(
            OpenTicket(
                id=ticket.id,
                opened_at=ticket.created_at,
                who=who_wrote(user) if user is not None else "?",
                first=own[0].text if own else "",
                latest=own[-1].text if len(own) > 1 else None,
                messages=len(own),
                answers=len(messages[ticket.id]) - len(own),
                files=sum(1 for m in own if m.file is not None),
                waiting=any(m.routed_at is None for m in own),
                claimed_by=ticket.claimed_by,
            )
        )
    return shown


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1].rstrip() + "…"


def ticket_lines(ticket: OpenTicket, lang: str, tz: ZoneInfo, now: datetime) -> list[Line]:
    """``#3 · 10:40 (25 min ago) · Alice (telegram:1001)``, what they wrote, and where it stands."""
    opened = ticket.opened_at.astimezone(tz)
    when = clock_time(opened, tz)
    if opened.date() != now.astimezone(tz).date():
        when = f"{format_day(opened.date(), lang)} {when}"
    minutes = max(0, int((now - ticket.opened_at).total_seconds() // 60))
    age = t(lang, "tickets.min_ago", n=minutes) if minutes < 120 else t(lang, "tickets.h_ago", n=minutes // 60)
    head = f" · {t(lang, 'tickets.opened', when=when, age=age)} · {ticket.who}"
    lines: list[Line] = [(bold(f"#{ticket.id}"), Span(head))]
    if ticket.first:
        lines.append((Span(_cut(ticket.first)),))
    if ticket.latest:
        lines.append((italic(t(lang, "tickets.latest")), Span(_cut(ticket.latest))))
    status = [t(lang, "tickets.status", messages=ticket.messages, answers=ticket.answers)]
    if ticket.files:
        status.append(t(lang, "tickets.files", count=ticket.files))
    if ticket.waiting:
        status.append(t(lang, "tickets.waiting"))
    if ticket.claimed_by:
        status.append(t(lang, "desk.helpdesk_claimed_status", who=ticket.claimed_by))
    lines.append((italic(" · ".join(status)),))
    return lines


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a ticket as the desk shows it: who wrote it, the text, the file's kind and name."""

    author: str  # attendee | organizer
    text: str
    written_at: datetime
    file_kind: str | None = None  # "photo" | "document": the file stays on the platform, never fetched
    file_name: str | None = None


@dataclass(frozen=True)
class InboxTicket:
    """One open ticket on the desk: the lines ``/tickets`` shows, then every message in order."""

    ticket: OpenTicket
    lines: list[Line]
    messages: list[ThreadMessage]


def inbox(session: Session, lang: str, tz: ZoneInfo, now: datetime) -> list[InboxTicket]:
    """Every open ticket, oldest first, with its ``/tickets`` lines and its whole thread (read-only)."""
    shown = open_tickets(session)
    threads: dict[int, list[ThreadMessage]] = {ticket.id: [] for ticket in shown}
    if threads:
        rows = session.scalars(
            select(TicketMessage).where(TicketMessage.ticket_id.in_(threads)).order_by(TicketMessage.id)
        )
        for m in rows:
            file = UserFile.from_json(m.file)
            threads[m.ticket_id].append(
                ThreadMessage(m.author, m.text, m.created_at, file.kind if file else None, file.name if file else None)
            )
    return [InboxTicket(ticket, ticket_lines(ticket, lang, tz, now), threads[ticket.id]) for ticket in shown]


def listing_text(host: Host, lang: str) -> str:
    """Every open ticket as plain text, oldest first (``confbot helpdesk list``)."""
    with host.db.session() as session:
        shown = open_tickets(session)
    now, tz = host.clock.now(), host.programme.tz
    lines = [t(lang, "tickets.title", count=len(shown))]
    if not shown:
        lines.append(t(lang, "tickets.none"))
    for ticket in shown:
        lines.append("")
        lines += ["".join(span.text for span in line) for line in ticket_lines(ticket, lang, tz, now)]
    if shown:
        lines += ["", t(lang, "tickets.cli_hint")]
    return "\n".join(lines)
