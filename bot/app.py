"""The core: one object that answers requests from every platform."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from difflib import get_close_matches

from bot import users
from bot.clock import Clock
from bot.commands import REGISTRY, Context, UsageError, load_all, lookup
from bot.content.programme import Programme
from bot.i18n import register, t
from bot.messages import Address, Reply, ReplyBuilder, Request, code
from bot.settings import Settings
from bot.storage.db import Database

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 500  # longer texts are refused with a clear answer, never searched
_DEFERRED: ContextVar[list[bool] | None] = ContextVar("confbot_deferred_outbox_notice", default=None)

register(
    {
        "error.too_long": {
            "zh": "消息太长了（{length} 个字符）。请发送一个命令或几个搜索词，最多 {limit} 个字符。",
            "en": "That message is too long ({length} characters). Send a command or a few "
            "search words, at most {limit} characters.",
        },
        "error.unknown_command": {
            "zh": "没有 /{name} 这个命令。发送 /help 查看全部命令。",
            "en": "There is no /{name} command. Send /help for the list.",
        },
        "error.did_you_mean": {"zh": "您是不是想用 ", "en": "Did you mean "},
        "error.internal": {
            "zh": "抱歉，出了点问题，我们已记录。请稍后再试。",
            "en": "Sorry, something went wrong on our side; it has been logged. Please try again.",
        },
        "error.organizer_only": {
            "zh": "只有大会组织者可以使用 /{name}。",
            "en": "Only conference organizers can use /{name}.",
        },
        "error.empty": {
            "zh": "请发送命令（如 /agenda）或搜索词（如 “XDP”）。",
            "en": "Send a command (like /agenda) or search words (like “XDP”).",
        },
    }
)


def parse_command(text: str) -> tuple[str, str] | None:
    """Split ``/name@bot args`` into ``(name, args)``; None if ``text`` is no command."""
    if not text.startswith("/"):
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].strip().lower()
    return name, args.strip()


class Core:
    """Answers :class:`Request` objects with :class:`Reply` lists. Platform-free.

    Collaborators are injected (``create_app`` style), so tests build one per case.
    """

    def __init__(self, settings: Settings, db: Database, programme: Programme, clock: Clock) -> None:
        load_all()
        self.settings = settings
        self.db = db
        self.clock = clock
        self._programme = programme
        self._search = None
        self._organizers = {o.strip() for o in settings.organizers if o.strip()}
        self.on_outbox_change: list[Callable[[], None]] = []  # the scheduler pokes in here

    @property
    def programme(self) -> Programme:
        """The current programme."""
        return self._programme

    @property
    def search(self):  # type: ignore[no-untyped-def]  # -> bot.search.SearchIndex
        """The search index over the current programme (built lazily)."""
        if self._search is None:
            from bot.search import SearchIndex

            self._search = SearchIndex(self._programme)
        return self._search

    def replace_programme(self, programme: Programme) -> None:
        """Swap in a reloaded programme and rebuild the search index."""
        self._programme = programme
        self._search = None

    def outbox_changed(self) -> None:
        """Tell listeners (the scheduler) that pushes were enqueued or re-timed.

        Inside a request the notice waits until its transaction has committed, so the
        dispatcher never wakes before the rows are visible.
        """
        deferred = _DEFERRED.get()
        if deferred is not None:
            deferred.append(True)
            return
        for listener in self.on_outbox_change:
            listener()

    def add_organizer(self, address: Address) -> None:
        """Grant organizer rights (e.g. to the local terminal user)."""
        self._organizers.add(f"{address.platform}:{address.user_id}")

    def is_organizer(self, address: Address) -> bool:
        """Organizers are listed in ``CONFBOT_ORGANIZERS`` as ``platform:user_id``."""
        return f"{address.platform}:{address.user_id}" in self._organizers

    def handle(self, request: Request) -> list[Reply]:
        """Answer one request. Never raises: bad input gets a clear, translated answer."""
        deferred: list[bool] = []
        token = _DEFERRED.set(deferred)
        try:
            return self._handle(request)
        finally:
            _DEFERRED.reset(token)
            if deferred:
                self.outbox_changed()

    def _handle(self, request: Request) -> list[Reply]:
        text = (request.action if request.action is not None else request.text or "").strip()
        now = self.clock.now()
        lang = "zh"
        try:
            with self.db.session() as session:
                user, reactivated = users.touch(session, request, now, self.settings.default_lead_minutes)
                lang = user.language
                if reactivated:  # they unblocked the bot: their reminders come back
                    from bot.reminders import replan_user

                    session.flush()
                    replan_user(
                        session, user, self.programme, now=now, rate_per_second=self.settings.send_rate(user.platform)
                    )
                    self.outbox_changed()
                if len(text) > MAX_INPUT_CHARS:
                    return [self._say(lang, "error.too_long", length=len(text), limit=MAX_INPUT_CHARS)]
                if not text:
                    return [self._say(lang, "error.empty")]
                if request.action is not None:  # a button: always a command, slash optional
                    head, _, rest = text.lstrip("/").partition(" ")
                    parsed: tuple[str, str] | None = (head.lower(), rest.strip())
                else:
                    parsed = parse_command(text)
                name, args = parsed if parsed else ("search", text)
                cmd = lookup(name)
                if cmd is None:
                    return [self._unknown(lang, name)]
                if cmd.organizer_only and not self.is_organizer(request.address):
                    return [self._say(lang, "error.organizer_only", name=cmd.name)]
                ctx = Context(self, request, user, session, lang, args, request.action is not None)
                try:
                    result = cmd.handler(ctx)
                except UsageError as err:
                    return [self._say(ctx.lang, err.key, **err.params)]
                return result if isinstance(result, list) else [result]
        except Exception:
            log.exception("request failed: %r", request)
            return [self._say(lang, "error.internal")]

    @staticmethod
    def _say(lang: str, key: str, **params: object) -> Reply:
        return ReplyBuilder().line(t(lang, key, **params)).build()

    @staticmethod
    def _unknown(lang: str, name: str) -> Reply:
        builder = ReplyBuilder().line(t(lang, "error.unknown_command", name=name[:40]))
        close = get_close_matches(name, list(REGISTRY), n=1, cutoff=0.6)
        if close:
            builder.line(t(lang, "error.did_you_mean"), code(f"/{close[0]}"))
        return builder.build()
