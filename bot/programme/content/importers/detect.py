"""Which format a schedule is in, from its content alone (never from its name or URL)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from bot.programme.content.importers import c3voc, frab_xml, opass, pretalx
from bot.programme.content.importers.errors import ScheduleError

FORMATS = (c3voc.V1, c3voc.V2, frab_xml.FRAB, frab_xml.PENTABARF, pretalx.API, opass.OPASS)


@dataclass(frozen=True)
class Detected:
    """A parsed document and the format it is in (one of ``FORMATS``)."""

    format: str
    document: Any  # the JSON value, the XML root, or the pretalx bundle


def decode(data: bytes, source: str) -> str:
    """The text of a schedule (UTF-8, with or without a byte-order mark)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScheduleError(source, f"not UTF-8 text ({exc.reason})", place=f"byte {exc.start}") from None


def detect(data: bytes, source: str) -> Detected:
    """Parse ``data`` and name its format; a ScheduleError says what it is instead."""
    text = decode(data, source)
    head = text.lstrip()[:1]
    if head == "<":
        root = frab_xml.parse(text.encode(), source)
        if root.tag == "schedule" and root.find("conference") is not None:
            return Detected(frab_xml.flavour(root), root)
        raise ScheduleError(
            source,
            f"XML with root <{root.tag}> is not a frab or Pentabarf schedule (<schedule><conference>); "
            "a conference's own XML format is not supported: export frab XML or c3voc JSON instead",
            place="line 1",
        )
    if head in ("{", "["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScheduleError(
                source, f"not valid JSON: {exc.msg}", place=f"line {exc.lineno}, column {exc.colno}"
            ) from None
        return _json(value, source)
    raise ScheduleError(source, "neither JSON nor XML: not a schedule this bot reads", place="line 1")


def _json(value: Any, source: str) -> Detected:
    if isinstance(value, dict):
        schedule = value.get("schedule", value)
        if isinstance(schedule, dict) and "events" in schedule and "schedule" in value:
            return Detected(c3voc.V2, value)
        if isinstance(schedule, dict) and isinstance(schedule.get("conference"), dict):
            return Detected(c3voc.V1, value)
    if opass.looks_like(value):
        return Detected(opass.OPASS, value)
    bundle = pretalx.bundle_of(value)
    if bundle is not None:
        return Detected(pretalx.API, bundle)
    keys = ", ".join(list(value)[:8]) if isinstance(value, dict) else f"a list of {len(value)} items"
    raise ScheduleError(
        source,
        "JSON, but not a schedule this bot reads: expected schedule.conference.days (c3voc v1), "
        "schedule.events (c3voc v2), pretalx API submissions (with their slots) or sessions (COSCUP/OPass "
        f"session.json); found {keys or 'nothing'}",
    )


def is_xml(document: object) -> bool:
    """Whether a detected document is an XML tree."""
    return isinstance(document, ElementTree.Element)
