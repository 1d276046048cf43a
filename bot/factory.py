"""Building a ready core from settings: clock, database (migrated) and content."""

from __future__ import annotations

from bot.clock import Clock, ShiftedClock, SystemClock
from bot.core import Core
from bot.programme import overrides
from bot.programme.content.loader import load_content
from bot.settings import Settings
from bot.storage.db import Database


def make_clock(settings: Settings) -> Clock:
    """The real clock, or one started at ``CONFBOT_CLOCK_START`` for rehearsals."""
    if settings.clock_start is not None:
        return ShiftedClock(settings.clock_start)
    return SystemClock()


def create_core(settings: Settings, clock: Clock | None = None) -> Core:
    """Load content (raising ContentError), migrate the database, apply the organizers' stored
    schedule fixes (/move, /cancel) on top of the content, and wire the core.

    With ``CONFBOT_MIGRATE_ON_START=false`` the schema is only checked: SchemaBehind if it is not at head.
    """
    programme = load_content(settings.content, settings.content_limits)
    db = Database(settings.database_url)
    if settings.migrate_on_start:
        db.migrate()
    else:
        try:
            db.require_head()
        except BaseException:
            db.dispose()
            raise
    programme = overrides.with_stored(db, programme)
    core = Core(settings, db, programme, clock or make_clock(settings))
    core.search  # build the index now, not on the first attendee's search  # noqa: B018
    return core
