"""Platform-neutral rendering of talks, speakers and agenda lines into replies."""

from __future__ import annotations

from datetime import date, datetime

from bot import i18n
from bot.chat.labels import fit
from bot.chat.messages import Button, Line, Reply, ReplyBuilder, Span, bold, code, italic, link
from bot.i18n import is_chinese, join_names, pick, t
from bot.programme.content.language import has_cjk, in_lang
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Break, Speaker, Talk
from bot.programme.history import Moved
from bot.programme.queries import Item
from bot.programme.timefmt import clock_time, format_day, format_span, utc_offset

MAX_ABSTRACT = 1500  # characters of an abstract shown in a talk card


def title_of(item: Talk | Break, lang: str) -> str:
    """The item's title in ``lang`` (falls back to Chinese)."""
    return pick(lang, item.title, item.title_en)


def room_name(programme: Programme, room_id: str | None, lang: str) -> str:
    """A room's display name; empty for an all-rooms item."""
    room = programme.room(room_id)
    if room is None:
        return room_id or ""
    return pick(lang, room.name, room.name_en)


def stream_link(programme: Programme, room_id: str | None, lang: str) -> Span | None:
    """ "▶ Watch live", linking the room's stream; None when the room has none."""
    room = programme.room(room_id)
    return link(t(lang, "media.watch"), room.stream) if room is not None and room.stream else None


def media_lines(programme: Programme, talk: Talk, lang: str, now: datetime | None = None) -> list[Line]:
    """The talk's watch link while it runs at ``now`` (its room's stream), its slides and recording."""
    lines: list[Line] = []
    running = now is not None and talk.start is not None and talk.end is not None and talk.start <= now < talk.end
    watch = stream_link(programme, talk.room, lang) if running and not talk.cancelled else None
    if watch is not None:
        lines.append((watch,))
    if talk.slides:
        lines.append((link(t(lang, "media.slides"), talk.slides),))
    if talk.recording:
        lines.append((link(t(lang, "media.recording"), talk.recording),))
    return lines


def room_line(programme: Programme, room_id: str, lang: str) -> Line:
    """``📍 Main Hall · 1F — from the main entrance, …``: a room with its floor and directions."""
    room = programme.room(room_id)
    if room is None:
        return (bold(f"📍 {room_id}"),)
    spans: list[Span] = [bold(f"📍 {pick(lang, room.name, room.name_en)}")]
    if room.floor:
        spans.append(Span(f" · {room.floor}"))
    directions, fallback = in_lang(lang, room.directions or "", room.directions_en)
    if directions:
        spans.append(Span(" — "))
        if fallback:
            spans += [italic(t(lang, "content.in_chinese")), Span(" ")]
        spans.append(Span(directions.strip()))
    return tuple(spans)


def track_name(programme: Programme, track_id: str | None, lang: str) -> str:
    """A track's display name; empty when the talk has none."""
    track = programme.track(track_id)
    if track is None:
        return track_id or ""
    return pick(lang, track.name, track.name_en)


def speaker_name(speaker: Speaker, lang: str) -> str:
    """``陈莉君`` in Chinese, ``Chen Lijun (陈莉君)`` in English."""
    if not is_chinese(lang) and speaker.name_en and speaker.name_en != speaker.name:
        return f"{speaker.name_en} ({speaker.name})"
    return speaker.name


def affiliation_of(speaker: Speaker, lang: str) -> str:
    """The affiliation in ``lang``; in English without a translation, empty (the name says who)."""
    if not is_chinese(lang) and not speaker.affiliation_en:
        return "" if has_cjk(speaker.affiliation) else speaker.affiliation
    return pick(lang, speaker.affiliation, speaker.affiliation_en)


def _speakers_line(programme: Programme, talk: Talk, lang: str) -> str:
    parts = []
    for s in programme.speakers_of(talk):
        org = affiliation_of(s, lang)
        parts.append(speaker_name(s, lang) + ((f"（{org}）" if is_chinese(lang) else f" ({org})") if org else ""))
    return join_names(parts, lang)


def _text_block(b: ReplyBuilder, lang: str, zh: str, en: str | None) -> None:
    """A paragraph of content; Chinese shown to an English reader is said to be so, once."""
    text, fallback = in_lang(lang, zh.strip(), (en or "").strip() or None)
    if not text:
        return
    b.blank()
    if fallback:
        b.line(italic(t(lang, "content.in_chinese")))
    b.line(_truncate(text, MAX_ABSTRACT))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def talk_buttons(talk: Talk, lang: str, subscribed: bool | None) -> tuple[tuple[Button, ...], ...]:
    """The talk card's buttons: the subscribe toggle (when known) and parallel talks."""
    row: list[Button] = []
    if subscribed is not None and not talk.cancelled:
        row.append(
            Button(t(lang, "button.unsubscribe"), f"unsub {talk.id}")
            if subscribed
            else Button(t(lang, "button.subscribe"), f"sub {talk.id}")
        )
    if talk.start is not None:
        row.append(Button(t(lang, "button.parallel"), f"parallel {talk.id}"))
        if subscribed is not None and not talk.cancelled:  # a personal card: ask the talk a question
            row.append(Button(t(lang, "button.ask"), f"ask {talk.id}"))
    return (tuple(row),) if row else ()


def when_where(programme: Programme, talk: Talk, lang: str) -> str:
    """``Sat 12 Dec 10:00–10:40 Hall A``: the day, time and room a list shows before a talk found out of
    its day's context (search results); "time to be announced" for an unscheduled one."""
    tz = programme.tz
    if talk.start is None:
        when = t(lang, "talk.unscheduled")
    else:
        start = talk.start.astimezone(tz)
        when = f"{format_day(start.date(), lang)} {clock_time(start, tz)}"
        when += f"–{clock_time(talk.end, tz)}" if talk.end is not None else ""
    room = room_name(programme, talk.room, lang)
    return f"{when} {room}" if room else when


def moved_text(programme: Programme, talk: Talk, moved: Moved, lang: str, *, with_day: bool = False) -> str:
    """``10:40``, ``Sat 12 Dec 10:40`` (another day, or ``with_day``), ``Hall A``, or ``10:40, Hall A``:
    where a talk was first announced."""
    tz, parts = programme.tz, []
    if moved.start is not None:
        first_day = moved.start.astimezone(tz).date()
        other_day = talk.start is None or talk.start.astimezone(tz).date() != first_day
        day = f"{format_day(first_day, lang)} " if with_day or other_day else ""
        parts.append(day + clock_time(moved.start, tz))
    if moved.room is not None:
        parts.append(room_name(programme, moved.room, lang))
    return ("，" if is_chinese(lang) else ", ").join(parts)


def talk_card(
    programme: Programme,
    talk: Talk,
    lang: str,
    *,
    subscribed: bool | None = None,
    edit: bool = False,
    moved: Moved | None = None,
    now: datetime | None = None,
) -> Reply:
    """One talk: title, time, room, track, speakers, slides and recording, abstract, outline,
    takeaways, links.

    ``subscribed`` None omits the toggle (e.g. a card shared into another chat); ``moved`` says where
    it was first announced; with ``now``, a talk running then links its room's stream.
    """
    tz = programme.tz
    b = ReplyBuilder()
    title = [bold(title_of(talk, lang)), Span(" "), code(f"#{talk.id}")]
    if talk.kind == "keynote":
        title += [Span(" · "), italic(t(lang, "talk.keynote"))]
    b.line(*title)
    if is_chinese(lang) and talk.title_en and talk.title_en != talk.title:
        b.line(italic(talk.title_en))
    elif not is_chinese(lang) and talk.title_en and talk.title_en != talk.title:
        b.line(italic(talk.title))
    if talk.cancelled:
        b.line(bold(t(lang, "talk.cancelled")))
    if talk.start is not None:
        day = format_day(talk.start.astimezone(tz).date(), lang)
        b.line(t(lang, "talk.when", when=f"{day} {format_span(talk.start, talk.end, tz)}"))
    else:
        b.line(t(lang, "talk.when", when=t(lang, "talk.unscheduled")))
    if moved is not None and not talk.cancelled:
        b.line(italic(t(lang, "talk.moved", was=moved_text(programme, talk, moved, lang, with_day=True))))
    if talk.room:
        b.line(t(lang, "talk.room", room=room_name(programme, talk.room, lang)))
    for other in programme.other_slots(talk):
        when = t(lang, "talk.unscheduled")
        if other.start is not None:
            when = f"{format_day(other.start.astimezone(tz).date(), lang)} {format_span(other.start, other.end, tz)}"
        where = f", {room_name(programme, other.room, lang)}" if other.room else ""
        b.line(t(lang, "talk.also", when=when + where), Span(" "), code(f"#{other.id}"))
    if talk.track:
        b.line(t(lang, "talk.track", track=track_name(programme, talk.track, lang)))
    speakers = _speakers_line(programme, talk, lang)
    if speakers:
        b.line(t(lang, "talk.speakers"), speakers)
    for line in media_lines(programme, talk, lang, now):
        b.line(*line)
    _text_block(b, lang, talk.abstract, talk.abstract_en)
    for key, zh_items, en_items in (
        ("talk.outline", talk.outline, talk.outline_en),
        ("talk.takeaways", talk.takeaways, talk.takeaways_en),
    ):
        items = en_items if not is_chinese(lang) and en_items else [pick(lang, i, None) for i in zh_items]
        if items:
            fallback = not is_chinese(lang) and not en_items and any(has_cjk(i) for i in items)
            b.blank().line(
                bold(t(lang, key)), *([Span(" "), italic(t(lang, "content.in_chinese"))] if fallback else [])
            )
            for n, item in enumerate(items[:12], 1):
                b.line(f"{n}. {_truncate(item, 200)}")
    if talk.links:
        b.blank().line(bold(t(lang, "talk.links")))
        for url in talk.links[:8]:
            b.line(link(url, url) if url.startswith(("http://", "https://")) else Span(url))
    return b.build(buttons=talk_buttons(talk, lang, subscribed), edit=edit)


# the lines made for the current programme: a line depends only on its arguments (items are frozen, and
# a schedule change swaps in a new programme), and /agenda, /now and /next draw the same ones over and
# over; keyed by the item's id, with the item kept so that its id can't be reused while it is here
_lines: tuple[Programme, int, dict[tuple[object, ...], tuple[Item, Line]]] | None = None
MAX_LINES = 50_000  # past this many (a huge programme in every language) lines are made, not kept


def agenda_line(
    programme: Programme,
    item: Item,
    lang: str,
    *,
    mark: str = "",
    ended: bool = False,
    with_room: bool = True,
    moved: Moved | None = None,
) -> Line:
    """``09:00–09:30 A厅 #1 从Linux内核到eBPF — 陈莉君`` (breaks in italics).

    An ``ended`` item is greyed out: its title loses the bold and it says "(ended)".
    ``with_room`` False leaves the room out (a list that is about one room). A cancelled talk says
    so; a ``moved`` one says where it was first announced ("moved from 10:40"). Made once per
    programme and arguments.
    """
    global _lines
    known, texts = _lines, i18n.generation()
    if known is None or known[0] is not programme or known[1] != texts:  # a new programme, or reloaded catalogs
        known = _lines = (programme, texts, {})  # one assignment: a request thread sees the old cache or the new one
    key = (id(item), lang, mark, ended, with_room, moved)
    found = known[2].get(key)
    if found is not None and found[0] is item:
        return found[1]
    line = _agenda_line(programme, item, lang, mark, ended, with_room, moved)
    if len(known[2]) < MAX_LINES:
        known[2][key] = (item, line)
    return line


def _agenda_line(
    programme: Programme, item: Item, lang: str, mark: str, ended: bool, with_room: bool, moved: Moved | None
) -> Line:
    tz = programme.tz
    assert item.start is not None
    when = f"{clock_time(item.start, tz)}–{clock_time(item.end, tz)}" if item.end else clock_time(item.start, tz)
    room = room_name(programme, item.room, lang) if with_room else ""
    prefix = f"{mark}{when} " + (f"{room} " if room else "")
    done = (italic(t(lang, "item.ended")),) if ended else ()
    if isinstance(item, Break):
        return (Span(prefix), italic(title_of(item, lang)), *done)
    names = join_names(
        (s.name if is_chinese(lang) else (s.name_en or s.name) for s in programme.speakers_of(item)), lang
    )
    spans: list[Span] = [Span(prefix), code(f"#{item.id}"), Span(" ")]
    title = title_of(item, lang)
    spans.append(Span(title) if item.cancelled or ended else bold(title))
    if item.cancelled:
        spans += [Span(" ❌ "), italic(t(lang, "item.cancelled"))]
    elif moved is not None:
        spans.append(italic(t(lang, "item.moved", was=moved_text(programme, item, moved, lang))))
    spans += done
    if names:
        spans.append(Span(f" — {names}"))
    return tuple(spans)


def day_header(programme: Programme, day: date, lang: str, index: int) -> Line:
    """``📅 第1天 · 12月12日 周六 (UTC+8)``."""
    sample = next(
        (
            i.start
            for i in (*programme.talks, *programme.breaks)
            if i.start is not None and i.start.astimezone(programme.tz).date() == day
        ),
        None,
    )
    zone = f" ({utc_offset(sample.astimezone(programme.tz))})" if sample else ""
    return (bold(f"📅 {t(lang, 'button.day', n=index)} · {format_day(day, lang)}{zone}"),)


def speaker_card(programme: Programme, speaker: Speaker, lang: str) -> Reply:
    """A speaker: name, affiliation, bio and their talks (as buttons)."""
    b = ReplyBuilder().line(bold(speaker_name(speaker, lang)))
    org, org_fallback = in_lang(lang, speaker.affiliation, speaker.affiliation_en)
    if org:
        b.line(italic(org + (f" {t(lang, 'content.in_chinese')}" if org_fallback else "")))
    _text_block(b, lang, speaker.bio, speaker.bio_en)
    talks = programme.talks_of(speaker.id)
    buttons: list[tuple[Button, ...]] = []
    if talks:
        b.blank().line(bold(t(lang, "speaker.talks")))
        for talk in talks:
            if talk.start is not None:
                day = format_day(talk.start.astimezone(programme.tz).date(), lang)
                b.line(*agenda_line(programme, talk, lang, mark=f"{day} "))
            else:
                b.line(code(f"#{talk.id}"), Span(" "), bold(title_of(talk, lang)))
            buttons.append((Button(fit(f"#{talk.id} {title_of(talk, lang)}"), f"talk {talk.id}"),))
    return b.build(buttons=tuple(buttons))
