"""One folder per feature: its commands, domain code, push planning and renderers, and strings.

:data:`ENABLED` is the list of what runs, in order (like slack-machine's ``PLUGINS``): each entry is a
module that registers commands (``@command``), push renderers (``@renderer``) or periodic jobs
(``@every``) when imported. Nothing is found by scanning packages; a feature left out is off.
"""

from __future__ import annotations

import importlib

ENABLED: tuple[str, ...] = (
    # the chat's own commands: Confirm / Cancel of a preview, Skip of an awaited text
    "bot.chat.confirm",
    "bot.chat.skip",
    # attendees
    "bot.features.browse.general",
    "bot.features.browse.agenda",
    "bot.features.browse.talks",
    "bot.features.browse.venue",
    "bot.features.faq.commands",  # plain text: the FAQ first, then the talk search
    "bot.features.personal.commands",
    "bot.features.personal.reminders",
    "bot.features.feedback.commands",
    "bot.features.feedback.push",
    "bot.features.media.push",
    "bot.features.questions.commands",
    "bot.features.questions.push",
    "bot.features.polls.commands",
    "bot.features.helpdesk.commands",
    "bot.features.helpdesk.tickets",
    "bot.features.privacy.commands",
    "bot.features.privacy.retention",
    # organizers
    "bot.features.desk.commands",
    "bot.features.broadcast.commands",
    "bot.features.broadcast.push",
    "bot.features.announce.commands",
    "bot.features.announce.push",
    "bot.features.rooms.commands",
    "bot.features.schedule.commands",
    "bot.features.schedule.reload",
    "bot.features.schedule.push",
    "bot.features.schedule.warnings",
    "bot.features.checkin.commands",
    "bot.features.schedule.watcher",
    "bot.features.schedule.sync",
    "bot.features.organizer.commands",
    "bot.features.organizer.audit_view",
)

_loaded: set[str] = set()


def load(enabled: tuple[str, ...] = ENABLED) -> None:
    """Import each enabled module once, so that what it registers is registered."""
    for name in enabled:
        if name not in _loaded:
            importlib.import_module(name)
            _loaded.add(name)
