"""A published schedule at a URL: one conditional GET (ETag / If-Modified-Since) and parsing its body.

The body is a frab/pretalx ``schedule.json`` or ``schedule.xml``, told apart by its first character.
Every failure is a :class:`RemoteError` with one line that says what went wrong, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from bot.content import conflicts
from bot.content.frab import import_json, import_xml
from bot.content.loader import ContentError, Problem
from bot.content.programme import Programme

TIMEOUT_SECONDS = 30.0
MAX_BYTES = 50 * 1024 * 1024  # a FOSDEM-sized schedule.xml is a few MB


class RemoteError(Exception):
    """The schedule could not be fetched (unreachable, an HTTP error, too large)."""


@dataclass(frozen=True)
class Fetched:
    """A 200's body and its validators, or ``body=None`` for a 304 Not Modified."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None


async def fetch(
    client: httpx.AsyncClient, url: str, *, etag: str | None = None, last_modified: str | None = None
) -> Fetched:
    """GET ``url``, conditionally when validators of an earlier answer are given."""
    headers = {"Accept": "application/json, application/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = await client.get(url, headers=headers, timeout=TIMEOUT_SECONDS, follow_redirects=True)
    except httpx.InvalidURL as exc:
        raise RemoteError(f"{url}: not a usable URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise RemoteError(f"{url}: unreachable ({type(exc).__name__}: {exc or 'no detail'})") from None
    if response.status_code == 304:
        return Fetched(None, etag, last_modified)
    if response.status_code != 200:
        raise RemoteError(f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
    if len(response.content) > MAX_BYTES:
        raise RemoteError(f"{url}: {len(response.content)} bytes, more than the {MAX_BYTES} a schedule may have")
    return Fetched(response.content, response.headers.get("ETag"), response.headers.get("Last-Modified"))


def parse(body: bytes, source: str) -> Programme:
    """The schedule in ``body`` as a programme; ContentError naming ``source`` if it is not one."""
    try:
        text = body.decode("utf-8-sig")
        stripped = text.lstrip()
        if stripped.startswith("{"):
            content = import_json(text)
        elif stripped.startswith("<"):
            content = import_xml(text)
        else:
            raise ValueError("neither a schedule.json nor a schedule.xml (it does not start with { or <)")
        programme = Programme.from_content(content)
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ContentError([Problem(source, None, "", f"cannot import the schedule: {first}")]) from None
    if not programme.talks:
        raise ContentError([Problem(source, None, "talks", "the schedule has no talks")])
    return programme


def problems_of(programme: Programme, source: str) -> list[Problem]:
    """The schedule's conflicts as problems (for ``confbot content check`` of a URL or a sync)."""
    return [Problem(source, None, f"talk {c.first.id}", f"schedule conflict: {c}") for c in conflicts.find(programme)]
