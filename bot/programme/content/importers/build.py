"""What every importer shares: rooms, tracks, speakers with source ids, stable talk ids, times."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from pypinyin import lazy_pinyin

from bot.programme.content.importers.errors import ScheduleError, guarded
from bot.programme.content.importers.plaintext import plain
from bot.programme.content.importers.zones import zone_of_place, zone_to_try
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Conference, ContentFile, Room, Speaker, Talk, Track

MAX_TALK_ID = 999_999
LAST = "@last"  # the key of previous_ids() that holds the highest number an import gave out
MAX_MINUTES = 24 * 60  # a talk longer than a day is a typo in the source


def slug(text: str) -> str:
    """A lowercase ASCII id for a name (Chinese through pinyin)."""
    ascii_text = "".join(lazy_pinyin(text)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def conference_id(text: str) -> str:
    """A conference id that is safe as a directory name (``content import`` writes ``content/<id>``):
    kept when it already is one (``36C3``, ``hack-2026``), else its slug (``..`` → ``conference``)."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", text):
        return text
    named = re.sub(r"[^a-z0-9]+", "-", "".join(lazy_pinyin(text)).lower()).strip("-")
    return named or "conference"


def minutes(text: object) -> int | None:
    """``01:30``, ``0:45`` or ``00:25:00`` → minutes; a bare number is minutes already."""
    if isinstance(text, int | float):
        try:
            return int(text)
        except (OverflowError, ValueError):  # inf, nan
            return None
    parts = str(text or "").strip().split(":")
    if not parts[0].isdigit():
        return None
    if len(parts) == 1:
        return int(parts[0])
    return int(parts[0]) * 60 + int(parts[1]) if parts[1].isdigit() else None


def zone(name: object) -> str | None:
    """``name`` if it is a known IANA zone, else None."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name.strip()


def i18n(value: object) -> str:
    """A pretalx/c3voc text that may be ``{"en": ..., "de": ...}``: English, else the first."""
    if isinstance(value, dict):
        for key in ("en", *value):
            text = value.get(key)
            if isinstance(text, str) and text.strip():
                return text.strip()
        return ""
    return str(value).strip() if value is not None else ""


def kind_of(event_type: object) -> str:
    """A talk kind from a source's event type (workshop, lightning talk, panel...)."""
    text = i18n(event_type).lower()
    for word, kind in (
        ("keynote", "keynote"),
        ("lightning", "lightning"),
        ("workshop", "workshop"),
        ("hands-on", "workshop"),
        ("tutorial", "workshop"),
        ("panel", "panel"),
        ("podium", "panel"),
        ("discussion", "panel"),
    ):
        if word in text:
            return kind
    return "talk"


def parse_time(value: object, where: str, source: str) -> datetime:
    """An ISO date-time (``Z``, offset or naive); a clear error naming the place otherwise."""
    text = str(value or "").strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise ScheduleError(source, f"not a date and time: {text!r}", place=where) from None


@dataclass
class Event:
    """One talk as read from a source, before ids are given out."""

    source_id: object  # the source's own id (numeric for frab and c3voc)
    title: str
    start: datetime | None
    end: datetime | None
    room: str | None  # room name
    place: str  # where it is in the source, for errors
    speakers: list[str] = field(default_factory=list)  # speaker ids (Builder.speaker)
    abstract: str = ""
    track: str | None = None  # track name
    kind: str = "talk"
    language: str | None = None
    links: list[str] = field(default_factory=list)
    guid: str | None = None
    code: str | None = None
    cancelled: bool = False
    title_en: str | None = None
    abstract_en: str | None = None
    tags: list[str] = field(default_factory=list)  # English tags
    tags_zh: list[str] = field(default_factory=list)
    track_en: str | None = None
    slot: int = 1  # the talk's slot, when the source gives it several (1 = its first)
    slides: str | None = None  # http(s) URLs (importers.resources)
    recording: str | None = None

    def identities(self) -> list[str]:
        """What identifies the talk across imports, best first: its guid, its pretalx code, its id;
        a talk's second slot is the same key with ``/2``."""
        keys = [k for k in (self.guid and self.guid.lower(), self.code and f"code:{self.code}") if k]
        keys += [f"id:{self.source_id}"] if self.source_id not in (None, "") else [f"title:{self.title}"]
        return keys if self.slot == 1 else [f"{k}/{self.slot}" for k in keys]


class Builder:
    """Collects rooms, tracks, speakers and events while an importer walks a schedule."""

    def __init__(self, source: str, format: str) -> None:
        self.source = source
        self.format = format
        self.rooms: dict[str, Room] = {}
        self.tracks: dict[str, Track] = {}
        self.speakers: dict[str, Speaker] = {}
        self.events: list[Event] = []
        self._by_name: dict[str, str] = {}  # exact name → id, for people without a source id

    def error(self, message: str, place: str = "") -> ScheduleError:
        """A ScheduleError about this source."""
        return ScheduleError(self.source, message, place=place, format=self.format)

    def at(self, place: str) -> AbstractContextManager[None]:
        """Reading the event at ``place``: an unexpected exception becomes a ScheduleError naming it."""
        return guarded(self.source, place, format=self.format)

    def length(self, value: object, place: str) -> timedelta | None:
        """An event's duration (``HH:MM`` or minutes); None when the source gives none; an error
        naming the event when it is not more than 0 and at most 24 hours."""
        if value is None or value == "":
            return None
        found = minutes(value)
        if found is None:
            return None
        if not 0 < found <= MAX_MINUTES:
            raise self.error(f"duration {value!r}: must be more than 0 and at most 24 hours", place)
        return timedelta(minutes=found)

    def people(self, value: object, place: str, name: str = "persons") -> list[Any]:
        """An event's list of people (``persons``, ``participants``, ``speakers``); an error if it is
        something else, such as a bare name."""
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            raise self.error(f"{name}: expected a list of people, not {value!r}"[:200], place)
        return value

    def room(self, name: str | None, name_en: str | None = None, *, stream: str | None = None) -> str | None:
        """The id of the room called ``name`` (added on first sight; ``stream``: its live stream URL)."""
        name = (name or "").strip()
        if not name:
            return None
        rid = slug(name)
        english = (name_en or "").strip()
        english_name = english if english not in ("", name) else None
        room = self.rooms.setdefault(rid, Room(id=rid, name=name, name_en=english_name))
        if stream and room.stream is None:
            self.rooms[rid] = room.model_copy(update={"stream": stream})
        return rid

    def track(self, name: str | None, name_en: str | None = None) -> str | None:
        """The id of the track called ``name`` (added on first sight)."""
        name = (name or "").strip()
        if not name:
            return None
        tid = slug(name)
        english = (name_en or "").strip()
        self.tracks.setdefault(tid, Track(id=tid, name=name, name_en=english if english not in ("", name) else None))
        return tid

    def speaker(
        self,
        name: str,
        source_id: object = None,
        bio: str | None = None,
        prefix: str = "p",
        *,
        name_en: str | None = None,
        bio_en: str | None = None,
    ) -> str:
        """The id of a person: from their source id (``p1234``, a pretalx code, a guid), so that two
        people with one display name stay two; by exact name only when the source has no id."""
        name = " ".join((name or "").split()) or "?"
        raw = str(source_id).strip().lower() if source_id not in (None, "") else ""
        if raw:
            sid = (prefix + raw) if raw.isdigit() else re.sub(r"[^a-z0-9_-]+", "-", raw).strip("-_") or "x"
        elif name in self._by_name:
            sid = self._by_name[name]
        else:
            base = sid = slug(name)
            n = 1
            while sid in self.speakers:
                n += 1
                sid = f"{base}-{n}"
            self._by_name[name] = sid
        known = self.speakers.get(sid)
        text = plain(bio)
        if known is None or (text and not known.bio):
            english = " ".join((name_en or "").split())
            self.speakers[sid] = Speaker(
                id=sid,
                name=name,
                name_en=english if english not in ("", name) else None,
                bio=text or (known.bio if known else ""),
                bio_en=plain(bio_en) or None,
            )
        return sid

    def add(self, event: Event) -> None:
        """Add one talk."""
        self.events.append(event)

    def content(
        self, conference: dict[str, Any], zone_name: str | None, previous: Mapping[str, int] | None = None
    ) -> ContentFile:
        """The content: talk ids given out stably, the zone settled, everything validated.

        ``conference`` has ``id``, ``name``, and optionally ``url``, ``venue`` and ``days`` (the
        dates the source lists: they become ``first_day`` and ``last_day``), ``name_en``, and
        ``city`` (a city the source names, for the zone)."""
        ids, last = assign_ids(self.events, previous or {})
        tz = zone_name or self._zone(conference)
        first_slot = {e.identities()[0]: ids[id(e)] for e in self.events if e.slot == 1}
        talks = []
        for event in self.events:
            end = event.end if event.start is not None and event.end and event.end > event.start else None
            first = first_slot.get(event.identities()[0].rsplit("/", 1)[0]) if event.slot > 1 else None
            try:
                talks.append(
                    Talk(
                        id=ids[id(event)],
                        repeat_of=first,
                        kind=event.kind,
                        title=event.title.strip() or (event.title_en or "").strip() or "(untitled)",
                        title_en=(event.title_en or "").strip() or None,
                        abstract=event.abstract,
                        abstract_en=event.abstract_en or None,
                        tags=list(dict.fromkeys(t for t in event.tags if t)),
                        tags_zh=list(dict.fromkeys(t for t in event.tags_zh if t)),
                        speakers=list(dict.fromkeys(event.speakers)),
                        room=self.room(event.room),
                        track=self.track(event.track, event.track_en),
                        start=event.start,
                        end=end if end is not None else None,
                        duration=None if end is not None or event.start is None else 30,
                        links=list(dict.fromkeys(u for u in event.links if u)),
                        slides=event.slides,
                        recording=event.recording,
                        language=event.language or None,
                        guid=event.guid,
                        code=event.code,
                        cancelled=event.cancelled,
                    )
                )
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(x) for x in err["loc"])
                raise self.error(f"{loc}: {err['msg']}" if loc else err["msg"], event.place) from None
        try:
            cid = str(conference.get("id") or "").strip()
            days = sorted(_dates(conference.get("days") or []))
            conf = Conference(
                id=conference_id(cid),
                name=str(conference.get("name") or "Conference").strip() or "Conference",
                name_en=conference.get("name_en") or None,
                timezone=tz,
                last_talk_id=last,
                url=conference.get("url") or None,
                venue=conference.get("venue") or None,
                first_day=min(days, default=None),
                last_day=max(days, default=None),
                rooms=list(self.rooms.values()),
                tracks=list(self.tracks.values()),
            )
            return ContentFile(conference=conf, speakers=list(self.speakers.values()), talks=talks)
        except ValidationError as exc:
            raise self.error(str(exc.errors()[0]["msg"]), "conference") from None

    def _zone(self, conference: dict[str, Any]) -> str:
        """The zone of a source that names none: its city's (when its times' offsets agree), else
        the offsets'; a source with neither is refused, naming ``--timezone`` and a zone to try."""
        venue = conference.get("venue") or {}
        places = (
            conference.get("city"),
            venue.get("address") if isinstance(venue, dict) else None,
            venue.get("name") if isinstance(venue, dict) else str(venue),
            conference.get("name"),
            conference.get("name_en"),
        )
        found = zone_of_place(*places)
        offsets = [e.start for e in self.events if e.start is not None and e.start.utcoffset() is not None]
        if found and all(s.astimezone(ZoneInfo(found)).utcoffset() == s.utcoffset() for s in offsets):
            return found
        from_offsets = _zone_from_offsets(self.events)
        if from_offsets:
            return from_offsets
        if found:
            return found
        if not offsets and any(e.start is not None for e in self.events):
            raise self.error(
                "the schedule names no time zone, its times have no UTC offset, and no city or venue "
                "in it names one; give the zone with --timezone, e.g. "
                f"--timezone {zone_to_try(*places)}",
                "conference",
            )
        return "UTC"  # nothing is scheduled: no time to read in any zone


def _dates(values: list[object]) -> set[date]:
    """The conference days a source states (``2026-02-07`` or a date-time's date part)."""
    found = set()
    for value in values:
        try:
            found.add(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return found


def _zone_from_offsets(events: list[Event]) -> str | None:
    """A fixed-offset zone for a source that states only offsets: the most common one."""
    offsets = Counter(off for e in events if e.start is not None and (off := e.start.utcoffset()) is not None)
    if not offsets:
        return None
    seconds = int(offsets.most_common(1)[0][0].total_seconds())
    if seconds == 0:
        return "UTC"
    if seconds % 3600:
        return None  # no Etc zone for half-hour offsets; each time keeps its own offset anyway
    hours = seconds // 3600
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"  # Etc/GMT signs are inverted


def _start_order(event: Event) -> tuple[datetime, str, str]:
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    start = event.start
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo("UTC"))  # only orders naive times among themselves
    return (start or far, event.room or "", event.identities()[0])


def assign_ids(events: list[Event], previous: Mapping[str, int]) -> tuple[dict[int, int], int]:
    """Talk ids, stable across re-imports: the id a previous import gave the same key; else the
    source's own numeric id; else the next short number (1, 2, 3... in time order) above every
    number given before, so a removed talk's number is not given to another talk.

    Returns the ids (by ``id(event)``) and the highest number given out so far."""
    taken: set[int] = set()
    given: dict[int, int] = {}
    pending: list[Event] = []
    for event in events:
        wanted = next((previous[k] for k in event.identities() if k in previous), None)
        if wanted is not None and 0 < wanted <= MAX_TALK_ID and wanted not in taken:
            given[id(event)] = wanted
            taken.add(wanted)
        else:
            pending.append(event)
    later = []
    for event in pending:
        try:
            wanted = int(str(event.source_id))
        except ValueError:
            wanted = 0
        if 0 < wanted <= MAX_TALK_ID and wanted not in taken:
            given[id(event)] = wanted
            taken.add(wanted)
        else:
            later.append(event)
    before = [n for k, n in previous.items() if k != LAST and 0 < n <= MAX_TALK_ID]
    last = max([previous.get(LAST, 0), *before], default=0)
    number = last if last < MAX_TALK_ID else 0
    for event in sorted(later, key=_start_order):
        number += 1
        while number in taken:
            number += 1
        given[id(event)] = number
        taken.add(number)
    return given, max([last, *taken], default=0)


def previous_ids(content: ContentFile | Programme | None) -> dict[str, int]:
    """Key → talk id of an earlier import or the running programme (guids, codes, ids), to give
    the same talks the same ids."""
    if content is None:
        return {}
    keys: dict[str, int] = {}
    if content.conference is not None and content.conference.last_talk_id:
        keys[LAST] = content.conference.last_talk_id
    repeats: dict[int, list[Talk]] = {}
    for talk in content.talks:
        if talk.repeat_of is not None:
            repeats.setdefault(talk.repeat_of, []).append(talk)
    slots = {  # a repeat's slot number: 2, 3... in time order, as the importers number them
        t.id: n
        for group in repeats.values()
        for n, t in enumerate(sorted(group, key=lambda t: (t.start is None, t.start and t.start.isoformat(), t.id)), 2)
    }
    for talk in content.talks:
        slot = f"/{slots[talk.id]}" if talk.id in slots else ""
        for key in (talk.guid and talk.guid.lower(), talk.code and f"code:{talk.code}"):
            if key:
                keys[key + slot] = talk.id
        keys[f"id:{talk.id}"] = talk.id
    return keys
