"""Users: created on first contact, with language and reminder preferences."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Exists, Row, Table, bindparam, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.orm.util import identity_key

from bot.chat.messages import Request
from bot.i18n import language_for_locale
from bot.storage.models import PendingInput, User

LAST_SEEN_RESOLUTION = timedelta(minutes=1)  # last_seen is refreshed at most this often
WEB = "web"  # the platform of an attendee who has only a personal web page (no chat account)
PAGE_ONLY = frozenset({WEB})  # platforms nothing can be pushed to


def find(session: Session, platform: str, platform_user_id: str) -> User | None:
    """The stored user, or None."""
    _flush_first(session)
    row = session.execute(_BY_ADDRESS, {"platform": platform, "user_id": platform_user_id}).one_or_none()
    return None if row is None else _persistent(session, row)


def add_once(session: Session, user: User) -> User:
    """Store a new ``user``; if another replica stored the same (platform, id) first, that row.

    One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (no savepoint): a first message costs one
    round trip more than any other.
    """
    values = {c.key: getattr(user, c.key) for c in _USERS.columns if getattr(user, c.key) is not None}
    _flush_first(session)
    row = session.execute(_INSERT[session.get_bind().dialect.name], values).one_or_none()
    if row is None:  # another replica created it concurrently
        stored = find(session, user.platform, user.platform_user_id)
        assert stored is not None
        return stored
    return _persistent(session, row)


def _flush_first(session: Session) -> None:
    """Autoflush, as an ORM query would: a Core statement does not (and a clean session flushes nothing)."""
    if session.autoflush:
        session.flush()


def _persistent(session: Session, row: Row[Any]) -> User:
    """The user of a row read with Core, as the session's persistent instance.

    Core rows skip the ORM's per-query compile and loading steps (a first contact's ORM insert cost
    1.5 ms of CPU more). The instance the session already holds for that id wins, as in an ORM
    query; else a new one is attached with no history, so only attributes changed later are
    written (an UPDATE at flush).
    """
    values = dict(zip(_KEYS, row, strict=False))  # the user's columns come first (then "awaiting")
    held = session.identity_map.get(identity_key(User, values["id"]))
    if held is not None:
        return held
    user = _USER_CLASS.new_instance()  # as the ORM's loading does: no attribute events, no history
    instance_dict(user).update(values)
    make_transient_to_detached(user)  # every attribute as loaded: an unchanged user writes nothing
    session.add(user)
    return user


class Touched(NamedTuple):
    """The user behind a request, whether they were reactivated, and whether an input is awaited."""

    user: User
    reactivated: bool
    awaiting: bool = False


def _awaiting(user_id: ColumnElement[str]) -> Exists:
    return exists().where(
        _PENDING.c.platform == bindparam("platform"),
        _PENDING.c.user_id == user_id,
        _PENDING.c.chat_id == bindparam("chat"),
    )


# built once: composing a statement costs about as much as running it on SQLite. Core statements over
# the tables: an ORM-enabled one costs the ORM's compile and loading steps on every run
_USERS = cast(Table, User.__table__)
_PENDING = cast(Table, PendingInput.__table__)
_KEYS = tuple(c.key for c in _USERS.columns)
_USER_CLASS = manager_of_class(User)
_BY_ADDRESS = select(*_USERS.columns).where(
    _USERS.c.platform == bindparam("platform"), _USERS.c.platform_user_id == bindparam("user_id")
)
_BY_ADDRESS_AWAITING = _BY_ADDRESS.add_columns(_awaiting(_USERS.c.platform_user_id).label("awaiting"))
_AWAITING = select(_awaiting(bindparam("user_id")))
# the values come as parameters (the columns left out get their defaults), by dialect: one with ON CONFLICT
_INSERT = {
    "postgresql": postgresql.insert(_USERS)
    .on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
    .returning(*_USERS.columns),
    "sqlite": sqlite.insert(_USERS)
    .on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
    .returning(*_USERS.columns),
}


def touch(
    session: Session,
    request: Request,
    now: datetime,
    default_lead: int = 10,
    *,
    awaiting_in: str | None = None,
) -> Touched:
    """Fetch or create the user behind a request and refresh address and locale.

    Returns the user and whether they were reactivated: a user who writes again after
    blocking the bot is active again. An explicit ``/lang`` choice wins over the locale.
    With ``awaiting_in`` (a chat key of :mod:`bot.chat.awaited`), the same query also says whether an
    input is awaited from them there, so that a request costs one round trip.
    """
    addr = request.address
    keep_address = request.is_group or request.background  # pushes go to the private chat
    params = {"platform": addr.platform, "user_id": addr.user_id, "chat": awaiting_in}
    _flush_first(session)
    row = session.execute(_BY_ADDRESS if awaiting_in is None else _BY_ADDRESS_AWAITING, params).one_or_none()
    if row is None:
        awaiting = awaiting_in is not None and bool(session.scalar(_AWAITING, params))  # rare: a new user
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
        return Touched(add_once(session, user), False, awaiting)
    user = _persistent(session, row)
    awaiting = awaiting_in is not None and bool(row.awaiting)
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
    if reactivated:  # assigning True again would still make the session flush the row
        user.active = True
    return Touched(user, reactivated, awaiting)


def left(session: Session, platform: str, platform_user_id: str) -> bool:
    """The person left the platform's conversation with the bot (unfollowed a WeChat account): no
    more pushes to them, their pending ones closed as blocked; writing again brings them back
    (:func:`touch`). Whether they were known."""
    from bot.delivery import outbox
    from bot.storage.models import OutboxMessage

    user = find(session, platform, platform_user_id)
    if user is None:
        return False
    user.active = False
    outbox.cancel_pending(session, OutboxMessage.recipient_id == user.id, reason="recipient left the platform")
    return True
