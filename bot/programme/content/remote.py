"""A published schedule at a URL: one conditional GET (ETag / If-Modified-Since) and parsing its body.

The body is any schedule the importers read (c3voc JSON v1/v2, frab/Pentabarf XML, a pretalx
API dump), detected from its content.
Every failure is a :class:`RemoteError` with one line that says what went wrong, never a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from bot.programme.content import conflicts
from bot.programme.content.importers import ScheduleError, load_schedule
from bot.programme.content.importers.fetch import MAX_REDIRECTS, CrossOrigin, FetchPolicy, redirect_target
from bot.programme.content.loader import ContentError, Problem
from bot.programme.content.programme import Programme

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
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    policy: FetchPolicy | None = None,
) -> Fetched:
    """GET ``url``, conditionally when validators of an earlier answer are given; abandoned after
    ``policy.seconds`` in all, redirects followed within the URL's origin only (unless the policy
    allows any)."""
    policy = policy or FetchPolicy()
    try:
        async with asyncio.timeout(policy.seconds):  # a server dripping bytes never trips a read timeout
            return await _fetch(client, url, etag=etag, last_modified=last_modified, policy=policy)
    except TimeoutError:
        raise RemoteError(f"{url}: {policy.abandoned()}") from None
    except CrossOrigin as exc:
        raise RemoteError(f"{url}: {exc}") from None
    except httpx.InvalidURL as exc:
        raise RemoteError(f"{url}: not a usable URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise RemoteError(f"{url}: unreachable ({type(exc).__name__}: {exc or 'no detail'})") from None


async def _fetch(
    client: httpx.AsyncClient, url: str, *, etag: str | None, last_modified: str | None, policy: FetchPolicy
) -> Fetched:
    headers = {"Accept": "application/json, application/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        async with client.stream(
            "GET", current, headers=headers, timeout=TIMEOUT_SECONDS, follow_redirects=False
        ) as response:
            if response.has_redirect_location:
                current = redirect_target(current, response, start=url, policy=policy)
                continue
            if response.status_code == 304:
                return Fetched(None, etag, last_modified)
            if response.status_code != 200:
                raise RemoteError(f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
            body = bytearray()
            async for chunk in response.aiter_bytes():  # streamed: a huge body is cut off, not held whole
                body += chunk
                if len(body) > MAX_BYTES:
                    raise RemoteError(f"{url}: more than the {MAX_BYTES} bytes a schedule may have")
            return Fetched(bytes(body), response.headers.get("ETag"), response.headers.get("Last-Modified"))
    raise RemoteError(f"{url}: more than {MAX_REDIRECTS} redirects; not followed")


def parse(body: bytes, source: str, *, previous: Mapping[str, int] | None = None) -> Programme:
    """The schedule in ``body`` (any format :mod:`bot.programme.content.importers` reads) as a programme;
    ContentError naming ``source`` if it is not one or has no talks. ``previous`` (from
    ``previous_ids``) keeps the talk ids an earlier import gave."""
    try:
        programme = Programme.from_content(load_schedule(body, source, previous=previous))
    except ScheduleError as exc:
        raise ContentError([Problem(source, None, exc.place, f"cannot import the schedule: {exc.message}")]) from None
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ContentError([Problem(source, None, "", f"cannot import the schedule: {first}")]) from None
    if not programme.talks:
        raise ContentError([Problem(source, None, "talks", "the schedule has no talks")])
    return programme


def problems_of(programme: Programme, source: str) -> list[Problem]:
    """The schedule's conflicts as problems (for ``confbot content check`` of a URL or a sync)."""
    return [Problem(source, None, f"talk {c.first.id}", f"schedule conflict: {c}") for c in conflicts.find(programme)]
