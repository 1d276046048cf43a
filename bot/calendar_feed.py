"""Personal calendars: the agenda as .ics (``/ics``) and as a feed calendar apps subscribe to.

A feed is addressed by an unguessable per-user token (``secrets.token_urlsafe``, 192 bits),
stored in ``calendar_feeds``; the feed is built on every fetch, so it follows the user's
subscriptions, language and reminder lead time.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import subscriptions
from bot.content.ical import calendar_bytes
from bot.content.programme import Programme
from bot.content.schema import Talk
from bot.i18n import register, t
from bot.storage.models import CalendarFeed, User

TOKEN_BYTES = 24
FEED_PATH = "/calendar/{token}.ics"

register({"ics.name": {"zh": "我的日程", "en": "My agenda"}})


def my_talks(session: Session, programme: Programme, user: User) -> list[Talk]:
    """The user's subscribed talks that exist, in time order (unscheduled last)."""
    talks = [programme.talk(i) for i in subscriptions.subscribed_ids(session, user)]
    return sorted((x for x in talks if x is not None), key=lambda x: (x.start.isoformat() if x.start else "9", x.id))


def agenda_ics(programme: Programme, talks: list[Talk], user: User, stamp: datetime) -> bytes:
    """The user's agenda in their language, with an alarm at their lead time when reminders are on."""
    lead = user.lead_minutes if user.reminders_on else None
    name = t(user.language, "ics.name")
    return calendar_bytes(programme, talks, user.language, name=name, stamp=stamp, alarm_minutes=lead)


def token_for(session: Session, user: User, now: datetime) -> str:
    """The user's feed token, made on first use."""
    feed = session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(TOKEN_BYTES), created_at=now)
        session.add(feed)
        session.flush()
    return feed.token


def feed_url(public_url: str, token: str) -> str:
    """The address a calendar app subscribes to."""
    return public_url.rstrip("/") + FEED_PATH.format(token=token)


def feed_ics(session: Session, programme: Programme, token: str, now: datetime) -> bytes | None:
    """The agenda of the user holding ``token``, or None for a token nobody holds."""
    if not token or len(token) > 64:
        return None
    user = session.scalar(
        select(User).join(CalendarFeed, CalendarFeed.user_id == User.id).where(CalendarFeed.token == token)
    )
    if user is None:
        return None
    return agenda_ics(programme, my_talks(session, programme, user), user, now)
