"""The core: one object that answers requests from every platform."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from bot import audit, features, users
from bot.chat import awaited
from bot.chat.grammar import command_of, parse_command
from bot.chat.groups import takes_message
from bot.chat.messages import (
    Address,
    InlineCard,
    Reply,
    ReplyBuilder,
    Request,
    Response,
    clean_request,
    clean_text,
    code,
)
from bot.chat.ports import ChatRights
from bot.chat.registry import Context, UsageError, closest, lookup
from bot.clock import Clock
from bot.delivery.sender import SendRates
from bot.features.browse import board
from bot.features.browse.home import home_view
from bot.features.desk import signin
from bot.features.organizer.stats import Stats as Stats  # the desk draws its charts from it
from bot.features.organizer.stats import gather
from bot.features.personal import web_agenda
from bot.features.questions import asking
from bot.flood import DROP, SERVE, FloodLimit
from bot.i18n import join_names, language_for_locale, pick, t
from bot.ops import logcontext
from bot.platforms import PlatformState
from bot.programme.cards import talk_card, title_of, when_where
from bot.programme.content.programme import Programme
from bot.programme.search import SearchIndex
from bot.programme.speaker_links import SpeakerLinks
from bot.programme.topics import topics_text
from bot.serial import Serial
from bot.settings import Account, Settings
from bot.storage.db import Database
from bot.storage.models import User
from bot.storage.outage import Outage, unavailable
from bot.web_facade import MAX_INPUT_CHARS as MAX_INPUT_CHARS  # longer texts are refused, never searched
from bot.web_facade import DeskPages, WebPages

log = logging.getLogger(__name__)
UNAVAILABLE = "unavailable"  # how a request answered while the database was away is counted
T = TypeVar("T")

# what the web adapter uses of the personal pages: who holds a page, the chat actions its forms may
# run, the longest question, and the per-key rate buckets that limit its forms
WebHolder = board.Holder
DeskSignedIn = signin.SignedIn
WEB_ACTIONS = web_agenda.ACTIONS
ASK_LIMIT = asking.MAX_CHARS
RateLimit = FloodLimit
MAX_ORGANIZER_INPUT_CHARS = 10_000  # room for a broadcast, which refuses more than one message itself
INLINE_RESULTS = 10
WARM_SECONDS = 2.0  # how long the warm-up's threads wait for each other's connections (Core.warm)


class Core(WebPages, DeskPages):
    """Answers :class:`Request` objects with :class:`Reply` lists. Platform-free. What the web
    pages and the organizer desk ask of it (``web_*``, ``desk_*``) is in :mod:`bot.web_facade`.

    Collaborators are injected (``create_app`` style), so tests build one per case.
    """

    def __init__(self, settings: Settings, db: Database, programme: Programme, clock: Clock) -> None:
        features.load()
        self.settings = settings
        # requests run here, off the event loop, so one request's database waits never hold up another's
        self._threads = ThreadPoolExecutor(settings.request_threads, thread_name_prefix="confbot-request")
        self._people = Serial()  # one person's requests still run one at a time, in the order they came
        # each person's inbound rate, checked before any work (bot/flood.py); the runtime sets the replica share
        self.flood = FloodLimit(settings.flood_burst, settings.flood_per_second, clock)
        # one schedule change at a time in this process: /move, /cancel, /reload, the watcher, the sync
        self.exclusive = threading.RLock()
        self._db_outage = Outage(log, "requests")  # the database away: said once, answered "unavailable"
        self.db = db
        self.clock = clock
        self.send_rates = SendRates()  # filled from the senders by the push runtime
        self._programme = programme
        self._search: SearchIndex | None = None
        self._version: tuple[Programme, str] | None = None  # a programme and its version (web_version)
        self._organizers = set(settings.organizer_accounts)
        self.speaker_links = SpeakerLinks.parse(settings.speakers)  # CONFBOT_SPEAKERS
        # what platforms with rules of their own keep in the database (WeChat's windows and token)
        self.platform_state = PlatformState(db, clock)

    @property
    def programme(self) -> Programme:
        """The current programme."""
        return self._programme

    @property
    def search(self) -> SearchIndex:
        """The search index over the current programme (built lazily)."""
        programme, index = self._programme, self._search
        if index is None or index.programme is not programme:  # built for a programme swapped out since
            index = SearchIndex(programme)
            self._search = index
        return index

    def replace_programme(self, programme: Programme) -> None:
        """Swap in a reloaded programme and rebuild the search index."""
        self._programme = programme
        self._search = None

    def close(self) -> None:
        """Release the request threads and the database connections (at shutdown)."""
        self._threads.shutdown(wait=True)
        self.db.dispose()

    async def warm(self) -> None:
        """Start every request thread, each opening a database connection (as many as the pool keeps),
        before the first burst of traffic: a burst after a start then waits for no thread to start and
        no connection to open (the first half-second of a 300 updates/s run, docs/benchmarks.md). A
        database that is away is no error here: connections then open on first use, as without this."""
        threads = self.settings.request_threads
        kept = getattr(self.db.engine.pool, "size", lambda: threads)()  # a QueuePool keeps 5 when idle
        count = max(1, min(threads, kept))
        together = threading.Barrier(count, timeout=WARM_SECONDS)

        def hold_one() -> None:
            try:
                connection = self.db.engine.connect()
            except Exception:
                together.abort()  # the others stop holding theirs
                raise
            with connection, contextlib.suppress(threading.BrokenBarrierError):
                together.wait()  # each thread holds its connection until all have one, so all differ

        loop = asyncio.get_running_loop()
        work = [hold_one] * count + [lambda: None] * (threads - count)  # the threads past the pool's size
        opened = await asyncio.gather(
            *(loop.run_in_executor(self._threads, one) for one in work), return_exceptions=True
        )
        failed = [error for error in opened if isinstance(error, BaseException)]
        if failed:
            log.info("request threads started without database connections: %s", type(failed[0]).__name__)

    async def blocking(self, work: Callable[[], T]) -> T:
        """Run ``work`` (anything that waits for the database) in a request thread, with this task's
        context (its log fields), and await it: the event loop goes on serving others meanwhile."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._threads, context.run, work)

    def first_delivery(self, key: str) -> bool:
        """True the first time ``key`` (a platform's event or trigger id) is delivered, on any replica.

        Deliveries of the same key within its expiry (10 minutes) return False, so a replayed or
        redelivered request is not answered twice. If the database can't say, it is answered.
        """
        from bot import dedupe

        try:
            with self.db.session() as session:
                return dedupe.first_delivery(session, key, self.clock.now())
        except Exception:
            log.exception("could not record delivery %s; handling it", key[:80])
            return True

    def calendar_feed(self, token: str) -> bytes | None:
        """The .ics feed of the user holding ``token`` (their current agenda), or None if nobody does."""
        from bot.features.personal import calendar_feed

        with self.db.session() as session:
            return calendar_feed.feed_ics(session, self.programme, token, self.clock.now())

    def desk_stats(self) -> Stats:
        """The numbers ``/stats`` shows, as data: the desk draws its charts from them (``confbot stats``'s
        :func:`gather`; here, as the core is the host it needs)."""
        return gather(self)

    def poll_posted(self, poll_id: int, platform: str, ref: str) -> None:
        """A platform posted a poll natively as ``ref`` (Telegram's poll id): its answers name only that."""
        from bot.features.polls import polls

        with self.db.session() as session:
            polls.remember_post(session, poll_id, platform, ref)

    def add_organizer(self, address: Address) -> None:
        """Grant organizer rights (e.g. to the local terminal user)."""
        self._organizers.add(Account(address.platform, address.user_id))

    def is_organizer(self, address: Address) -> bool:
        """Organizers are listed in ``CONFBOT_ORGANIZERS`` as ``platform:user_id``."""
        return Account(address.platform, address.user_id) in self._organizers

    def handle(self, request: Request) -> list[Reply]:
        """Answer one request (the person's inbound limit first). Never raises: bad input gets a clear,
        translated answer."""
        refused = self.over_limit(request)
        if refused is not None:
            return refused.replies
        return self._remember_language(request, self.respond(request)).replies

    def over_limit(self, request: Request, *, chatter: bool = False) -> Response | None:
        """None when the person is within their inbound limit (a token taken), else what to answer:
        one "slow down" in their language, then nothing. Organizers and background requests (drawing a
        Home) are not limited. ``chatter``: a group message that may be chatter is dropped unanswered.

        Costs no database work and no thread: a flood is refused on the event loop, in microseconds.
        """
        address = request.address
        if request.background or not self.flood.enabled or self.is_organizer(address):
            return None
        verdict = self.flood.check(address.platform, address.user_id, may_warn=not chatter)
        if verdict == SERVE:
            return None
        logcontext.refused(address.platform, warned=verdict != DROP)
        if verdict == DROP:
            return Response([])
        lang = self.flood.language(address.platform, address.user_id) or language_for_locale(request.locale)
        return Response([self._say(lang, "error.slow_down")])

    def silenced(self, platform: str, user_id: str) -> bool:
        """Whether this person is over their inbound limit and was told so: an adapter drops their
        update before any work of its own (parsing it, Slack's redelivery check). Counted as dropped."""
        if self.flood.silenced(platform, user_id):
            logcontext.refused(platform, warned=False)
            return True
        return False

    def _remember_language(self, request: Request, response: Response) -> Response:
        if response.replies and response.replies[0].lang:
            self.flood.remember_language(request.address.platform, request.address.user_id, response.replies[0].lang)
        return response

    def respond(self, request: Request) -> Response:
        """Answer one request, saying also whether the user's Home may have changed.

        Each answer is counted and logged once (``bot/ops/logcontext.py``): platform, command, duration.
        """
        began = time.perf_counter()
        command = ["none"]  # what the request turned out to be: a command's name, search or unknown
        try:
            response = self._respond(request, command)
            if command[0] != UNAVAILABLE:
                self._db_outage.answered()
            return response
        finally:
            logcontext.handled(request.address.platform, command[0], time.perf_counter() - began)

    def _respond(self, request: Request, command: list[str]) -> Response:
        request = clean_request(request)
        home_changed = False
        text = (request.action if request.action is not None else request.text or "").strip()
        now = self.clock.now()
        lang = request.page_lang or language_for_locale(request.locale)  # the user's own, once their row is read
        audited: str | None = None  # the organizer command being run, for the audit log
        args = ""
        try:
            with contextlib.ExitStack() as alone, self.db.request_session() as session:
                lead, chat = self.settings.default_lead_minutes, awaited.chat_of(request)
                user, reactivated, awaiting = users.touch(session, request, now, lead, awaiting_in=chat)
                lang = request.page_lang or user.language
                if reactivated:  # they unblocked the bot: their reminders come back
                    self._reactivated(session, user, now)
                if not request.background and not request.is_group and self.is_organizer(request.address):
                    # an organizer writing to the bot can be reached: tickets that found nobody go out now
                    from bot.features.helpdesk.tickets import deliver_pending

                    deliver_pending(session, self.settings.organizer_accounts, now)
                # a file is no awaited text (a comment, a question...): it goes to the helpdesk below
                if awaiting and request.file is None:
                    answer = self._awaited_input(request, user, session, lang, text, now)
                    if answer is not None:
                        command[0] = "prompt"
                        return Response([dataclasses.replace(r, lang=user.language) for r in answer])
                # organizers write announcements (/broadcast checks its own, longer limit)
                limit = MAX_ORGANIZER_INPUT_CHARS if self.is_organizer(request.address) else MAX_INPUT_CHARS
                if len(text) > limit:
                    return Response([self._say(lang, "error.too_long", length=len(text), limit=limit)])
                if request.file is not None and request.action is None and parse_command(text) is None:
                    text = f"/ticket_file {text}"  # a file with no command: a follow-up to the open ticket
                if not text:
                    topics = topics_text(self.programme, lang, limit=1)
                    empty = self._say(lang, "error.empty", topics=topics) if topics else None
                    return Response([empty or self._say(lang, "error.empty_words")])
                name, args = command_of(text, request.action)
                cmd = lookup(name)
                if cmd is None:
                    command[0] = "unknown"
                    return Response([self._unknown(lang, name, self.is_organizer(request.address))])
                command[0] = cmd.name
                if cmd.organizer_only and not self.is_organizer(request.address):
                    audit.record(session, request.address, cmd.name, args, "refused", now)
                    return Response([self._say(lang, "error.organizer_only", name=cmd.name)])
                audited = cmd.name if cmd.organizer_only else None
                ctx = Context(self, request, user, session, lang, args, request.action is not None)
                home_changed = cmd.changes_home
                if cmd.exclusive:  # held until the transaction has committed (the stack closes after it)
                    alone.enter_context(self.exclusive)
                try:
                    result = cmd.handler(ctx)
                except UsageError as err:
                    if audited:
                        audit.record(session, request.address, audited, args, "usage", now)
                    return Response([self._say(ctx.lang, err.key, **err.params)])
                if audited:
                    audit.record(session, request.address, audited, args, ctx.outcome, now)
                lang = request.page_lang or user.language  # /lang may just have changed it
                replies = result if isinstance(result, list) else [result]
                return Response([dataclasses.replace(r, lang=lang) for r in replies], home_changed, ctx.outcome)
        except Exception as error:
            if unavailable(error):  # not a bug: said once per outage, and the user is told to come back
                self._db_outage.failed(error)
                command[0] = UNAVAILABLE
                return Response([self._say(lang, "error.unavailable")])
            log.exception(
                "request failed: platform=%s user=%s button=%s",
                request.address.platform,
                request.address.user_id,
                request.action is not None,
            )
            if audited:  # the request's own transaction is gone: record the failure on its own
                with contextlib.suppress(Exception), self.db.session() as session:
                    audit.record(session, request.address, audited, args, "error", now)
            return Response([self._say(lang, "error.internal")])

    async def respond_async(
        self, request: Request, *, chats: ChatRights | None = None, addressed: bool | None = None
    ) -> Response:
        """:meth:`respond` in a request thread. One person's requests are answered one at a time, in the
        order they came; other people's run meanwhile.

        ``chats`` lets the core ask the platform about a chat an organizer names from their private
        chat (``/announce … in @channel``). With ``addressed`` (whether a group message names this bot),
        the core first decides whether a group message is for it at all (:func:`takes_message`), in the
        person's turn, so a prompt's answer and the chatter after it are told apart in order; chatter
        gets a response with no replies.
        """
        from bot.features.announce.commands import check_named_chat

        # a message in a group may be chatter, not for the bot: never answered "slow down"
        refused = self.over_limit(request, chatter=request.is_group and addressed is False)
        if refused is not None:
            return refused
        if chats is not None:
            request = await check_named_chat(request, chats, organizer=self.is_organizer(request.address))
        address = request.address
        async with self._people.hold(f"{address.platform}:{address.user_id}"):
            if addressed is not None and not await takes_message(
                is_group=request.is_group,
                command=request.action is None and (request.text or "").lstrip().startswith("/"),
                addressed=addressed,
                awaited=lambda: self.awaits_input_async(request),
            ):
                return Response([])
            return self._remember_language(request, await self.blocking(lambda: self.respond(request)))

    async def handle_async(self, request: Request) -> list[Reply]:
        """:meth:`handle` off the event loop, as :meth:`respond_async`."""
        return (await self.respond_async(request)).replies

    def _awaited_input(
        self, request: Request, user: User, session: Session, lang: str, text: str, now: datetime
    ) -> list[Reply] | None:
        """The answer to a plain message a prompt was waiting for; a typed command drops the wait."""
        if awaited.is_plain(request, text):
            return awaited.answer(Context(self, request, user, session, lang, text, False), text, now)
        if request.action is None and not request.background and text:
            awaited.cancel(session, request)  # the user moved on to a command
        return None

    def awaits_input(self, request: Request) -> bool:
        """Whether a plain message from this user in this chat is awaited (so that an adapter passes
        on group messages it would otherwise ignore as chatter)."""
        with self.db.request_session() as session:
            return awaited.peek(session, request, self.clock.now()) is not None

    async def awaits_input_async(self, request: Request) -> bool:
        """:meth:`awaits_input` off the event loop (the chatter rule asks it; so may an adapter's first look).
        With the database away, nothing is awaited: a command is answered "temporarily unavailable"
        and chatter stays chatter."""
        try:
            return await self.blocking(lambda: self.awaits_input(request))
        except Exception as error:
            if not unavailable(error):
                raise
            self._db_outage.failed(error)
            return False

    def home(self, address: Address, locale: str | None = None) -> Reply:
        """The user's Home view: their agenda, then what runs now (Slack's App Home)."""
        mine = self.handle(Request(address, action="my", locale=locale, background=True))[0]
        now = self.handle(Request(address, action="now", locale=locale, background=True))[0]
        return home_view(mine, now)

    def inline_cards(self, query: str, locale: str | None) -> list[InlineCard]:
        """Talks to offer for an inline query: the best matches, or the first talks if empty."""
        began = time.perf_counter()
        try:
            return self._inline_cards(query, locale)
        finally:
            logcontext.handled(logcontext.current_platform() or "unknown", "inline", time.perf_counter() - began)

    def _inline_cards(self, query: str, locale: str | None) -> list[InlineCard]:
        lang = language_for_locale(locale)
        programme = self.programme
        text = (clean_text(query) or "").strip()[:200]
        hits = self.search.search(text, limit=INLINE_RESULTS) if text else []
        talks = [h.talk for h in hits if h.talk is not None] or ([] if text else list(programme.talks))
        cards = []
        for talk in talks[:INLINE_RESULTS]:
            names = join_names((pick(lang, s.name, s.name_en) for s in programme.speakers_of(talk)), lang)
            about = " · ".join(x for x in (when_where(programme, talk, lang), names) if x)  # when and where first
            card = dataclasses.replace(talk_card(programme, talk, lang), lang=lang)
            cards.append(InlineCard(f"talk-{talk.id}", f"#{talk.id} {title_of(talk, lang)}", about, card))
        return cards

    @staticmethod
    def _say(lang: str, key: str, **params: object) -> Reply:
        return dataclasses.replace(ReplyBuilder().line(t(lang, key, **params)).build(), lang=lang)

    @staticmethod
    def _unknown(lang: str, name: str, organizer: bool) -> Reply:
        builder = ReplyBuilder().line(t(lang, "error.unknown_command", name=name[:40]))
        close = closest(name, organizer=organizer)
        if close:
            builder.line(t(lang, "error.did_you_mean"), code(f"/{close}"))
        return dataclasses.replace(builder.build(), lang=lang)
