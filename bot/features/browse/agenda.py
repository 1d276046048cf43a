"""Browsing the programme: /agenda, /now, /next, /tracks, /track, /rooms, /room, /parallel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.chat.grammar import day_and_page, parse_number, split_page, talk_id_arg
from bot.chat.labels import HALF_WIDTH, fit
from bot.chat.messages import Button, Choices, Line, Reply, ReplyBuilder, Span, bold, italic
from bot.chat.pages import clamp, paginate
from bot.chat.registry import Context, UsageError, command
from bot.features.rooms import full as full_rooms
from bot.i18n import pick, t
from bot.programme import history
from bot.programme import queries as agenda
from bot.programme.cards import agenda_line, day_header, room_line, room_name, stream_link, title_of, track_name
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Room, Talk, Track
from bot.programme.search.names import find_named, ref
from bot.programme.timefmt import countdown, format_day, format_time


def _pager(ctx: Context, base: str, page: int, count: int) -> tuple[Button, ...]:
    row: list[Button] = []
    if page > 1:
        row.append(Button(ctx.t("button.prev"), f"{base} {page - 1}"))
    if page < count:
        row.append(Button(ctx.t("button.next"), f"{base} {page + 1}"))
    return tuple(row)


# buttons on one page: a page holds at most 40 lines (bot/chat/pages.py), each with one button at most,
# plus the few a header names; Telegram allows 100 and Slack 25 per actions block (its render merges rows)
MAX_PAGE_BUTTONS = 48


def paged_reply(
    ctx: Context,
    header: list[Line],
    body: list[Line],
    base_action: str,
    page: int,
    choices: Choices | None = None,
    talks: dict[int, Talk] | None = None,
    first: Sequence[Talk] = (),
    *,
    line_buttons: dict[int, Button] | None = None,
    per_row: int = 2,
) -> Reply:
    """Header + one page of ``body``, with previous/next buttons acting as ``<base> <page>``.

    ``talks`` maps a body line (by identity) to its talk: each talk listed on the page gets a
    button that opens it, after those of ``first`` (talks named in the header). ``line_buttons``
    maps a body line to any other button (a room or track to open); ``per_row`` buttons share a row.
    """
    pages = paginate(body)
    page = clamp(page, len(pages))
    b = ReplyBuilder(list(header))
    b.lines.extend(pages[page - 1])
    if len(pages) > 1:
        b.blank().line(italic(ctx.t("page.of", page=page, count=len(pages))))
    listed = [*first, *((talks or {}).get(id(line)) for line in pages[page - 1])]
    buttons = [_talk_button(ctx, t) for t in {t.id: t for t in listed if t is not None}.values()]
    buttons += [bt for bt in ((line_buttons or {}).get(id(line)) for line in pages[page - 1]) if bt is not None]
    buttons = buttons[:MAX_PAGE_BUTTONS]
    rows = [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    rows += [r for r in (_pager(ctx, base_action, page, len(pages)),) if r]
    return b.build(buttons=tuple(rows), edit=ctx.from_button, choices=choices)


def page_arg(ctx: Context) -> int:
    """The page a listing without other arguments asks for (``/now 2``, the "next page" button)."""
    number = parse_number(ctx.args) if ctx.args.strip() else None
    return number if number is not None else 1


@command(
    "agenda",
    help_key="help.agenda",
    usage="[day]",
    aliases=("schedule", "日程", "议程"),
    order=10,
    words=("agenda", "schedule", "programme", "program", "日程", "日程表", "议程", "全部日程"),
)
def show_agenda(ctx: Context) -> Reply:
    """The whole programme, or one day, paginated, with day buttons."""
    programme = ctx.programme
    day, page = day_and_page(ctx, ctx.args)
    days = programme.days()
    conf = programme.conference
    header: list[Line] = [(bold(ctx.t("agenda.title", conf=pick(ctx.lang, conf.name, conf.name_en))),)]
    note = draft_note(programme, ctx.lang)
    if note and page == 1:  # the organizers' own words for attendees, once, not on every page
        header.append((italic(note),))
    body: list[Line] = []
    talks: dict[int, Talk] = {}
    at = ctx.now
    moves = history.moves(ctx.session, programme)
    for index, d in enumerate(days, 1):
        if day is not None and d != day:
            continue
        body += [(), day_header(programme, d, ctx.lang, index)]
        for item in agenda.day_items(programme, d):
            moved = moves.get(item.id) if isinstance(item, Talk) else None
            line = agenda_line(programme, item, ctx.lang, ended=agenda.has_ended(item, at), moved=moved)
            body.append(line)
            if isinstance(item, Talk):
                talks[id(line)] = item
    if not body:
        body = [(Span(ctx.t("agenda.empty")),)]
    options = tuple(
        Button(ctx.t("button.day", n=i), f"agenda {i}", selected=d == day) for i, d in enumerate(days, 1)
    ) + ((Button(ctx.t("button.all_days"), "agenda all"),) if day is not None else ())
    base = f"agenda {days.index(day) + 1}" if day is not None else "agenda all"
    picker = Choices(ctx.t("agenda.pick_day"), options) if len(days) > 1 else None
    return paged_reply(ctx, header, body, base, page, choices=picker, talks=talks)


@command("now", help_key="help.now", aliases=("现在",), order=11, words=("now", "现在", "正在进行", "在进行"))
def now(ctx: Context) -> Reply:
    """What is on in each room now, and what comes next there, paged by rooms."""
    programme = ctx.programme
    at = ctx.now
    header: list[Line] = [(bold(ctx.t("now.title", time=format_time(at, programme.tz))),)]
    if agenda.is_over(programme, at):
        return ReplyBuilder(header).line(ctx.t("now.over")).build()
    states = agenda.rooms_now(programme, at)
    before = _before_the_event(ctx)
    if before is not None:
        header.append(before)
    elif not any(state.current for state in states):
        header.append((Span(ctx.t("now.nothing")),))
    body: list[Line] = []
    talks: dict[int, Talk] = {}
    moves = history.moves(ctx.session, programme)
    full = full_rooms.live(ctx.session, at)
    for state in states:
        badge = (bold(f" · 🈵 {ctx.t('full.badge')}"),) if state.room in full else ()
        body += [(), (bold(f"📍 {room_name(programme, state.room, ctx.lang)}"), *badge)]
        if state.current is not None:
            body.append(_dated_line(ctx, state.current, moves, mark="▶ ", with_room=False, today_only=True))
            _remember(talks, body[-1], state.current)
        for item in state.coming:
            body.append(_dated_line(ctx, item, moves, mark="⏭ ", with_room=False))
            _remember(talks, body[-1], item)
    return paged_reply(ctx, header, body, "now", page_arg(ctx), talks=talks)


def _before_the_event(ctx: Context) -> Line | None:
    return before_the_event(ctx.programme, ctx.lang, ctx.now)


def before_the_event(programme: Programme, lang: str, at: datetime) -> Line | None:
    """Before the programme's first item: when it starts (day, time and zone) and how long until then."""
    tz = programme.tz
    start = agenda.starts_at(programme, at)
    if start is None:
        return None
    day, time = format_day(start.astimezone(tz).date(), lang), format_time(start, tz)
    return (bold(t(lang, "event.starts", day=day, time=time, left=countdown(start - at, lang))),)


def _remember(talks: dict[int, Talk], line: Line, item: agenda.Item) -> None:
    """Note that ``line`` shows ``item``, when it is a talk (its button opens it)."""
    if isinstance(item, Talk):
        talks[id(line)] = item


@command("next", help_key="help.next", aliases=("下一场",), order=12, words=("next", "下一场", "接下来", "下一个"))
def next_(ctx: Context) -> Reply:
    """The next slot: talks and breaks about to start, and what still runs if no talk follows; paged."""
    programme = ctx.programme
    at = ctx.now
    header: list[Line] = [(bold(ctx.t("next.title", time=format_time(at, programme.tz))),)]
    if agenda.is_over(programme, at):
        return ReplyBuilder(header).line(ctx.t("now.over")).build()
    before = _before_the_event(ctx)
    if before is not None:
        header.append(before)
    items = agenda.upcoming(programme, at)
    moves = history.moves(ctx.session, programme)
    body: list[Line] = []
    talks: dict[int, Talk] = {}
    for item in items:
        body.append(_dated_line(ctx, item, moves))
        _remember(talks, body[-1], item)
    if not items:
        body.append((Span(ctx.t("next.nothing_starts")),))
    running = [i for i in agenda.running(programme, at) if isinstance(i, Talk)]
    if running and not any(isinstance(i, Talk) for i in items):  # the last talks are still on
        body += [(), (bold(ctx.t("next.still_running")),)]
        for talk in running:
            body.append(agenda_line(programme, talk, ctx.lang, mark="▶ ", moved=moves.get(talk.id)))
            _remember(talks, body[-1], talk)
    return paged_reply(ctx, header, body, "next", page_arg(ctx), talks=talks)


def _dated_line(
    ctx: Context,
    item: agenda.Item,
    moves: dict[int, history.Moved],
    *,
    mark: str = "",
    with_room: bool = True,
    today_only: bool = False,
) -> Line:
    """:func:`dated_line` in the request's language, at the bot's time."""
    return dated_line(
        ctx.programme, item, ctx.lang, ctx.now, moves, mark=mark, with_room=with_room, today_only=today_only
    )


def dated_line(
    programme: Programme,
    item: agenda.Item,
    lang: str,
    at: datetime,
    moves: dict[int, history.Moved],
    *,
    mark: str = "",
    with_room: bool = True,
    today_only: bool = False,
) -> Line:
    """An agenda line that names the day when it isn't today, says so when it is over, and what a
    moved talk moved from (``today_only``: as it runs now, never dated nor ended)."""
    tz = programme.tz
    today = at.astimezone(tz).date()
    assert item.start is not None
    day = item.start.astimezone(tz).date()
    moved = moves.get(item.id) if isinstance(item, Talk) else None
    if today_only:
        return agenda_line(programme, item, lang, mark=mark, with_room=with_room, moved=moved)
    mark += "" if day == today else f"{format_day(day, lang)} "
    ended = agenda.has_ended(item, at)
    return agenda_line(programme, item, lang, mark=mark, ended=ended, with_room=with_room, moved=moved)


def draft_note(programme: Programme, lang: str) -> str | None:
    """What the agenda says of a provisional programme: the organizers' own words, else the bot's; None
    when the programme is final."""
    conf = programme.conference
    if not conf.draft:
        return None
    own = conf.draft_note_en if lang == "en" else conf.draft_note
    return own or t(lang, "agenda.draft")


def _talk_button(ctx: Context, talk: Talk) -> Button:
    """A button opening ``talk``, labelled with its id and title."""
    return Button(fit(f"#{talk.id} {title_of(talk, ctx.lang)}", HALF_WIDTH), f"talk {talk.id}")


def _find(ctx: Context, wanted: str, entries: Sequence[Room | Track], usage_key: str) -> Room | Track:
    """A room or track by id or (either language's) name, or the only one holding the words typed."""
    found = find_named(wanted, entries)
    if found is not None:
        return found
    names = ", ".join(pick(ctx.lang, e.name, e.name_en) + f" ({e.id})" for e in entries)
    raise UsageError(usage_key, names=names or "—")


@command("tracks", help_key="help.tracks", aliases=("主题",), order=30, words=("tracks", "主题", "所有主题"))
def tracks(ctx: Context) -> Reply:
    """The tracks with their talk counts, paged; a button opens each."""
    programme = ctx.programme
    header: list[Line] = [(bold(ctx.t("tracks.title")),)]
    if not programme.conference.tracks:
        return ReplyBuilder(header).line(ctx.t("tracks.none")).build()
    body: list[Line] = []
    buttons: dict[int, Button] = {}
    for track in programme.conference.tracks:
        name = pick(ctx.lang, track.name, track.name_en)
        count = len(agenda.by_track(programme, track.id))
        body.append((Span(f"• {ctx.t('tracks.item', name=name, count=count)}"),))
        buttons[id(body[-1])] = Button(fit(name), f"track {ref(track.id)}")
    return paged_reply(ctx, header, body, "tracks", page_arg(ctx), line_buttons=buttons, per_row=1)


def _talks_of(ctx: Context, kind: str) -> Reply:
    """``/track x`` or ``/room x``: that track's or room's talks in time order, paged.

    A room's page starts with what is on there now and what is up next.
    """
    programme = ctx.programme
    name, page = split_page(ctx.args)
    entries = programme.conference.tracks if kind == "track" else programme.conference.rooms
    found = _find(ctx, name, entries, f"{kind}.usage")
    talks = agenda.by_track(programme, found.id) if kind == "track" else agenda.by_room(programme, found.id)
    first_line: Line = (
        (bold(f"🏷 {track_name(programme, found.id, ctx.lang)}"),)
        if kind == "track"
        else room_line(programme, found.id, ctx.lang)  # with its floor and directions
    )
    header: list[Line] = [first_line]
    first: list[Talk] = []
    moves = history.moves(ctx.session, programme)
    if kind == "room":
        header += _room_now(ctx, found.id, ctx.now, moves)
        state = agenda.room_state(programme, found.id, ctx.now)
        first = [i for i in (state.current, *state.coming) if isinstance(i, Talk)]
    body: list[Line] = []
    lines: dict[int, Talk] = {}
    for talk in talks:
        if talk.start:
            line = _dated_line(ctx, talk, moves, with_room=kind != "room")
            body.append(line)
            lines[id(line)] = talk
    return paged_reply(ctx, header, body, f"{kind} {ref(found.id)}", page, talks=lines, first=first)


def _room_now(ctx: Context, room_id: str, at: datetime, moves: dict[int, history.Moved]) -> list[Line]:
    """What is on in a room now and up next there, then the heading of its full list."""
    state = agenda.room_state(ctx.programme, room_id, at)
    lines: list[Line] = []
    if full_rooms.is_full(ctx.session, room_id, at):
        lines.append((bold(f"🈵 {ctx.t('full.badge')}"),))
    if state.current is not None:
        lines += [(bold(ctx.t("room.now")),), _dated_line(ctx, state.current, moves, with_room=False)]
        watch = stream_link(ctx.programme, room_id, ctx.lang)  # the room's stream while something is on
        if watch is not None:
            lines.append((watch,))
    else:
        lines.append((Span(ctx.t("room.free")),))
    if state.coming:
        lines += [(bold(ctx.t("room.next")),), *(_dated_line(ctx, i, moves, with_room=False) for i in state.coming)]
    else:
        lines.append((Span(ctx.t("room.done")),))
    return [*lines, (), (bold(ctx.t("room.all")),)]


@command("track", help_key="help.track", usage="<track>", order=31)
def track(ctx: Context) -> Reply:
    """The talks of one track, in time order."""
    return _talks_of(ctx, "track")


@command("rooms", help_key="help.rooms", aliases=("会场",), order=32, words=("rooms", "会场", "所有会场"))
def rooms(ctx: Context) -> Reply:
    """The rooms, paged; a button opens each."""
    programme = ctx.programme
    body: list[Line] = []
    buttons: dict[int, Button] = {}
    for room in programme.conference.rooms:
        name = pick(ctx.lang, room.name, room.name_en)
        body.append((Span(f"• {name}"),))
        buttons[id(body[-1])] = Button(fit(name), f"room {ref(room.id)}")
    header: list[Line] = [(bold(ctx.t("rooms.title")),)]
    return paged_reply(ctx, header, body, "rooms", page_arg(ctx), line_buttons=buttons, per_row=1)


@command("room", help_key="help.room", usage="<room>", order=33)
def room(ctx: Context) -> Reply:
    """The talks in one room, in time order."""
    return _talks_of(ctx, "room")


@command("parallel", help_key="help.parallel", usage="<id>", order=34)
def parallel(ctx: Context) -> Reply:
    """Talks whose time overlaps a given talk, paged (``parallel 12 page 2``: ``/parallel 2 3`` is
    two ids, a usage error)."""
    programme = ctx.programme
    wanted, _, page_word = ctx.args.partition(" page ")
    page = parse_number(page_word) or 1 if page_word else 1
    talk = programme.talk(talk_id_arg(ctx, wanted, "parallel.usage"))
    assert talk is not None
    others = agenda.parallel(programme, talk)
    if not others:
        return ReplyBuilder().line(ctx.t("parallel.none", id=talk.id)).build()
    moves = history.moves(ctx.session, programme)
    body: list[Line] = []
    talks: dict[int, Talk] = {}
    for other in others:
        body.append(_dated_line(ctx, other, moves))
        talks[id(body[-1])] = other
    header: list[Line] = [(bold(ctx.t("parallel.title", id=talk.id)),)]
    return paged_reply(ctx, header, body, f"parallel {talk.id} page", page, talks=talks)
