"""The command registry. Each feature registers its commands with :func:`command` (see ``bot.features``).

Every platform runs the same commands; a button press carries an ``action`` in the same
grammar as a typed command (``"sub 12"`` is ``/sub 12``), so one code path serves both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from bot.chat.messages import Reply, Request
from bot.i18n import t

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.delivery.sender import SendRates
    from bot.host import Host
    from bot.programme.content.programme import Programme
    from bot.programme.search import SearchIndex
    from bot.programme.speaker_links import SpeakerLinks
    from bot.settings import Settings
    from bot.storage.models import User


class UsageError(Exception):
    """A user mistake; the core answers with the translated message, never a traceback."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class Context:
    """Everything a command handler may use for one request: the request, its user and transaction, and
    a narrow view of the running bot (``host``: the core, or a test's own object)."""

    host: Host
    request: Request
    user: User
    session: Session
    lang: str
    args: str
    from_button: bool
    outcome: str = "ok"  # what the audit log records for an organizer command (e.g. "previewed")

    def t(self, key: str, **params: object) -> str:
        """Translate into the user's language."""
        return t(self.lang, key, **params)

    @property
    def is_organizer(self) -> bool:
        """Whether this user may run organizer commands."""
        return self.host.is_organizer(self.request.address)

    @property
    def programme(self) -> Programme:
        """The programme shown now."""
        return self.host.programme

    @property
    def now(self) -> datetime:
        """The bot's clock, read now."""
        return self.host.clock.now()

    @property
    def settings(self) -> Settings:
        """The bot's settings."""
        return self.host.settings

    @property
    def search(self) -> SearchIndex:
        """The search index over the programme shown now."""
        return self.host.search

    @property
    def rates(self) -> SendRates:
        """Each platform's send rate (reminder fan-out planning reads it)."""
        return self.host.send_rates

    @property
    def speakers(self) -> SpeakerLinks:
        """Speakers linked to their chat accounts (``CONFBOT_SPEAKERS``)."""
        return self.host.speaker_links


Handler = Callable[[Context], Reply | list[Reply]]


@dataclass(frozen=True)
class Command:
    """A registered command."""

    name: str
    handler: Handler
    help_key: str | None  # i18n key of the one-line description; None hides it from /help
    usage: str = ""  # e.g. "<id>"
    aliases: tuple[str, ...] = ()
    organizer_only: bool = False
    order: int = 50  # position in /help and the platforms' command menus
    changes_home: bool = False  # running it may change what the user's Home shows
    exclusive: bool = False  # runs alone in this process, its transaction included (it changes the schedule)
    words: tuple[str, ...] = ()  # a whole message of one of these, typed without the slash, runs it ("现在")
    plain_text: bool = False  # answers plain text (a message that is no command): else /search does


REGISTRY: dict[str, Command] = {}
WORDS: dict[str, Command] = {}  # bare words (folded by :func:`fold_word`) -> the command they run
_ORDER: list[str] = []
_PLAIN: list[str] = []  # the commands that take plain text, the last registered wins
# what may surround a bare word: "你好！", "help?", " now. "
_EDGES = re.compile(r"^[\s!?.,;:~。！？，、；：～…]+|[\s!?.,;:~。！？，、；：～…]+$")


def fold_word(text: str) -> str:
    """A message as bare words are compared: NFKC, casefold, inner spaces single, punctuation at
    either end off (``Hello!`` → ``hello``, ``下一场？`` → ``下一场``); ``?`` alone stays."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return _EDGES.sub("", folded) or folded


def command(
    name: str,
    *,
    help_key: str | None = None,
    usage: str = "",
    aliases: tuple[str, ...] = (),
    organizer_only: bool = False,
    order: int = 50,
    changes_home: bool = False,
    exclusive: bool = False,
    words: tuple[str, ...] = (),
    plain_text: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a handler under ``name`` (and ``aliases``); ``order`` sorts /help. ``words`` run it when
    a whole message is one of them, without the slash (``now``, ``现在``); ``plain_text`` makes it the
    answer to any other message that is no command (else that is ``/search``)."""

    def register(handler: Handler) -> Handler:
        cmd = Command(
            name, handler, help_key, usage, aliases, organizer_only, order, changes_home, exclusive, words, plain_text
        )
        for key in (name, *aliases):
            if key in REGISTRY and REGISTRY[key].handler is not handler:
                raise ValueError(f"command {key!r} registered twice")
            REGISTRY[key] = cmd
        for word in map(fold_word, words):
            if word in WORDS and WORDS[word].handler is not handler:
                raise ValueError(f"word {word!r} runs two commands")
            WORDS[word] = cmd
        if name not in _ORDER:
            _ORDER.append(name)
        if plain_text and name not in _PLAIN:
            _PLAIN.append(name)
        return handler

    return register


def listed(*, organizer: bool = False) -> list[Command]:
    """Commands shown in /help and registered with the platforms, in registration order."""
    cmds = sorted((REGISTRY[name] for name in _ORDER if name in REGISTRY), key=lambda c: c.order)
    return [c for c in cmds if c.help_key and (organizer or not c.organizer_only)]


def lookup(name: str) -> Command | None:
    """The command called ``name`` (case-insensitive), or None."""
    return REGISTRY.get(name.lower())


def by_word(text: str) -> Command | None:
    """The command a whole message names without its slash (``now``, ``下一场？``), or None."""
    return WORDS.get(fold_word(text)) if len(text) <= 40 else None


def plain_text_command() -> str:
    """The command that answers plain text: the FAQ's when enabled, else ``search``."""
    return _PLAIN[-1] if _PLAIN else "search"


def closest(name: str, *, organizer: bool = False) -> str | None:
    """The command a mistyped ``name`` most likely meant, or None if none is really close.

    Close means at most one edit (a letter wrong, missing, extra, or two swapped) in a name of three
    to five letters and two in a longer one, or the start of a command ("subs"). Sharing a few
    letters is not close: "cancel" does not mean "ical". Organizer commands only for organizers.
    """
    name = name.lower()
    allowed = [key for key, cmd in REGISTRY.items() if organizer or not cmd.organizer_only]
    budget = 0 if len(name) <= 2 else 1 if len(name) <= 5 else 2
    near = [(OSA.distance(name, key, score_cutoff=budget), REGISTRY[key].order, key) for key in allowed]
    best = min(((d, order, key) for d, order, key in near if d <= budget), default=None)
    if best is not None:
        return best[2]
    starts = sorted((REGISTRY[k].order, len(k), k) for k in allowed if len(name) >= 3 and k.startswith(name))
    return starts[0][2] if starts else None
