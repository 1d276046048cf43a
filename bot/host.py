"""What features and the push runtime may use of the running bot: :class:`Host`, never the core itself.

:class:`~bot.core.Core` is the one implementation; a test can hand a command, a job or the runtime a
small object of its own. Depending on this protocol instead of the core is what keeps the core →
features → core cycle out of the import graph.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from bot.chat.messages import Address
from bot.clock import Clock
from bot.delivery.sender import SendRates
from bot.programme.content.programme import Programme
from bot.programme.search import SearchIndex
from bot.programme.speaker_links import SpeakerLinks
from bot.settings import Settings
from bot.storage.db import Database


class Host(Protocol):
    """The running bot as features see it: its settings, database, clock and current programme."""

    settings: Settings
    db: Database
    clock: Clock
    send_rates: SendRates  # each platform's send rate, filled by the push runtime from its senders
    speaker_links: SpeakerLinks  # CONFBOT_SPEAKERS

    @property
    def exclusive(self) -> AbstractContextManager[bool, None]:
        """Held while the schedule changes: one change at a time in this process (re-entrant)."""
        ...

    @property
    def programme(self) -> Programme:
        """The programme shown now."""
        ...

    @property
    def search(self) -> SearchIndex:
        """The search index over :attr:`programme`."""
        ...

    def replace_programme(self, programme: Programme) -> None:
        """Show ``programme`` from now on (a reload, a schedule fix, a synced update)."""
        ...

    def is_organizer(self, address: Address) -> bool:
        """Whether the person at ``address`` may run organizer commands."""
        ...
