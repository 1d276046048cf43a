"""Export a frab-compatible c3voc ``schedule.json`` (version 1) whose event ids are the talk ids.

Importing every format lives in :mod:`bot.programme.content.importers`.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.programme.content.programme import Programme


def export_json(programme: Programme) -> dict[str, Any]:
    """A frab-compatible ``schedule.json``; each event's ``id`` is the talk id."""
    conf = programme.conference
    tz = programme.tz
    days = []
    for index, day in enumerate(programme.days(), 1):
        rooms: dict[str, list[dict[str, Any]]] = {r.name: [] for r in conf.rooms}
        for talk in programme.talks:
            if talk.start is None or talk.start.astimezone(tz).date() != day:
                continue
            room = programme.room(talk.room)
            minutes = int((talk.end - talk.start).total_seconds() // 60) if talk.end else 0
            track = programme.track(talk.track)
            rooms.setdefault(room.name if room else (talk.room or ""), []).append(
                {
                    "id": talk.id,
                    "guid": talk.guid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"confbot:{conf.id}:{talk.id}")),
                    "date": talk.start.astimezone(tz).isoformat(),
                    "start": talk.start.astimezone(tz).strftime("%H:%M"),
                    "duration": f"{minutes // 60:02d}:{minutes % 60:02d}",
                    "room": room.name if room else talk.room,
                    "slug": f"{conf.id}-{talk.id}",
                    "title": talk.title,
                    "subtitle": talk.title_en or "",
                    "track": track.name if track else None,
                    "type": talk.kind,
                    "language": talk.language or "zh",
                    "abstract": talk.abstract,
                    "description": "\n".join(talk.outline),
                    "persons": [
                        {"id": s.id, "public_name": s.name, "biography": s.bio} for s in programme.speakers_of(talk)
                    ],
                    "links": [{"url": u, "title": u} for u in talk.links],
                    "do_not_record": False,
                }
            )
        days.append({"index": index, "date": day.isoformat(), "rooms": rooms})
    return {
        "schedule": {
            "version": "confbot",
            "conference": {
                "acronym": conf.id,
                "title": conf.name,
                "time_zone_name": conf.timezone,
                "start": days[0]["date"] if days else None,
                "end": days[-1]["date"] if days else None,
                "daysCount": len(days),
                "days": days,
            },
        }
    }
