"""Questions from the audience to a talk: asking (window, limits), 👍 votes, ranking, moderation.

Storage and rules only; :mod:`bot.features.questions.commands` renders them. A question is ``open``,
``answered`` or ``hidden``; a pinned open question comes first, then the most voted, then the
oldest. The asker is stored but shown to moderators only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.programme.content.schema import Talk
from bot.storage.db import insert_for
from bot.storage.models import Question, QuestionVote, User

OPENS_BEFORE = timedelta(minutes=30)  # asking opens this long before the talk starts
CLOSES_AFTER = timedelta(minutes=15)  # and closes this long after it ends
MAX_PER_TALK = 3  # questions one person may ask one talk (hidden ones count)
MAX_CHARS = 300  # one question
MIN_CHARS = 3
FLOOD_GAP = timedelta(seconds=30)  # one person's questions, to any talk, at least this far apart

Refusal = Literal["cancelled", "unscheduled", "too_early", "too_late", "too_long", "too_short", "limit", "flood"]
Moderation = Literal["hide", "answered", "pin", "unpin", "reopen"]


@dataclass(frozen=True)
class Refused:
    """Why a question was not taken, with what the answer needs (a time, a number of seconds)."""

    reason: Refusal
    at: datetime | None = None
    seconds: int = 0


@dataclass(frozen=True)
class Ranked:
    """A question as listed: its row's values, its votes and whether the viewer voted."""

    id: int
    talk_id: int
    text: str
    state: str
    pinned: bool
    votes: int
    voted: bool
    asker: str  # "name (platform:user_id)": for moderators only
    mine: bool


def window(talk: Talk) -> tuple[datetime, datetime] | None:
    """When questions to ``talk`` are taken, or None for a talk without a time."""
    if talk.start is None:
        return None
    end = talk.end or talk.start
    return talk.start - OPENS_BEFORE, end + CLOSES_AFTER


def closed(talk: Talk, now: datetime) -> Refused | None:
    """Why ``talk`` takes no questions at ``now``, or None while it does."""
    if talk.cancelled:
        return Refused("cancelled")
    span = window(talk)
    if span is None:
        return Refused("unscheduled")
    if now < span[0]:
        return Refused("too_early", at=span[0])
    if now > span[1]:
        return Refused("too_late", at=span[1])
    return None


def ask(session: Session, user: User, talk: Talk, text: str, now: datetime) -> Question | Refused:
    """Store ``user``'s question to ``talk``, or say why not (checked in the order a user can fix)."""
    refused = closed(talk, now)
    if refused is not None:
        return refused
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:
        return Refused("too_long", seconds=len(text))
    if len(text) < MIN_CHARS:
        return Refused("too_short")
    asked = session.scalar(
        select(func.count()).select_from(Question).where(Question.talk_id == talk.id, Question.user_id == user.id)
    )
    if (asked or 0) >= MAX_PER_TALK:
        return Refused("limit")
    last = session.scalar(select(func.max(Question.created_at)).where(Question.user_id == user.id))
    if last is not None and now - last < FLOOD_GAP:
        wait = FLOOD_GAP - (now - last)
        return Refused("flood", seconds=max(1, int(wait.total_seconds() + 0.999)))
    question = Question(talk_id=talk.id, user_id=user.id, text=text, created_at=now, state="open", pinned=False)
    session.add(question)
    session.flush()
    return question


def vote(session: Session, user: User, question_id: int, now: datetime) -> Question | None:
    """Record ``user``'s 👍 on an open question (a second press changes nothing); None if it is
    not open (hidden, answered, or no such question)."""
    question = session.get(Question, question_id)
    if question is None or question.state != "open":
        return None
    insert = insert_for(session)
    stmt = insert(QuestionVote).values(question_id=question_id, user_id=user.id, created_at=now)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["question_id", "user_id"]))
    return question


def moderate(session: Session, question_id: int, action: Moderation) -> Question | None:
    """Hide, mark answered, pin, unpin or reopen a question; None if there is no such question."""
    question = session.get(Question, question_id)
    if question is None:
        return None
    if action == "hide":
        question.state, question.pinned = "hidden", False
    elif action == "answered":
        question.state, question.pinned = "answered", False
    elif action == "reopen":
        question.state = "open"
    else:
        question.pinned = action == "pin"
        if question.pinned:
            question.state = "open"
    session.flush()
    return question


def get(session: Session, question_id: int) -> Question | None:
    """The question with this id, or None."""
    return session.get(Question, question_id)


def ranked(session: Session, talk_id: int, viewer: User | None, *, states: tuple[str, ...] = ("open",)) -> list[Ranked]:
    """The talk's questions in ``states``: pinned first, then by votes, then oldest first."""
    votes = (
        select(QuestionVote.question_id, func.count().label("n"))
        .join(Question, Question.id == QuestionVote.question_id)
        .where(Question.talk_id == talk_id)
        .group_by(QuestionVote.question_id)
        .subquery()
    )
    viewer_id = viewer.id if viewer is not None else -1  # None: nobody's votes are marked
    mine = select(QuestionVote.question_id).where(QuestionVote.user_id == viewer_id)
    rows = session.execute(
        select(
            Question,
            func.coalesce(votes.c.n, 0),
            User.display_name,
            User.platform,
            User.platform_user_id,
            Question.id.in_(mine),
        )
        .join(User, User.id == Question.user_id)
        .outerjoin(votes, votes.c.question_id == Question.id)
        .where(Question.talk_id == talk_id, Question.state.in_(states))
    ).all()
    out = [
        Ranked(
            q.id,
            q.talk_id,
            q.text,
            q.state,
            q.pinned,
            int(n),
            bool(voted),
            f"{name or uid} ({platform}:{uid})",
            q.user_id == viewer_id,
        )
        for q, n, name, platform, uid, voted in rows
    ]
    out.sort(key=lambda r: (not r.pinned, r.state != "open", -r.votes, r.id))
    return out


def counts(session: Session, talk_id: int) -> dict[str, int]:
    """How many of the talk's questions are in each state."""
    rows = session.execute(
        select(Question.state, func.count()).where(Question.talk_id == talk_id).group_by(Question.state)
    ).all()
    return {state: int(n) for state, n in rows}


ON_SCREEN = 5  # the top questions a room screen shows (as many as the stage list, /questions <id> top)


def screen_talk(current: Talk | None, previous: Talk | None, coming: Talk | None, now: datetime) -> Talk | None:
    """The talk whose questions a room's screen shows at ``now``: the talk on, else the one that just
    ended while it still takes questions (its Q&A runs on), else the next one there."""
    if current is not None:
        return current
    if previous is not None and closed(previous, now) is None:
        return previous
    return coming


def top(session: Session, talk_id: int, limit: int = ON_SCREEN) -> list[Ranked]:
    """The talk's top open questions as everyone sees them (pinned first, then by votes), for a screen."""
    return ranked(session, talk_id, None)[:limit]
