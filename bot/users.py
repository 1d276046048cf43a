"""Users: created on first contact, with language and reminder preferences."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.i18n import language_for_locale
from bot.messages import Address, Request
from bot.storage.models import User

LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # last_seen is refreshed at most this often


def find(session: Session, platform: str, platform_user_id: str) -> User | None:
    """The stored user, or None."""
    return session.scalar(select(User).where(User.platform == platform, User.platform_user_id == platform_user_id))


def add_once(session: Session, user: User) -> User:
    """Store a new ``user``; if another replica stored the same (platform, id) first, that row."""
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # another replica created it concurrently
        stored = find(session, user.platform, user.platform_user_id)
        assert stored is not None
        return stored
    return user


def touch(session: Session, request: Request, now: datetime, default_lead: int = 10) -> tuple[User, bool]:
    """Fetch or create the user behind a request and refresh address and locale.

    Returns the user and whether they were reactivated: a user who writes again after
    blocking the bot is active again. An explicit ``/lang`` choice wins over the locale.
    """
    addr = request.address
    keep_address = request.is_group or request.background  # pushes go to the private chat
    user = find(session, addr.platform, addr.user_id)
    if user is None:
        user = User(
            platform=addr.platform,
            platform_user_id=addr.user_id,
            # pushes go to the private chat; from a group we only know the user's id
            chat_id=addr.user_id if keep_address else addr.chat_id,
            thread=None if keep_address else addr.thread,
            display_name=request.display_name,
            language=language_for_locale(request.locale),
            language_set=False,
            first_seen=now,
            last_seen=now,
            active=True,
            reminders_on=True,
            lead_minutes=default_lead,
        )
        return add_once(session, user), False
    # assign only what changed: most messages then write nothing at all
    if not keep_address and (user.chat_id, user.thread) != (addr.chat_id, addr.thread):
        user.chat_id, user.thread = addr.chat_id, addr.thread  # pushes go to the private chat
    if request.locale and not user.language_set and user.language != language_for_locale(request.locale):
        user.language = language_for_locale(request.locale)
    if request.display_name and user.display_name != request.display_name:
        user.display_name = request.display_name
    if now - user.last_seen >= LAST_SEEN_RESOLUTION:
        user.last_seen = now
    reactivated = not user.active
    user.active = True
    return user, reactivated


def address_of(user: User) -> Address:
    """Where pushes for this user go."""
    return Address(user.platform, user.platform_user_id, user.chat_id, user.thread)
