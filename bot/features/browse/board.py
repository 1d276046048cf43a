"""The programme as the public web pages show it (adapters/web): the same lines, cards and search as the chat.

Nothing here is a second copy of a chat rule: each view is built from the functions the chat commands
use (:func:`~bot.programme.cards.agenda_line`, :func:`~bot.programme.cards.talk_card`,
:func:`~bot.features.browse.talks.search_reply`, the agenda queries and the moves of
:mod:`bot.programme.history`), arranged for a page instead of a message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.chat.messages import Address, Line, Reply, Span
from bot.features.browse.agenda import before_the_event, dated_line, draft_note
from bot.features.browse.talks import search_reply
from bot.features.questions import asking
from bot.i18n import pick, t
from bot.programme import queries
from bot.programme.cards import day_header, room_name, speaker_card, speaker_name, talk_card, title_of
from bot.programme.content.ical import calendar_bytes
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.history import Moved
from bot.programme.search import SearchIndex
from bot.programme.timefmt import clock_time, format_time


@dataclass(frozen=True)
class Holder:
    """The holder of a personal web page: whose account it acts as, and what it shows as theirs."""

    address: Address
    token: str
    starred: frozenset[int]
    feed_token: str  # their calendar feed's
    lang: str


@dataclass(frozen=True)
class Named:
    """A room, track or speaker: its id and its name in the reader's language."""

    id: str
    name: str


@dataclass(frozen=True)
class Entry:
    """One talk or break in a day's grid: where it sits (its room, its start) and its chat line."""

    id: int | None  # the talk's id; None for a break
    room: str | None  # None: every room (a break, a keynote in the whole venue)
    room_name: str
    line: Line  # the chat's agenda line, without the room
    cancelled: bool


@dataclass(frozen=True)
class Row:
    """The items of one day that start at one time, room by room."""

    time: str
    everywhere: tuple[Entry, ...]  # items in no one room: they span the row
    cells: tuple[tuple[Entry, ...], ...]  # one cell per column room


@dataclass(frozen=True)
class Day:
    """One conference day: its heading as the chat shows it, and its rows."""

    index: int
    date: date
    header: Line
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Board:
    """The programme page: title, the draft note, now and next, the filters and the days."""

    title: str
    draft: str | None
    now_title: str
    now: tuple[Line, ...]  # what runs now (or when the programme starts, or that it is over)
    next_title: str
    next: tuple[Line, ...]
    next_ids: tuple[int | None, ...]  # the talk each line of ``next`` shows (None: a break)
    now_ids: tuple[int | None, ...]
    rooms: tuple[Named, ...]  # every room, for the filter
    tracks: tuple[Named, ...]  # every track, for the filter
    room: str | None  # the filters in force (known ids only)
    track: str | None
    columns: tuple[Named, ...]  # the rooms shown as the grid's columns
    days: tuple[Day, ...]
    talk_count: int  # talks listed (filters applied)


def board(
    programme: Programme,
    moves: dict[int, Moved],
    lang: str,
    at: datetime,
    *,
    room: str | None = None,
    track: str | None = None,
) -> Board:
    """The programme page at ``at``, filtered to one ``room`` and/or ``track`` (an unknown id is no filter)."""
    conf = programme.conference
    rooms = tuple(Named(r.id, pick(lang, r.name, r.name_en)) for r in conf.rooms)
    tracks = tuple(Named(tr.id, pick(lang, tr.name, tr.name_en)) for tr in conf.tracks)
    room = room if room in {r.id for r in rooms} else None
    track = track if track in {tr.id for tr in tracks} else None
    columns = tuple(r for r in rooms if room is None or r.id == room)
    column_of = {r.id: n for n, r in enumerate(columns)}

    def shown(item: queries.Item) -> bool:
        if isinstance(item, Talk):
            return (track is None or item.track == track) and (room is None or item.room == room)
        return track is None and (item.room is None or room is None or item.room == room)

    days: list[Day] = []
    count = 0
    for index, day in enumerate(programme.days(), 1):
        by_time: dict[datetime, tuple[list[Entry], list[list[Entry]]]] = {}
        for item in queries.day_items(programme, day):
            if not shown(item) or item.start is None:
                continue
            line = dated_line(programme, item, lang, at, moves, with_room=False)
            talk = item if isinstance(item, Talk) else None
            entry = Entry(
                talk.id if talk else None,
                item.room,
                room_name(programme, item.room, lang),
                line,
                talk is not None and talk.cancelled,
            )
            everywhere, cells = by_time.setdefault(item.start, ([], [[] for _ in columns]))
            column = column_of.get(item.room or "")
            (everywhere if column is None else cells[column]).append(entry)
            count += talk is not None
        rows = tuple(
            Row(clock_time(start, programme.tz), tuple(every), tuple(tuple(c) for c in cells))
            for start, (every, cells) in sorted(by_time.items())
        )
        if rows:
            days.append(Day(index, day, day_header(programme, day, lang, index), rows))

    now, now_ids = _now(programme, moves, lang, at)
    upcoming = [] if queries.is_over(programme, at) else queries.upcoming(programme, at)
    return Board(
        title=t(lang, "agenda.title", conf=pick(lang, conf.name, conf.name_en)),
        draft=draft_note(programme, lang),
        now_title=t(lang, "now.title", time=format_time(at, programme.tz)),
        now=now,
        now_ids=now_ids,
        next_title=t(lang, "next.title", time=format_time(at, programme.tz)),
        next=tuple(dated_line(programme, i, lang, at, moves, mark="⏭ ") for i in upcoming),
        next_ids=tuple(i.id if isinstance(i, Talk) else None for i in upcoming),
        rooms=rooms,
        tracks=tracks,
        room=room,
        track=track,
        columns=columns,
        days=tuple(days),
        talk_count=count,
    )


def _now(
    programme: Programme, moves: dict[int, Moved], lang: str, at: datetime
) -> tuple[tuple[Line, ...], tuple[int | None, ...]]:
    """What runs now, as /now says it: the items on, else when the programme starts, or that it is over."""
    if queries.is_over(programme, at):
        return ((Span(t(lang, "now.over")),),), (None,)
    before = before_the_event(programme, lang, at)
    if before is not None:
        return (before,), (None,)
    running = queries.running(programme, at)
    if not running:
        return ((Span(t(lang, "now.nothing")),),), (None,)
    lines = tuple(dated_line(programme, i, lang, at, moves, mark="▶ ", today_only=True) for i in running)
    return lines, tuple(i.id if isinstance(i, Talk) else None for i in running)


@dataclass(frozen=True)
class TalkPage:
    """A talk's page: the chat's card, its speakers (to link), and whether it can go in a calendar."""

    id: int
    title: str
    card: Reply
    speakers: tuple[Named, ...]
    scheduled: bool
    cancelled: bool


def talk_page(programme: Programme, moves: dict[int, Moved], lang: str, talk_id: int) -> TalkPage | None:
    """The talk card as the chat shows it (no subscribe toggle: the page has no user); None if unknown."""
    talk = programme.talk(talk_id)
    if talk is None:
        return None
    card = talk_card(programme, talk, lang, moved=moves.get(talk_id))
    speakers = tuple(Named(s.id, speaker_name(s, lang)) for s in programme.speakers_of(talk))
    return TalkPage(talk.id, title_of(talk, lang), card, speakers, talk.start is not None, talk.cancelled)


def talk_calendar(programme: Programme, lang: str, talk_id: int) -> bytes | None:
    """One talk as an .ics file ("add to calendar"); None if unknown or not scheduled."""
    talk = programme.talk(talk_id)
    if talk is None or talk.start is None or talk.end is None:
        return None
    return calendar_bytes(programme, [talk], lang, name=title_of(talk, lang))


@dataclass(frozen=True)
class SpeakerPage:
    """A speaker's page: the chat's card."""

    id: str
    name: str
    card: Reply


def speaker_page(programme: Programme, lang: str, speaker_id: str) -> SpeakerPage | None:
    """The speaker card as the chat shows it; None if unknown."""
    speaker = programme.speaker(speaker_id)
    if speaker is None:
        return None
    return SpeakerPage(speaker.id, speaker_name(speaker, lang), speaker_card(programme, speaker, lang))


def search_page(programme: Programme, index: SearchIndex, lang: str, query: str, page: int) -> Reply:
    """What /search answers for ``query``, page ``page``."""
    return search_reply(programme, index, lang, query, page)


@dataclass(frozen=True)
class ScreenQuestion:
    """One question on a room's screen: its text and its 👍 votes (never who asked)."""

    id: int
    text: str
    votes: int
    pinned: bool


@dataclass(frozen=True)
class ScreenPoll:
    """The live poll on the talk on now (``/poll``), with every platform's votes merged."""

    title: str  # "Live poll"
    question: str
    options: tuple[tuple[str, int], ...]  # each option with its votes
    total: str  # "Votes from every platform: 3"


@dataclass(frozen=True)
class RoomScreen:
    """A room's screen for the projector: what is on there (with when it ends) or when the next starts,
    what comes next there, and the top questions of the talk the room is asking now."""

    room: Named
    site: str  # the conference's name
    now_title: str
    now: Line | None  # the item on in the room (the chat's line, without the room); None: nothing
    now_id: int | None
    idle: str  # what the screen says when nothing is on: free for now, or nothing more today
    countdown_label: str  # "ends in" (something is on) or "starts in" (the next item)
    countdown_to: datetime | None  # None: nothing on and nothing to come
    next_title: str
    next: tuple[Line, ...]
    next_ids: tuple[int | None, ...]
    questions_title: str
    questions_talk: int | None  # the talk whose questions are shown (and where the QR code leads)
    questions: tuple[ScreenQuestion, ...]
    no_questions: str
    ask_label: str
    full: bool = False  # marked full (/full) for the talk on there
    full_label: str = ""  # what the screen says then
    poll: ScreenPoll | None = None  # the open poll on the talk on now (bot/features/polls)


Questions = Callable[[int], list[asking.Ranked]]


def room_screen(
    programme: Programme,
    moves: dict[int, Moved],
    lang: str,
    at: datetime,
    room_id: str,
    questions: Questions,
    *,
    full: bool = False,
) -> RoomScreen | None:
    """``room_id``'s screen at ``at`` (None for an unknown room): the room's now and next as ``/room``
    says them (:func:`queries.room_state`), the talk taking questions (:func:`asking.screen_talk`) and
    its top questions, read with ``questions`` (``asking.top`` over a session); ``full``: the room is
    marked full (``/full``)."""
    room = programme.room(room_id)
    if room is None:
        return None
    state = queries.room_state(programme, room_id, at)
    current, coming = state.current, state.coming
    if current is not None:
        countdown_label, countdown_to = t(lang, "web.screen_ends"), current.end
    else:
        countdown_label, countdown_to = t(lang, "web.screen_starts"), coming[0].start if coming else None
    ended = [talk for talk in queries.by_room(programme, room_id) if not talk.cancelled and queries.has_ended(talk, at)]
    previous = max(ended, key=lambda talk: talk.end or at, default=None)
    talk = asking.screen_talk(
        current if isinstance(current, Talk) else None,
        previous,
        state.next_talk or (state.next if isinstance(state.next, Talk) else None),
        at,
    )
    listed = tuple(ScreenQuestion(q.id, q.text, q.votes, q.pinned) for q in questions(talk.id)) if talk else ()
    return RoomScreen(
        room=Named(room.id, pick(lang, room.name, room.name_en)),
        site=pick(lang, programme.conference.name, programme.conference.name_en),
        now_title=t(lang, "room.now"),
        now=dated_line(programme, current, lang, at, moves, with_room=False, today_only=True) if current else None,
        now_id=current.id if isinstance(current, Talk) else None,
        idle=t(lang, "room.free" if coming else "room.done"),
        countdown_label=countdown_label,
        countdown_to=countdown_to,
        next_title=t(lang, "room.next"),
        next=tuple(dated_line(programme, i, lang, at, moves, with_room=False) for i in coming),
        next_ids=tuple(i.id if isinstance(i, Talk) else None for i in coming),
        questions_title=t(lang, "web.screen_questions", id=talk.id, title=title_of(talk, lang)) if talk else "",
        questions_talk=talk.id if talk else None,
        questions=listed,
        no_questions=t(lang, "web.screen_no_questions"),
        ask_label=t(lang, "web.screen_ask"),
        full=full,
        full_label=t(lang, "full.badge") if full else "",
    )


def version(programme: Programme) -> str:
    """A short digest of the programme as the pages show it (every talk and break with all its fields,
    the conference with its rooms and tracks, the speakers): an open page compares it to know that a
    schedule change or a reload landed. Made once per programme, so its cost does not matter."""
    digest = hashlib.blake2b(digest_size=8)
    for part in (programme.conference, programme.talks, programme.breaks, sorted(programme.speakers.items())):
        digest.update(repr(part).encode())
    return digest.hexdigest()
