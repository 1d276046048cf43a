"""Live polls: the poll rows, the votes from every platform, and the posts into the room's chats.

A poll belongs to a talk and closes at its end. Each person has one vote per poll (``platform`` +
their platform user id), a new vote moving it; votes from Telegram's native poll, Slack's buttons and
the web pages land in the same table, so :func:`tally` is the merged result.

The limits are Telegram's, so that a poll fits a native one everywhere
(https://core.telegram.org/bots/api#sendpoll: question 1-300 characters, 1-12 options of 1-100
characters each; a poll of one option asks nothing, so at least two).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.features.announce import push as announcements
from bot.programme.content.schema import Talk
from bot.storage.models import AnnounceChannel, Poll, PollPost, PollVote, User

KIND = "poll"
MAX_QUESTION, MAX_OPTION = 300, 100
MIN_OPTIONS, MAX_OPTIONS = 2, 12


class PollError(ValueError):
    """A poll that can't be made or a vote that can't be counted: ``key`` is the catalog string."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Tally:
    """A poll's merged result: votes per option, in option order."""

    poll: Poll
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Everyone who voted."""
        return sum(self.counts)


def parse(text: str) -> tuple[str, list[str]]:
    """``question | option | option …`` checked against the limits; raises :class:`PollError`."""
    parts = [part.strip() for part in text.split("|")]
    question, options = parts[0], [p for p in parts[1:] if p]
    if not question or len(options) < MIN_OPTIONS:
        raise PollError("poll.usage")
    if len(question) > MAX_QUESTION:
        raise PollError("poll.question_too_long", limit=MAX_QUESTION)
    if len(options) > MAX_OPTIONS:
        raise PollError("poll.too_many_options", limit=MAX_OPTIONS)
    if any(len(option) > MAX_OPTION for option in options):
        raise PollError("poll.option_too_long", limit=MAX_OPTION)
    if len({o.casefold() for o in options}) < len(options):
        raise PollError("poll.same_option")
    return question, options


def create(session: Session, talk: Talk, question: str, options: list[str], who: str, now: datetime) -> Poll:
    """A new poll on ``talk`` closing at its end, posted to the room's announcement chats."""
    if talk.end is None or talk.cancelled:
        raise PollError("poll.not_scheduled")
    if talk.end <= now:
        raise PollError("poll.talk_over")
    poll = Poll(talk_id=talk.id, question=question, options=options, created_by=who, created_at=now, closes_at=talk.end)
    session.add(poll)
    session.flush()
    return poll


def post(session: Session, poll: Poll, room: str | None, now: datetime) -> int:
    """Queue the poll to every active chat announcing ``room`` (or all rooms); returns the posts queued."""
    modes = [announcements.ALL] + ([f"{announcements.ROOM_PREFIX}{room}"] if room else [])
    chats = session.scalars(
        select(User)
        .join(AnnounceChannel, AnnounceChannel.user_id == User.id)
        .where(AnnounceChannel.active.is_(True), User.active.is_(True), AnnounceChannel.mode.in_(modes))
    )
    payload = {
        "poll": poll.id,
        "talk": poll.talk_id,
        "question": poll.question,
        "options": list(poll.options),
        "closes_at": poll.closes_at.isoformat(),
    }
    return sum(
        outbox.enqueue(
            session,
            recipient_id=chat.id,
            kind=KIND,
            key=f"{KIND}:{poll.id}",
            due_at=now,
            expires_at=poll.closes_at,
            payload=payload,
            now=now,
        )
        for chat in chats
    )


def find(session: Session, poll_id: str) -> Poll | None:
    """The poll with this id (``12``), or the one a platform posted as ``<platform>:<its id>``."""
    if ":" in poll_id:
        platform, _, ref = poll_id.partition(":")
        mapped = session.scalar(select(PollPost.poll_id).where(PollPost.platform == platform, PollPost.ref == ref))
        return session.get(Poll, mapped) if mapped is not None else None
    return session.get(Poll, int(poll_id)) if poll_id.isdigit() else None


def remember_post(session: Session, poll_id: int, platform: str, ref: str) -> None:
    """Note that ``platform`` posted the poll natively as ``ref``, so its answers find the poll."""
    if session.get(PollPost, (platform, ref)) is None and session.get(Poll, poll_id) is not None:
        session.add(PollPost(platform=platform, ref=ref, poll_id=poll_id))


def vote(session: Session, poll: Poll, platform: str, voter: str, option: int | None, now: datetime) -> None:
    """Count ``voter``'s vote for ``option`` (0-based), moving an earlier one; None takes it back."""
    if now >= poll.closes_at:
        raise PollError("poll.closed")
    if option is not None and not 0 <= option < len(poll.options):
        raise PollError("poll.no_such_option")
    row = session.get(PollVote, (poll.id, platform, voter))
    if option is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(PollVote(poll_id=poll.id, platform=platform, voter=voter, option=option, voted_at=now))
    else:
        row.option, row.voted_at = option, now


def tally(session: Session, poll: Poll) -> Tally:
    """The merged counts of every platform's votes."""
    rows = session.execute(
        select(PollVote.option, func.count()).where(PollVote.poll_id == poll.id).group_by(PollVote.option)
    )
    per = {option: count for option, count in rows}
    return Tally(poll, tuple(per.get(i, 0) for i in range(len(poll.options))))


def open_poll(session: Session, talk_id: int, now: datetime) -> Poll | None:
    """The talk's newest poll still open (the room screen shows it)."""
    return session.scalar(
        select(Poll).where(Poll.talk_id == talk_id, Poll.closes_at > now).order_by(Poll.id.desc()).limit(1)
    )


def erase_votes(session: Session, platform: str, voter: str) -> int:
    """Delete one person's votes (``/forget``)."""
    result = session.execute(delete(PollVote).where(PollVote.platform == platform, PollVote.voter == voter))
    return int(getattr(result, "rowcount", 0) or 0)
