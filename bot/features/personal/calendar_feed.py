"""Personal calendars: the agenda as .ics (``/ics``) and as a feed calendar apps subscribe to.

A feed is addressed by an unguessable per-user token (``secrets.token_urlsafe``, 192 bits),
stored in ``calendar_feeds``; the feed is built on every fetch, so it follows the user's
subscriptions, language and reminder lead time. A deactivated user's feed answers 404, and
``/ics reset`` gives the user a new token (the old URL stops working at once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.features.personal import subscriptions, tokens
from bot.i18n import t
from bot.programme.content.ical import calendar_bytes
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.storage.models import CalendarFeed, User

FEED_PATH = "/calendar/{token}.ics"


def my_talks(session: Session, programme: Programme, user: User) -> list[Talk]:
    """The user's subscribed talks that exist, in time order (unscheduled last).

    Ordered by the instant: a moved talk's time comes back from the database in UTC while the content's
    is in the conference zone, so their text would sort 02:40+00:00 before 10:00+08:00.
    """
    talks = [x for x in (programme.talk(i) for i in subscriptions.subscribed_ids(session, user)) if x is not None]
    return sorted(talks, key=lambda x: (x.start is None, x.start.timestamp() if x.start else 0.0, x.id))


def agenda_ics(programme: Programme, talks: list[Talk], user: User, stamp: datetime) -> bytes:
    """The user's agenda in their language, with an alarm at their lead time when reminders are on."""
    lead = user.lead_minutes if user.reminders_on else None
    name = t(user.language, "ics.name")
    return calendar_bytes(programme, talks, user.language, name=name, stamp=stamp, alarm_minutes=lead)


def token_for(session: Session, user: User, now: datetime) -> str:
    """The user's feed token, made on first use (once, even when two replicas make it at the same time)."""
    return tokens.token_for(session, CalendarFeed, user, now)


def reset_token(session: Session, user: User, now: datetime) -> str:
    """A new token for the user: the old feed URL stops working."""
    return tokens.reset_token(session, CalendarFeed, user, now)


def feed_url(public_url: str, token: str) -> str:
    """The address a calendar app subscribes to."""
    return public_url.rstrip("/") + FEED_PATH.format(token=token)


def feed_ics(session: Session, programme: Programme, token: str, now: datetime) -> bytes | None:
    """The agenda of the active user holding ``token``, or None (404) for a token nobody active holds."""
    user = tokens.holder(session, CalendarFeed, token)
    if user is None:
        return None
    return agenda_ics(programme, my_talks(session, programme, user), user, now)
