"""COSCUP's ``session.json``, the schedule the OPass app reads (``coscup.org/<year>/json/session.json``).

``{"sessions": [...], "speakers": [...], "session_types": [...], "rooms": [...], "tags": [...]}``.
A session has ``id``, ``type`` (a session type's id: COSCUP's community tracks), ``room`` (a
room's id), ``start`` / ``end`` (ISO with an offset), ``language``, ``zh`` and ``en`` (each
``{"title", "description"}``), ``speakers`` (speaker ids), ``tags`` (tag ids) and links (``uri``,
``slide``, ``record``, ``qa``, ``co_write``, ``live``). Speakers, rooms, types and tags carry their
names the same way: ``{"id", "zh": {"name", ...}, "en": {"name", ...}}``.

The Chinese text (Traditional, as COSCUP writes it) is the talk's own, the English its ``_en``
twin; a session type is the talk's track, and its English name gives the kind (workshop, panel...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.programme.content.importers.build import Builder, Event, kind_of, parse_time
from bot.programme.content.importers.errors import EmptySchedule
from bot.programme.content.importers.plaintext import plain
from bot.programme.content.schema import ContentFile

OPASS = "COSCUP/OPass session.json"


def looks_like(value: object) -> bool:
    """Whether a JSON document is an OPass ``session.json``."""
    if not isinstance(value, dict) or not isinstance(value.get("sessions"), list):
        return False
    if any(key in value for key in ("session_types", "rooms", "speakers")):
        return True
    return any(isinstance(s, dict) and ("zh" in s or "en" in s) for s in value["sessions"][:5])


def _text(item: Mapping[str, Any], lang: str, key: str) -> str:
    part = item.get(lang)
    value = part.get(key) if isinstance(part, dict) else None
    return value.strip() if isinstance(value, str) else ""


def _names(items: object) -> dict[str, tuple[str, str]]:
    """id → (Chinese name, English name) of the rooms, types or tags."""
    found: dict[str, tuple[str, str]] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") not in (None, ""):
            zh, en = _text(item, "zh", "name"), _text(item, "en", "name")
            found[str(item["id"])] = (zh or en or str(item["id"]), en or zh or str(item["id"]))
    return found


def import_sessions(
    data: Mapping[str, Any], name: str, *, source: str, timezone: str | None, previous: Mapping[str, int]
) -> ContentFile:
    """An OPass ``session.json``: every session with a start becomes a talk."""
    b = Builder(source, OPASS)
    rooms, types, tags = _names(data.get("rooms")), _names(data.get("session_types")), _names(data.get("tags"))
    for zh, en in rooms.values():  # every room, in the file's order
        b.room(zh, en)
    people: dict[str, Mapping[str, Any]] = {
        str(p["id"]): p for p in data.get("speakers") or [] if isinstance(p, dict) and p.get("id") not in (None, "")
    }
    sessions = data["sessions"]
    for n, session in enumerate(sessions):
        place = f"sessions[{n}]"
        if not isinstance(session, dict):
            raise b.error(f"expected a session object, not {session!r}"[:200], place)
        place = f"sessions[{n}] ({session.get('id') or '?'})"
        with b.at(place):
            event = _session(b, session, place, rooms, types, tags, people)
            if event is not None:
                b.add(event)
    if not b.events:
        raise EmptySchedule(
            source, f"detected {OPASS}, but none of its {len(sessions)} sessions has a start time", format=OPASS
        )
    conference = {"id": name, "name": name, "days": [e.start.isoformat() for e in b.events if e.start]}
    return b.content(conference, timezone, previous)


def _session(
    b: Builder,
    session: Mapping[str, Any],
    place: str,
    rooms: Mapping[str, tuple[str, str]],
    types: Mapping[str, tuple[str, str]],
    tags: Mapping[str, tuple[str, str]],
    people: Mapping[str, Mapping[str, Any]],
) -> Event | None:
    if not session.get("start"):
        return None
    start = parse_time(session.get("start"), place + ", start", b.source)
    end = parse_time(session.get("end"), place + ", end", b.source) if session.get("end") else None
    room = rooms.get(str(session.get("room") or ""))
    kind = types.get(str(session.get("type") or ""))
    speakers = []
    for sid in b.people(session.get("speakers"), place, "speakers"):
        person = people.get(str(sid), {})
        zh, en = _text(person, "zh", "name"), _text(person, "en", "name")
        speakers.append(
            b.speaker(
                zh or en or str(sid),
                sid,
                _text(person, "zh", "bio") or _text(person, "en", "bio"),
                name_en=en,
                bio_en=_text(person, "en", "bio"),
            )
        )
    named = [tags.get(str(t), (str(t), str(t))) for t in session.get("tags") or [] if t not in (None, "")]
    zh_title, en_title = _text(session, "zh", "title"), _text(session, "en", "title")
    zh_text, en_text = plain(_text(session, "zh", "description")), plain(_text(session, "en", "description"))
    return Event(
        source_id=None,
        code=str(session.get("id") or "") or None,
        title=zh_title or en_title,
        title_en=en_title if en_title and en_title != zh_title else None,
        start=start,
        end=end,
        room=room[0] if room else (str(session["room"]) if session.get("room") else None),
        place=place,
        speakers=speakers,
        abstract=zh_text or en_text,
        abstract_en=en_text if en_text and en_text != zh_text else None,
        track=kind[0] if kind else None,
        track_en=kind[1] if kind else None,
        kind=next((k for k in (kind_of(kind[1] if kind else ""), kind_of(en_title)) if k != "talk"), "talk"),
        language=str(session.get("language") or "") or None,
        links=[str(session[k]) for k in ("uri", "slide", "record") if isinstance(session.get(k), str) and session[k]],
        tags=[en for _, en in named],
        tags_zh=[zh for zh, en in named if zh != en],
    )
