"""Schedule importers: every common export, each detected from the file itself.

The entry points (used by ``confbot content import|check`` and the live sync):

- :func:`load_schedule` ``(data, source)`` reads bytes in any supported format;
- :func:`fetch_schedule` ``(url, token=None)`` fetches a URL (a schedule file, or a pretalx event's
  API root ``…/api/events/<slug>/``, page by page) and reads it;
- both take ``timezone`` (used only when the source names no zone) and ``previous`` (key → talk
  id of an earlier import, from :func:`previous_ids`) so that re-imports keep talk ids;
- both raise :class:`ScheduleError` naming the source, the place and the problem, and
  :class:`EmptySchedule` (a ScheduleError) when a known format holds no talk; any other exception
  an importer hits on malformed data becomes a ScheduleError too (:func:`~.errors.guarded`).

Formats: c3voc ``schedule.json`` v1 and v2 (:mod:`.c3voc`), frab and Pentabarf XML
(:mod:`.frab_xml`), pretalx's REST API and files that keep its submissions (:mod:`.pretalx`),
COSCUP/OPass ``session.json`` (:mod:`.opass`). ``name`` / ``name_en`` name the conference (else
the source's name, else the file's). See docs/content.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from bot.programme.content.importers import c3voc, frab_xml, opass, pretalx
from bot.programme.content.importers.build import conference_id, previous_ids
from bot.programme.content.importers.detect import FORMATS, Detected, detect
from bot.programme.content.importers.errors import EmptySchedule, ScheduleError, guarded
from bot.programme.content.importers.fetch import FetchPolicy, fetch_api, get_bytes, is_api
from bot.programme.content.schema import ContentFile

__all__ = [
    "FORMATS",
    "EmptySchedule",
    "ScheduleError",
    "detect",
    "fetch_schedule",
    "is_url",
    "load_schedule",
    "named",
    "previous_ids",
]


def is_url(source: str) -> bool:
    """Whether ``source`` is an http(s) URL rather than a file."""
    return urlsplit(source).scheme in ("http", "https")


def _name(source: str) -> str:
    """A fallback conference id from a file name or URL (``fosdem2018.xml`` → ``fosdem2018``)."""
    path = urlsplit(source).path if is_url(source) else source
    stem = PurePosixPath(path.rstrip("/")).stem
    return (
        stem
        if stem not in ("", "schedule", "export", "api", "session", "sessions")
        else (urlsplit(source).hostname or "conference")
    )


def load_schedule(
    data: bytes,
    source: str,
    *,
    timezone: str | None = None,
    previous: Mapping[str, int] | None = None,
    name: str | None = None,
    name_en: str | None = None,
) -> ContentFile:
    """Read a schedule in any supported format; ``source`` names it in errors."""
    with guarded(source):
        content = _convert(detect(data, source), source, timezone=timezone, previous=previous or {})
    return named(content, source, name, name_en)


def named(content: ContentFile, source: str, name: str | None, name_en: str | None) -> ContentFile:
    """The content with the conference called ``name`` (and ``name_en``); a conference whose id
    came from the file's name gets one from ``name_en`` or ``name`` too."""
    conference = content.conference
    if conference is None or not (name or name_en):
        return content
    update: dict[str, object] = {}
    if name and name.strip():
        update["name"] = name.strip()
    if name_en and name_en.strip():
        update["name_en"] = name_en.strip()
    if conference.id in (conference_id(_name(source)), "conference"):
        update["id"] = conference_id(str(update.get("name_en") or update.get("name")))
    return content.model_copy(update={"conference": conference.model_copy(update=update)})


def fetch_schedule(
    url: str,
    token: str | None = None,
    *,
    timezone: str | None = None,
    previous: Mapping[str, int] | None = None,
    client: httpx.Client | None = None,
    policy: FetchPolicy | None = None,
    name: str | None = None,
    name_en: str | None = None,
) -> ContentFile:
    """Fetch ``url`` (a schedule file, or a pretalx API root followed page by page) and read it,
    within ``policy`` (an overall deadline; redirects within the URL's origin by default)."""
    if is_api(url):
        with guarded(url):
            bundle = fetch_api(url, token, client, policy=policy)
            content = _convert(Detected(pretalx.API, bundle), url, timezone=timezone, previous=previous or {})
        return named(content, url, name, name_en)
    data = get_bytes(url, token, client, policy=policy)
    return load_schedule(data, url, timezone=timezone, previous=previous, name=name, name_en=name_en)


def _convert(found: Detected, source: str, *, timezone: str | None, previous: Mapping[str, int]) -> ContentFile:
    fallback = _name(source)
    if found.format == c3voc.V1:
        return c3voc.import_v1(found.document, fallback, timezone=timezone, previous=previous, source=source)
    if found.format == c3voc.V2:
        return c3voc.import_v2(found.document, fallback, timezone=timezone, previous=previous, source=source)
    if found.format in (frab_xml.FRAB, frab_xml.PENTABARF):
        return frab_xml.import_xml(found.document, fallback, timezone=timezone, previous=previous, source=source)
    if found.format == opass.OPASS:
        return opass.import_sessions(found.document, fallback, timezone=timezone, previous=previous, source=source)
    return pretalx.import_api(found.document, fallback, timezone=timezone, previous=previous, source=source)
