"""What the web adapter's pages ask of the core: the public pages, the personal ones and the organizer
desk. :class:`bot.core.Core` has these methods (it is built from these two mixins); each runs the
same feature code as the chat command that shows the same thing, and a form runs the chat command
itself (:meth:`WebPages.web_run`, :meth:`DeskPages.desk_run`): no second copy of a rule.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot import audit, users
from bot.chat.messages import Address, Reply, Request, Response, clean_text
from bot.clock import Clock
from bot.delivery.sender import SendRates
from bot.features.broadcast import push as broadcasts
from bot.features.browse import board
from bot.features.desk import overview, signin
from bot.features.helpdesk.tickets import InboxTicket, inbox
from bot.features.organizer import audit_view
from bot.features.organizer.stats import Stats
from bot.features.personal import web_agenda
from bot.features.questions import asking
from bot.features.rooms import full as full_rooms
from bot.features.schedule import desk_view as schedule_desk
from bot.i18n import LANGUAGES
from bot.programme import history
from bot.programme.cards import title_of
from bot.programme.content.programme import Programme
from bot.programme.search import SearchIndex
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import User

MAX_INPUT_CHARS = 500  # longer texts are refused with a clear answer, never searched


class _OfTheCore:
    """What the pages use of the core (:class:`bot.core.Core` defines each)."""

    settings: Settings
    db: Database
    clock: Clock
    send_rates: SendRates
    _version: tuple[Programme, str] | None  # a programme and its version (web_version)

    if TYPE_CHECKING:

        @property
        def programme(self) -> Programme: ...

        @property
        def search(self) -> SearchIndex: ...

        def respond(self, request: Request) -> Response: ...

        def is_organizer(self, address: Address) -> bool: ...

        def web_room_screen(self, room_id: str, lang: str) -> board.RoomScreen | None: ...

        def desk_stats(self) -> Stats: ...


class WebPages(_OfTheCore):
    """The public pages (the same views as the chat, for a reader without an account) and the personal
    ones (``/me/<token>``: the chat's own commands, run as the page's user)."""

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
        programme, known = self.programme, self._version
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

    # personal web pages (/me/<token>)

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


class DeskPages(_OfTheCore):
    """The organizer desk (``adapters/web/desk``): signed in from a one-time chat link, then the chat's
    commands; and what its pages show that the chat has no command for (read-only)."""

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

    # the desk's pages: what they show that the chat has no command for (read-only)

    def desk_schedule(self, lang: str) -> schedule_desk.ScheduleDesk:
        """The desk's schedule page: the stored /move and /cancel overrides and the talks, days and rooms
        its forms offer (the forms themselves run the chat commands through :meth:`desk_run`)."""
        with self.db.session() as session:
            return schedule_desk.schedule_view(session, self.programme, lang)

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

    # the desk's broadcast page: what /broadcast previews and counts, shown for the web

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
