"""Event statistics for organizers: who uses the bot, which talks draw a crowd, how pushes went.

:func:`collect` reads everything in one session and returns a :class:`Stats`, which both the
``/stats`` chat reply and ``confbot stats --json`` render. People only: a group or channel that
receives posts (``User.kind == "channel"``) is never counted as a user or a subscriber.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.features.faq import misses as faq
from bot.features.faq.misses import Miss
from bot.features.feedback import ratings as feedback
from bot.features.feedback.ratings import TalkRatings
from bot.features.helpdesk import tickets as helpdesk
from bot.features.helpdesk.tickets import TicketCounts
from bot.features.privacy.erase import FORGOTTEN
from bot.programme.content.programme import Programme
from bot.storage.models import Broadcast, OutboxMessage, Subscription, User

if TYPE_CHECKING:
    from bot.host import Host

PERSON = "person"
BROADCAST_KEY = "broadcast:{id}"  # the key of every recipient's outbox row of broadcast <id>


@dataclass(frozen=True)
class PlatformUsers:
    """People on one platform, by language."""

    platform: str
    total: int
    languages: dict[str, int]  # "zh" | "en" -> people


@dataclass(frozen=True)
class TalkSubscriptions:
    """A talk and how many people starred it, with where and when it runs (from the programme)."""

    talk_id: int
    subscribers: int
    title: str  # "" when the talk is no longer in the programme
    title_en: str | None
    room_id: str | None
    room: str | None  # the room's name; None when it has none
    room_en: str | None
    start: datetime | None
    cancelled: bool
    in_programme: bool


@dataclass(frozen=True)
class PushCounts:
    """Outbox rows of one kind by outcome. ``pending`` includes rows being sent right now."""

    sent: int = 0
    pending: int = 0
    failed: int = 0
    missed: int = 0  # expired before they could be sent
    blocked: int = 0  # the recipient had blocked the bot
    unreachable: int = 0  # the platform allowed no message then (outside WeChat's window)


@dataclass(frozen=True)
class BroadcastOutcome:
    """One broadcast: what the organizer confirmed, and how its outbox rows stand."""

    id: int
    created_by: str
    created_at: datetime
    audience: str
    text: str
    recipients: int
    status: str  # sending | done
    completed_at: datetime | None
    sent: int
    pending: int  # queued or being sent
    failed: int  # failed (gave up) or missed (expired)
    blocked: int  # blocked, or cancelled because the recipient blocked the bot meanwhile
    unreachable: int = 0  # the platform allowed no message then (outside WeChat's window)


@dataclass(frozen=True)
class Stats:
    """Everything ``/stats`` and ``confbot stats`` show."""

    users: int
    active: int
    blocked: int
    platforms: tuple[PlatformUsers, ...]  # most people first
    subscriptions: int
    talks: tuple[TalkSubscriptions, ...]  # talks with subscribers, most subscribed first
    reminders: PushCounts
    broadcasts: tuple[BroadcastOutcome, ...]  # newest first
    ratings: tuple[TalkRatings, ...] = ()  # rated talks, best mean first (bot/features/feedback/ratings.py)
    tickets: TicketCounts = TicketCounts()  # the helpdesk (bot/features/helpdesk/tickets.py)
    unanswered: tuple[Miss, ...] = ()  # plain-text questions that found nothing, most asked first (faq)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 UTC strings)."""
        return _jsonable(asdict(self))  # type: ignore[no-any-return]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _users(session: Session) -> tuple[int, int, int, tuple[PlatformUsers, ...]]:
    """Active and blocked people, and people per platform and language (not what /forget left)."""
    rows = session.execute(
        select(User.platform, User.language, User.active, func.count())
        .where(User.kind == PERSON, User.platform != FORGOTTEN)
        .group_by(User.platform, User.language, User.active)
    ).all()
    active = blocked = 0
    by_platform: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for platform, language, is_active, count in rows:
        if is_active:
            active += count
        else:
            blocked += count
        by_platform[platform][language] += count
    platforms = tuple(
        sorted(
            (PlatformUsers(p, sum(langs.values()), dict(sorted(langs.items()))) for p, langs in by_platform.items()),
            key=lambda p: (-p.total, p.platform),
        )
    )
    return active + blocked, active, blocked, platforms


def subscriber_counts(session: Session) -> dict[int, int]:
    """How many people starred each talk that anyone starred, most first (ties by talk id)."""
    count = func.count(Subscription.id)
    rows = session.execute(
        select(Subscription.talk_id, count)
        .join(User, User.id == Subscription.user_id)
        .where(User.kind == PERSON)
        .group_by(Subscription.talk_id)
        .order_by(count.desc(), Subscription.talk_id)
    ).all()
    return {talk_id: subscribers for talk_id, subscribers in rows}


def _talks(session: Session, programme: Programme) -> tuple[TalkSubscriptions, ...]:
    """Talks with at least one subscriber, ranked (ties by talk id)."""
    ranked = []
    for talk_id, subscribers in subscriber_counts(session).items():
        talk = programme.talk(talk_id)
        room = programme.room(talk.room) if talk is not None else None
        ranked.append(
            TalkSubscriptions(
                talk_id=talk_id,
                subscribers=subscribers,
                title=talk.title if talk else "",
                title_en=talk.title_en if talk else None,
                room_id=talk.room if talk else None,
                room=room.name if room else (talk.room if talk else None),
                room_en=room.name_en if room else None,
                start=talk.start if talk else None,
                cancelled=talk.cancelled if talk else False,
                in_programme=talk is not None,
            )
        )
    return tuple(ranked)


def _bucket(statuses: dict[str, int]) -> dict[str, int]:
    """Outbox statuses folded into sent / pending / failed / missed / blocked / unreachable."""
    return {
        "sent": statuses.get(outbox.SENT, 0),
        "pending": statuses.get(outbox.PENDING, 0) + statuses.get(outbox.SENDING, 0),
        "failed": statuses.get(outbox.FAILED, 0),
        "missed": statuses.get(outbox.MISSED, 0),
        "blocked": statuses.get(outbox.BLOCKED, 0),
        "unreachable": statuses.get(outbox.UNREACHABLE, 0),
    }


def _reminders(session: Session) -> PushCounts:
    """Reminder rows by outcome (cancelled ones, e.g. after an unsubscribe, are left out)."""
    rows = session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.kind == "reminder")
        .group_by(OutboxMessage.status)
    ).all()
    return PushCounts(**_bucket({status: n for status, n in rows}))


def _broadcasts(session: Session) -> tuple[BroadcastOutcome, ...]:
    """Every broadcast, newest first, with its outbox rows (keys ``broadcast:<id>``) by outcome."""
    found = list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc())))
    if not found:
        return ()
    keys = {BROADCAST_KEY.format(id=b.id): b.id for b in found}
    statuses: dict[int, dict[str, int]] = defaultdict(dict)
    rows = session.execute(
        select(OutboxMessage.key, OutboxMessage.status, func.count())
        .where(OutboxMessage.key.in_(list(keys)))
        .group_by(OutboxMessage.key, OutboxMessage.status)
    ).all()
    for key, status, n in rows:
        statuses[keys[key]][status] = n
    out = []
    for b in found:
        counts = _bucket(statuses[b.id])  # folded as /broadcast status folds them
        out.append(
            BroadcastOutcome(
                id=b.id,
                created_by=b.created_by,
                created_at=b.created_at,
                audience=b.audience,
                text=b.text,
                recipients=b.recipients,
                status=b.status,
                completed_at=b.completed_at,
                sent=counts["sent"],
                pending=counts["pending"],
                failed=counts["failed"] + counts["missed"],
                blocked=counts["blocked"] + statuses[b.id].get(outbox.CANCELLED, 0),
                unreachable=counts["unreachable"],
            )
        )
    return tuple(out)


def collect(session: Session, programme: Programme) -> Stats:
    """Read the statistics (a handful of grouped queries; nothing is loaded per user)."""
    users, active, blocked, platforms = _users(session)
    talks = _talks(session, programme)
    return Stats(
        users=users,
        active=active,
        blocked=blocked,
        platforms=platforms,
        subscriptions=sum(t.subscribers for t in talks),
        talks=talks,
        reminders=_reminders(session),
        broadcasts=_broadcasts(session),
        ratings=feedback.summary(session, programme),
        tickets=helpdesk.counts(session),
        unanswered=faq.most_asked(session),
    )


def gather(host: Host) -> Stats:
    """:func:`collect` in a session of its own, against the core's current programme (``confbot stats``)."""
    with host.db.session() as session:
        return collect(session, host.programme)
