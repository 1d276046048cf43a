"""Erasing one person (``/forget``): every row that names them goes, anonymous aggregates stay.

What stays, without anything that leads back to the person (see ``docs/privacy.md``):

- their ratings' stars (the comment is deleted), so a talk's count and mean do not change;
- the text of a question of theirs that other people voted on (the others' votes are theirs);
- the organizer actions they took, in the audit log and on broadcasts, previews, schedule fixes,
  announcement channels and full rooms, with :data:`FORGOTTEN` where their account was.

The kept ratings and questions move to a new, inactive ``users`` row of its own (platform
:data:`FORGOTTEN`, a random id, no chat), one per erasure, so that the stars still count as
a person's and each talk keeps at most one rating per person. Everything else is deleted: the user,
their subscriptions, calendar feed, personal web page, votes, other questions, helpdesk tickets and their messages (and
the pushes that carried those messages to organizers), pushes addressed to them and awaited inputs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Delete, Exists, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from bot.features.helpdesk.tickets import KIND as HELPDESK_PUSH
from bot.storage.db import rowcount
from bot.storage.models import (
    AnnounceChannel,
    AuditEntry,
    Broadcast,
    CalendarFeed,
    ChatChoices,
    Confirmation,
    DeskLink,
    DeskSession,
    FullRoom,
    OutboxMessage,
    PendingInput,
    Poll,
    PollVote,
    PushGrant,
    PushWindow,
    Question,
    QuestionVote,
    Rating,
    ScheduleOverride,
    Subscription,
    Ticket,
    TicketMessage,
    User,
    WebAgenda,
)

FORGOTTEN = "forgotten"  # stands where an erased person's account was
_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class Erased:
    """How much of a person's data went (the audit log records these counts, never who)."""

    subscriptions: int = 0
    ratings_kept: int = 0  # stars kept anonymously; their comments deleted
    questions_deleted: int = 0
    questions_kept: int = 0  # others voted on them: their text kept anonymously
    votes: int = 0
    tickets: int = 0
    pushes: int = 0

    def summary(self) -> str:
        """One line for the audit log: counts only."""
        return " ".join(f"{name}={value}" for name, value in vars(self).items())


def account_of(user: User) -> str:
    """How organizer records name an account (``platform:user_id``)."""
    return f"{user.platform}:{user.platform_user_id}"


def _voted_by_others(user_id: int) -> Exists:
    other = aliased(QuestionVote)
    return exists().where(other.question_id == Question.id, other.user_id != user_id)


def _stand_in(session: Session, now: datetime) -> User:
    """A new inactive user that holds one erased person's anonymous leftovers."""
    user = User(
        platform=FORGOTTEN,
        platform_user_id=secrets.token_hex(12),
        chat_id="",
        thread=None,
        display_name=FORGOTTEN,  # what moderators see as the asker of a kept question
        language="zh",
        language_set=False,
        first_seen=now,
        last_seen=now,
        active=False,
        reminders_on=False,
        lead_minutes=0,
        kind="person",
    )
    session.add(user)
    session.flush()
    return user


def _kept(session: Session, user: User, now: datetime) -> tuple[int, int]:
    """Move the stars and the voted-on questions to a stand-in; (ratings, questions) kept."""
    ratings = session.scalar(select(func.count()).select_from(Rating).where(Rating.user_id == user.id)) or 0
    voted = list(session.scalars(select(Question.id).where(Question.user_id == user.id, _voted_by_others(user.id))))
    if not ratings and not voted:
        return 0, 0
    stand_in = _stand_in(session, now)
    session.execute(
        update(Rating).where(Rating.user_id == user.id).values(user_id=stand_in.id, comment=None),
        execution_options=_SYNC,
    )
    if voted:
        session.execute(
            update(Question).where(Question.id.in_(voted)).values(user_id=stand_in.id), execution_options=_SYNC
        )
    return ratings, len(voted)


def _count(session: Session, stmt: Delete) -> int:
    return rowcount(session.execute(stmt, execution_options=_SYNC))


def erase(session: Session, user: User, now: datetime) -> Erased:
    """Delete or anonymise every row about ``user`` in the request's transaction (see the module)."""
    session.flush()  # what the request changed on the user is written before the row goes
    ratings, kept = _kept(session, user, now)
    votes = _count(session, delete(QuestionVote).where(QuestionVote.user_id == user.id))
    mine = select(Question.id).where(Question.user_id == user.id).scalar_subquery()
    session.execute(delete(QuestionVote).where(QuestionVote.question_id.in_(mine)), execution_options=_SYNC)
    questions = _count(session, delete(Question).where(Question.user_id == user.id))
    tickets = select(Ticket.id).where(Ticket.user_id == user.id).scalar_subquery()
    messages = list(session.scalars(select(TicketMessage.id).where(TicketMessage.ticket_id.in_(tickets))))
    pushes = 0
    if messages:
        keys = [f"helpdesk:{m}" for m in messages]  # the ticket's messages as pushed to organizers
        pushes += _count(
            session, delete(OutboxMessage).where(OutboxMessage.kind == HELPDESK_PUSH, OutboxMessage.key.in_(keys))
        )
    session.execute(delete(TicketMessage).where(TicketMessage.ticket_id.in_(tickets)), execution_options=_SYNC)
    ticket_count = _count(session, delete(Ticket).where(Ticket.user_id == user.id))
    subscriptions = _count(session, delete(Subscription).where(Subscription.user_id == user.id))
    session.execute(  # their poll votes (bot/features/polls): the counts lose them
        delete(PollVote).where(PollVote.platform == user.platform, PollVote.voter == user.platform_user_id),
        execution_options=_SYNC,
    )
    pushes += _count(session, delete(OutboxMessage).where(OutboxMessage.recipient_id == user.id))
    for table in (CalendarFeed, WebAgenda, AnnounceChannel):
        session.execute(delete(table).where(table.user_id == user.id), execution_options=_SYNC)
    for per_platform in (PendingInput, PushWindow, ChatChoices, PushGrant):  # inputs; WeChat's windows, letters, grants
        session.execute(
            delete(per_platform).where(
                per_platform.platform == user.platform, per_platform.user_id == user.platform_user_id
            ),
            execution_options=_SYNC,
        )
    account = f"{user.platform}:{user.platform_user_id}"
    for desk in (DeskLink, DeskSession):  # an organizer's desk links and sessions
        session.execute(delete(desk).where(desk.account == account), execution_options=_SYNC)
    _unname_organizer(session, user)
    session.delete(user)
    session.flush()
    return Erased(subscriptions, ratings, questions, kept, votes, ticket_count, pushes)


def _unname_organizer(session: Session, user: User) -> None:
    """An organizer's actions stay on record, with :data:`FORGOTTEN` where their account was."""
    account = account_of(user)
    session.execute(delete(Confirmation).where(Confirmation.created_by == account), execution_options=_SYNC)
    for stmt in (
        update(Broadcast).where(Broadcast.created_by == account).values(created_by=FORGOTTEN),
        update(ScheduleOverride).where(ScheduleOverride.set_by == account).values(set_by=FORGOTTEN),
        update(AnnounceChannel).where(AnnounceChannel.created_by == account).values(created_by=FORGOTTEN),
        update(FullRoom).where(FullRoom.marked_by == account).values(marked_by=FORGOTTEN),
        update(Poll).where(Poll.created_by == account).values(created_by=FORGOTTEN),
    ):
        session.execute(stmt, execution_options=_SYNC)
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.platform == user.platform, AuditEntry.user_id == user.platform_user_id)
        .values(user_id=FORGOTTEN, detail=""),
        execution_options=_SYNC,
    )


def record(session: Session, platform: str, erased: Erased, now: datetime) -> None:
    """The audit entry of an erasure: the platform and the counts, never who."""
    session.add(
        AuditEntry(at=now, platform=platform, user_id=FORGOTTEN, action="forget", detail=erased.summary(), outcome="ok")
    )
