"""Planning "starting soon" reminders into the outbox.

A reminder is due ``lead`` minutes before its talk and expires when the talk starts (after
that it is recorded as missed, never sent late). Big talks start early: a platform sends at a
limited rate, so the k-th subscriber's reminder is due ``k / rate`` seconds (plus a margin)
before the lead time, and the last one still arrives before the lead time runs out.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.chat.messages import Button, Reply, ReplyBuilder, bold
from bot.delivery import outbox
from bot.delivery.renderers import PushContext, renderer
from bot.delivery.sender import SendRates
from bot.i18n import t
from bot.programme.cards import room_name, stream_link, title_of
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.timefmt import format_time
from bot.storage.models import OutboxMessage, Subscription, User

KIND = "reminder"
FANOUT_MARGIN = 1.15  # head room over the pure rate budget (retries, latency)
MIN_ADVANCE = timedelta(seconds=1)  # even the first reminder leaves a second early
CHUNK = 500  # user ids per statement when re-planning a whole talk (bound parameters)


def key_for(talk: Talk) -> str:
    """The idempotency key: one reminder per talk per start time."""
    assert talk.start is not None
    return f"{KIND}:{talk.id}:{talk.start.isoformat()}"


def key_prefix(talk_id: int) -> str:
    """Prefix shared by every reminder key of a talk, whatever its start."""
    return f"{KIND}:{talk_id}:"


def fanout_advance(rank: int, rate_per_second: float | None) -> timedelta:
    """How much earlier than the lead time the ``rank``-th (1-based) reminder is due.

    The k-th message leaves about k / rate seconds after sending starts, so it is due that much
    (plus a margin, rounded up to a whole second) before the lead time: the last one planned
    still arrives before the lead time runs out. With no known rate (no sender for the
    platform in this process) only the one-second latency margin remains.
    """
    if rate_per_second is None or rate_per_second <= 0:
        return MIN_ADVANCE
    return max(MIN_ADVANCE, timedelta(seconds=math.ceil(max(1, rank) / rate_per_second * FANOUT_MARGIN)))


def _rank(session: Session, user: User, talk_id: int) -> int:
    """This user's position among the talk's subscribers on the same platform."""
    mine = session.scalar(
        select(Subscription.id).where(Subscription.user_id == user.id, Subscription.talk_id == talk_id)
    )
    if mine is None:
        return 1
    return int(
        session.scalar(
            select(func.count())
            .select_from(Subscription)
            .join(User, User.id == Subscription.user_id)
            .where(Subscription.talk_id == talk_id, User.platform == user.platform, Subscription.id <= mine)
        )
        or 1
    )


def cancel_for_user(session: Session, user: User, talk_id: int | None = None, *, reason: str) -> int:
    """Cancel a user's pending reminders (for one talk, or all)."""
    conditions = [OutboxMessage.recipient_id == user.id, OutboxMessage.kind == KIND]
    if talk_id is not None:
        conditions.append(OutboxMessage.key.startswith(key_prefix(talk_id)))
    return outbox.cancel_pending(session, *conditions, reason=reason)


def cancel_for_talk(session: Session, talk_id: int, *, reason: str) -> int:
    """Cancel every pending reminder of a talk (it moved or was cancelled)."""
    return outbox.cancel_pending(
        session, OutboxMessage.kind == KIND, OutboxMessage.key.startswith(key_prefix(talk_id)), reason=reason
    )


def replan_user(session: Session, user: User, programme: Programme, *, now: datetime, rates: SendRates) -> int:
    """Re-plan all of a user's reminders (lead time changed, reminders back on)."""
    cancel_for_user(session, user, reason="re-planned")
    talk_ids = session.scalars(select(Subscription.talk_id).where(Subscription.user_id == user.id))
    planned = 0
    for talk_id in talk_ids:
        talk = programme.talk(talk_id)
        if talk is not None:
            planned += plan(session, user, talk, now=now, rates=rates)
    return planned


def plan(session: Session, user: User, talk: Talk, *, now: datetime, rates: SendRates) -> int:
    """Plan one subscriber's reminder if it is still useful; 1 if one is now pending.

    A cancelled reminder with the same key (unsubscribed, then subscribed again) is revived;
    one already sent for this start time is never planned again.
    """
    if talk.start is None or talk.cancelled or not user.active or not user.reminders_on or talk.start <= now:
        return 0
    advance = fanout_advance(_rank(session, user, talk.id), rates.of(user.platform))
    due = talk.start - timedelta(minutes=user.lead_minutes) - advance
    if outbox.enqueue(
        session,
        recipient_id=user.id,
        kind=KIND,
        key=key_for(talk),
        due_at=due,
        payload={"talk": talk.id, "start": talk.start.isoformat()},
        expires_at=talk.start,
        now=now,
    ):
        return 1
    return int(outbox.revive(session, recipient_id=user.id, key=key_for(talk), due_at=due))


def replan_talk(session: Session, talk: Talk, *, now: datetime, rates: SendRates) -> int:
    """Plan reminders for every subscriber of a (moved) talk; the number now pending.

    Set-wise, so a move of a talk with 10 000 subscribers is a few hundred statements, not one
    rank query per subscriber: ranks are counted in one pass over the subscriptions (in order, per
    platform, as :func:`_rank` counts them), and the subscribers who share a due time (the fan-out
    advance is whole seconds) are re-timed and queued together.
    """
    if talk.start is None or talk.cancelled or talk.start <= now:
        return 0
    rows = session.execute(
        select(User.id, User.platform, User.active, User.reminders_on, User.lead_minutes)
        .join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.talk_id == talk.id)
        .order_by(Subscription.id)
    )
    ranks: Counter[str] = Counter()
    by_due: dict[datetime, list[int]] = defaultdict(list)
    for user_id, platform, active, reminders_on, lead_minutes in rows:
        ranks[platform] += 1
        if active and reminders_on:
            advance = fanout_advance(ranks[platform], rates.of(platform))
            by_due[talk.start - timedelta(minutes=lead_minutes) - advance].append(user_id)
    key = key_for(talk)
    planned = 0
    for due, user_ids in by_due.items():
        for chunk in (user_ids[i : i + CHUNK] for i in range(0, len(user_ids), CHUNK)):
            planned += outbox.revive_many(session, recipient_ids=chunk, key=key, due_at=due)
            planned += outbox.enqueue_many(
                session,
                select(User.id).where(User.id.in_(chunk)),
                kind=KIND,
                key=key,
                due_at=due,
                payload={"talk": talk.id, "start": talk.start.isoformat()},
                expires_at=talk.start,
                now=now,
            )
    return planned


@renderer(KIND)
def render(push: PushContext) -> Reply | None:
    """ "Starting in N minutes", from the current programme (None once the talk has no start)."""
    talk = push.talk()
    if talk is None or talk.start is None:
        return None
    lang, programme = push.lang, push.programme
    minutes = max(1, round((talk.start - push.now).total_seconds() / 60))
    head = t(lang, "reminder.one_minute") if minutes == 1 else t(lang, "reminder.soon", minutes=minutes)
    b = ReplyBuilder().line(head).line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    when = format_time(talk.start, programme.tz)
    b.line(t(lang, "reminder.where", room=room_name(programme, talk.room, lang), time=when))
    watch = stream_link(programme, talk.room, lang)
    if watch is not None:
        b.line(watch)
    buttons = (
        (
            Button(t(lang, "button.unsubscribe"), f"unsub {talk.id}"),
            Button(t(lang, "button.open_talk"), f"talk {talk.id}"),
        ),
    )
    return dataclasses.replace(b.build(buttons=buttons), about=f"talk:{talk.id}")
