"""The core: one object that answers requests from every platform."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
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
from bot.features.broadcast import push as broadcasts
from bot.features.browse import board
from bot.features.browse.home import home_view
from bot.features.desk import overview, signin
from bot.features.helpdesk.tickets import InboxTicket, inbox
from bot.features.organizer import audit_view
from bot.features.organizer.stats import Stats as Stats  # the desk draws its charts from it
from bot.features.organizer.stats import gather
from bot.features.personal import web_agenda
from bot.features.questions import asking
from bot.features.rooms import full as full_rooms
from bot.features.schedule import desk_view as schedule_desk
from bot.flood import DROP, SERVE, FloodLimit
from bot.i18n import LANGUAGES, join_names, language_for_locale, pick, t
from bot.ops import logcontext
from bot.platforms import PlatformState
from bot.programme import history
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
MAX_INPUT_CHARS = 500  # longer texts are refused with a clear answer, never searched
MAX_ORGANIZER_INPUT_CHARS = 10_000  # room for a broadcast, which refuses more than one message itself
INLINE_RESULTS = 10
WARM_SECONDS = 2.0  # how long the warm-up's threads wait for each other's connections (Core.warm)


class Core:
    """Answers :class:`Request` objects with :class:`Reply` lists. Platform-free.

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

    # --- the public web pages (adapters/web): the same views as the chat, for a reader without an account ---

    def web_board(self, lang: str, *, room: str | None = None, track: str | None = None) -> board.Board:
        """The programme page now: now and next, then each day's grid (filtered to a room and/or track)."""
        with self.db.session() as session:
            moves = history.moves(session, self.programme)
        return board.board(self.programme, moves, lang, self.clock.now(), room=room, track=track)

    def web_room_screen(self, room_id: str, lang: str) -> board.RoomScreen | None:
        """A room's screen for the projector now: on now, up next, the top questions; None if no such room."""
        programme = self.programme
        if programme.room(room_id) is None:
            return None
        with self.db.session() as session:
            moves = history.moves(session, programme)
            top = functools.partial(asking.top, session)
            now = self.clock.now()
            full = full_rooms.is_full(session, room_id, now)
            screen = board.room_screen(programme, moves, lang, now, room_id, top, full=full)
            if screen is not None and screen.now_id is not None:
                from bot.features.polls.screen import screen_poll

                screen = dataclasses.replace(screen, poll=screen_poll(session, screen.now_id, lang, now))
            return screen

    def web_version(self) -> str:
        """The current programme's version (:func:`board.version`), made once per programme: open pages
        poll it and redraw themselves when it changes."""
        programme, known = self._programme, self._version
        if known is None or known[0] is not programme:
            known = self._version = (programme, board.version(programme))
        return known[1]

    def web_talk(self, talk_id: int, lang: str) -> board.TalkPage | None:
        """A talk's page (its chat card, with where it was first announced); None if there is no such talk."""
        with self.db.session() as session:
            moves = history.moves(session, self.programme)
        return board.talk_page(self.programme, moves, lang, talk_id)

    def web_talk_poll(self, talk_id: int) -> int | None:
        """The id of the talk's open live poll (``/poll``), if it has one."""
        from bot.features.polls import polls

        with self.db.session() as session:
            found = polls.open_poll(session, talk_id, self.clock.now())
            return found.id if found is not None else None

    def web_talk_calendar(self, talk_id: int, lang: str) -> bytes | None:
        """One talk as an .ics file; None if unknown or unscheduled."""
        return board.talk_calendar(self.programme, lang, talk_id)

    def web_speaker(self, speaker_id: str, lang: str) -> board.SpeakerPage | None:
        """A speaker's page (their chat card); None if unknown."""
        return board.speaker_page(self.programme, lang, speaker_id)

    def web_search(self, query: str, lang: str, page: int = 1) -> Reply:
        """What /search answers (the query cleaned and cut as a chat message would be)."""
        text = (clean_text(query) or "").strip()[:MAX_INPUT_CHARS]
        return board.search_page(self.programme, self.search, lang, text, max(1, page))

    # --- personal web pages (/me/<token>): the chat's own commands, run as the page's user ---

    def web_new_agenda(self, lang: str) -> str:
        """A new attendee who has only a web page ("make my agenda"); the token of their page."""
        now = self.clock.now()
        with self.db.session() as session:
            user = web_agenda.new_attendee(session, now, lang, self.settings.default_lead_minutes)
            return web_agenda.page_token(session, user, now)

    def web_agenda_of(self, request: Request) -> str:
        """The page token of the account behind ``request`` (``/web`` in a chat, the Telegram Mini App),
        the account made on first contact as a first message would (and back, reminders and all, if
        they had blocked the bot)."""
        now = self.clock.now()
        with self.db.session() as session:
            user, reactivated, _ = users.touch(session, request, now, self.settings.default_lead_minutes)
            if reactivated:
                self._reactivated(session, user, now)
            return web_agenda.page_token(session, user, now)

    def _reactivated(self, session: Session, user: User, now: datetime) -> None:
        """A person who had blocked the bot is back: their reminders are planned again."""
        from bot.features.personal.reminders import replan_user

        session.flush()
        replan_user(session, user, self.programme, now=now, rates=self.send_rates)

    def web_holder(self, token: str, *, reset: bool = False) -> board.Holder | None:
        """Who holds a page token: their account, starred talks and calendar feed token; None for a token
        nobody active holds. ``reset``: the page gets a new token first (the old address stops working)."""
        from bot.features.personal import calendar_feed, subscriptions

        now = self.clock.now()
        with self.db.session() as session:
            user = web_agenda.owner(session, token)
            if user is None:
                return None
            if reset:  # the page and its calendar feed both get new addresses: the old ones may have leaked
                token = web_agenda.reset(session, user, now)
                calendar_feed.reset_token(session, user, now)
            return board.Holder(
                address=web_agenda.address_of(user),
                token=token,
                starred=frozenset(subscriptions.subscribed_ids(session, user)),
                feed_token=calendar_feed.token_for(session, user, now),
                lang=user.language,
            )

    def web_run(self, holder: board.Holder, action: str, lang: str) -> Reply:
        """A chat command (a button's action: ``sub 5``, ``vote 12``, ``my``…) run as the page's user,
        in the page's language: the page shows the same answer the chat would."""
        # a web-only attendee's language is the page's; a chat user's stays their own (the page's only answers)
        locale = lang if holder.address.platform == users.WEB else None
        request = Request(
            holder.address, action=action, locale=locale, background=True, page=web_agenda.WEB_CHAT, page_lang=lang
        )
        return self.respond(request).replies[0]

    # --- the organizer desk (adapters/web/desk): signed in from a one-time chat link, then the chat's commands ---

    def desk_link_account(self, token: str) -> str | None:
        """Whose one-time desk link ``token`` is, while it is unused and fresh (shown before it is used)."""
        with self.db.session() as session:
            return signin.link_account(session, token, self.clock.now())

    def desk_redeem(self, token: str) -> tuple[str, signin.SignedIn] | None:
        """Use a one-time desk link: a new session (its cookie and what it holds), or None for a link that is
        unknown, expired, used, or whose organizer no longer organizes."""
        now = self.clock.now()
        with self.db.session() as session:
            account = signin.link_account(session, token, now)
            if account is None or not self.is_organizer(signin.address_of(account)):
                return None
            made = signin.redeem(session, token, now)
            if made is not None:
                audit.record(session, made[1].address, "desk", "signed in", "ok", now)
            return made

    def desk_session(self, token: str) -> signin.SignedIn | None:
        """The live desk session of this cookie, if its organizer still organizes."""
        with self.db.session() as session:
            found = signin.signed_in(session, token, self.clock.now())
        return found if found is not None and self.is_organizer(found.address) else None

    def desk_sign_out(self, token: str) -> None:
        """End a desk session (its cookie stops working at once)."""
        with self.db.session() as session:
            found = signin.signed_in(session, token, self.clock.now())
            if found is not None and signin.sign_out(session, token, self.clock.now()):
                audit.record(session, found.address, "desk", "signed out", "ok", self.clock.now())

    def desk_now(self, lang: str) -> overview.DeskNow:
        """The desk's Now page: each room's screen with its subscribers, open tickets, pushes by status."""
        rooms = self.programme.conference.rooms
        screens = [s for room in rooms if (s := self.web_room_screen(room.id, lang))]
        with self.db.session() as session:
            capacities = {room.id: room.capacity for room in rooms}
            return overview.now_view(session, screens, capacities, self.programme, self.clock.now(), lang)

    def desk_run(self, signed: signin.SignedIn, action: str, lang: str) -> Reply:
        """A chat command (``/stats``, ``/broadcast …``, ``confirm <token>``…) run as the signed-in organizer,
        audited under their chat identity as in the chat."""
        return self.desk_act(signed, action, lang)[0]

    def desk_act(self, signed: signin.SignedIn, action: str, lang: str) -> tuple[Reply, str]:
        """:meth:`desk_run`, with what the command says it did (its audit outcome, e.g. ``confirmed
        broadcast #7``): a page that must know which row a command made reads it here."""
        request = Request(signed.address, action=action, background=True, page=signin.DESK_CHAT, page_lang=lang)
        response = self.respond(request)
        return response.replies[0], response.outcome

    # --- the desk's pages: what they show that the chat has no command for (read-only) ---

    def desk_schedule(self, lang: str) -> schedule_desk.ScheduleDesk:
        """The desk's schedule page: the stored /move and /cancel overrides and the talks, days and rooms
        its forms offer (the forms themselves run the chat commands through :meth:`desk_run`)."""
        with self.db.session() as session:
            return schedule_desk.schedule_view(session, self.programme, lang)

    def desk_stats(self) -> Stats:
        """The numbers ``/stats`` shows, as data: the desk draws its charts from them."""
        return gather(self)

    def desk_stats_csv(self, lang: str) -> str:
        """The ``/stats`` numbers as CSV, one number a row (``/desk/stats.csv``)."""
        from bot.features.organizer import stats_export

        return stats_export.to_csv(self.desk_stats(), lang)

    def desk_audit(
        self, limit: int, who: str | None = None, action: str | None = None, outcome: str | None = None
    ) -> audit_view.AuditPage:
        """The audit log as /audit shows it, newest first, filtered by who, command and outcome."""
        with self.db.session() as session:
            return audit_view.audit_page(session, self.programme.tz, limit, who, action, outcome)

    def desk_helpdesk(self, lang: str) -> list[InboxTicket]:
        """The desk's helpdesk inbox: the open tickets oldest first, each with the lines ``/tickets`` shows
        and its whole thread (read-only: claiming, answering and closing are the chat's commands)."""
        with self.db.session() as session:
            return inbox(session, lang, self.programme.tz, self.clock.now())

    # --- the desk's broadcast page: what /broadcast previews and counts, shown for the web ---

    def desk_broadcast_audiences(self, lang: str) -> list[tuple[str, str]]:
        """The audiences ``/broadcast`` takes, as (value, label): ``all``, ``talk:<id>`` for every talk,
        ``platform:<name>`` for each platform with people, ``lang:<code>``."""
        with self.db.session() as session:
            platforms = broadcasts.platforms_in_use(session)
        talks = [(f"talk:{talk.id}", f"talk:{talk.id} · {title_of(talk, lang)}") for talk in self.programme.talks]
        return [
            ("all", "all"),
            *talks,
            *((f"platform:{p}", f"platform:{p}") for p in platforms),
            *((f"lang:{code}", f"lang:{code}") for code in LANGUAGES),
        ]

    def desk_broadcast_sizes(self, audience: str) -> dict[str, int]:
        """How many people an audience reaches per platform, as ``/broadcast``'s preview counts them."""
        parsed = broadcasts.parse_audience(audience)
        if parsed is None:
            return {}
        with self.db.session() as session:
            return broadcasts.sizes(session, parsed)

    def desk_broadcast_message(self, text: str) -> Reply:
        """A broadcast's text as its recipients get it (the organizer's markup, rendered)."""
        return broadcasts.message(text)

    def desk_broadcast_progress(self, broadcast_id: int) -> broadcasts.Tally | None:
        """One broadcast's sent / pending / failed / blocked counts, as ``/broadcast status`` counts them."""
        with self.db.session() as session:
            return broadcasts.tally(session, broadcast_id)

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
