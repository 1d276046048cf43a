"""pretalx's REST API (``/api/events/<slug>/``): the event, its rooms, speakers and submissions.

The importer reads a *bundle* ``{"event": {...}, "rooms": [...], "speakers": [...],
"submissions": [...]}`` that :mod:`bot.programme.content.importers.fetch` assembles page by page; a saved
API answer (a page ``{"count", "next", "results"}`` or a list of submissions) imports too.
Both API generations are read: the current one (``slots`` with room ids, ``speakers`` as codes,
``?expand=`` objects) and the legacy ``/talks/`` one (one ``slot`` with an i18n room name,
``speakers`` as objects). Only submissions with a scheduled slot become talks, one per slot (the
second slot of a talk is a talk with ``repeat_of``); talk numbers are kept by submission code (the
API has no numeric id), so they stay the same on every import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from bot.programme.content.importers.build import Builder, Event, i18n, kind_of, parse_time, zone
from bot.programme.content.importers.errors import EmptySchedule
from bot.programme.content.importers.plaintext import plain
from bot.programme.content.importers.resources import Media, recording_of, slides_of, web_url
from bot.programme.content.schema import ContentFile

API = "pretalx API"
SCHEDULED_STATES = {None, "", "confirmed", "accepted"}


def bundle_of(data: object) -> dict[str, Any] | None:
    """The bundle a JSON document stands for, or None when it is not pretalx API data.

    Besides the bundle itself, an API page and a bare list of submissions, a file that keeps the
    API's submissions somewhere inside (PyConFR's ``schedule.json``: ``schedule → day → minute →
    room → submission``, with ``rooms`` and ``speakers`` at the top) is read: its submissions are
    found wherever they are, each once."""
    if isinstance(data, dict) and isinstance(data.get("submissions"), list):
        return data
    items = data.get("results") if isinstance(data, dict) else data
    if isinstance(items, list) and items and all(_is_submission(x) for x in items):
        return {"submissions": items}
    found = _submissions_within(data)
    if not found:
        return None
    bundle: dict[str, Any] = {"submissions": found}
    if isinstance(data, dict):
        for key in ("event", "rooms", "speakers", "tracks"):
            value = data.get(key)
            bundle[key] = list(value.values()) if isinstance(value, dict) and key != "event" else value
    return bundle


def _is_submission(value: object) -> bool:
    return isinstance(value, dict) and "code" in value and "title" in value


def _submissions_within(data: object) -> list[dict[str, Any]]:
    """Every object with a ``code``, a ``title`` and ``slots`` (or a ``slot``) inside ``data``,
    once per code, in the order met."""
    found: dict[str, dict[str, Any]] = {}
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if _is_submission(value) and ("slots" in value or "slot" in value):
                found.setdefault(str(value["code"]), value)
                continue
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return list(found.values())


def _slots(sub: Mapping[str, Any], slots_by_id: Mapping[Any, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for slot in sub.get("slots") or []:
        if isinstance(slot, dict):
            found.append(slot)
        elif slot in slots_by_id:
            found.append(slots_by_id[slot])
    legacy = sub.get("slot")
    if isinstance(legacy, dict):
        found.append(legacy)
    return sorted((s for s in found if s.get("start")), key=lambda s: str(s.get("start")))


def import_api(
    bundle: Mapping[str, Any], name: str, *, source: str, timezone: str | None, previous: Mapping[str, int]
) -> ContentFile:
    """The scheduled, confirmed submissions of a pretalx API bundle."""
    b = Builder(source, API)
    event = bundle.get("event") or {}
    rooms: dict[Any, str] = {}
    for room in _listed(bundle.get("rooms")):
        if isinstance(room, dict):
            rooms[room.get("id")] = i18n(room.get("name"))
            b.room(rooms[room.get("id")])
    people = {p.get("code"): p for p in _listed(bundle.get("speakers")) if isinstance(p, dict)}
    tracks = {t.get("id"): i18n(t.get("name")) for t in bundle.get("tracks") or [] if isinstance(t, dict)}
    slots_by_id = {s.get("id"): s for s in bundle.get("slots") or [] if isinstance(s, dict)}
    tags = {t.get("id"): i18n(t.get("tag") or t.get("name")) for t in bundle.get("tags") or [] if isinstance(t, dict)}
    submissions = [s for s in bundle.get("submissions") or [] if isinstance(s, dict)]
    states: Counter[str] = Counter()
    unscheduled = 0
    for n, sub in enumerate(submissions):
        state = sub.get("state")
        if state not in SCHEDULED_STATES:
            states[str(state)] += 1
            continue
        place = f"submission {sub.get('code') or n}"
        with b.at(place):
            slots = _slots(sub, slots_by_id)
            if not slots:
                unscheduled += 1
                continue
            speakers = [_speaker(b, s, people) for s in b.people(sub.get("speakers"), place, "speakers")]
            for n, slot in enumerate(slots, 1):  # a talk given several times: one entry per slot
                start = parse_time(slot.get("start"), place + ", slot start", source)
                end = parse_time(slot.get("end"), place + ", slot end", source) if slot.get("end") else None
                b.add(
                    Event(
                        source_id=None,
                        code=str(sub.get("code") or "") or None,
                        title=i18n(sub.get("title")),
                        start=start,
                        end=end,
                        room=_room(slot, rooms),
                        place=place,
                        speakers=speakers,
                        abstract="\n\n".join(
                            x for x in (plain(sub.get("abstract")), plain(sub.get("description"))) if x
                        ),
                        track=_named(sub.get("track"), tracks),
                        kind=kind_of(_named(sub.get("submission_type"), {})),
                        language=sub.get("content_locale") or None,
                        links=[
                            str(r.get("resource") or r.get("link") or "")
                            for r in sub.get("resources") or []
                            if isinstance(r, dict)
                        ],
                        tags=[t for t in (_named(x, tags) for x in sub.get("tags") or []) if t],
                        slot=n,
                        **_media(sub),
                    )
                )
    if not b.events:
        why = [f"{len(submissions)} submissions"]
        if states:
            why.append("not confirmed: " + ", ".join(f"{n} {s}" for s, n in states.most_common()))
        if unscheduled:
            why.append(f"{unscheduled} confirmed without a scheduled slot (is the schedule released?)")
        raise EmptySchedule(source, f"detected {API}, but no submission is scheduled ({'; '.join(why)})", format=API)
    tz = zone(event.get("timezone")) or timezone
    conference = {
        "id": event.get("slug") or name,
        "name": i18n(event.get("name")) or event.get("slug") or name,
        "days": [event.get("date_from"), event.get("date_to")],
    }
    return b.content(conference, tz, previous)


def _media(sub: Mapping[str, Any]) -> Media:
    """Slides among the speaker's resources (a .pdf/.ppt/.key file, or "slides" in its description);
    the recording when the submission carries one."""
    pairs = [
        (url, i18n(r.get("description")))
        for r in sub.get("resources") or []
        if isinstance(r, dict) and (url := web_url(r.get("resource") or r.get("link")))
    ]
    video = web_url(sub.get("recording_url")) or web_url(sub.get("recording")) or web_url(sub.get("video"))
    return Media(slides=slides_of(pairs, pdf=True), recording=video or recording_of(pairs))


def _listed(value: object) -> list[Any]:
    """A list of objects, also when a saved file keys them by id (``{"XDTLAR": {...}}``)."""
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else []


def _room(slot: Mapping[str, Any], rooms: Mapping[Any, str]) -> str | None:
    room = slot.get("room")
    if isinstance(room, dict) and "name" in room:
        return i18n(room["name"])
    if isinstance(room, dict | str):  # legacy: the i18n name itself
        return i18n(room)
    return rooms.get(room) or rooms.get(slot.get("room_id")) or (str(room) if room is not None else None)


def _named(value: object, names: Mapping[Any, str]) -> str | None:
    if isinstance(value, dict):
        return i18n(value.get("name", value.get("tag", value))) or None
    if isinstance(value, str):
        return value or None
    return names.get(value)


def _speaker(b: Builder, person: object, people: Mapping[Any, Mapping[str, Any]]) -> str:
    if isinstance(person, dict):
        data = {**people.get(person.get("code"), {}), **person}
    else:
        data = dict(people.get(person, {"code": person, "name": str(person)}))
    return b.speaker(str(data.get("name") or data.get("code") or "?"), data.get("code"), data.get("biography"))
