"""Fetching a schedule over HTTP(S) with httpx: a file URL (pretalx's
``schedule/export/schedule.json`` or ``.xml``, a c3voc or frab export), or pretalx's REST API,
followed page by page along its ``next`` links."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bot.programme.content.importers.errors import ScheduleError

API_PATH = re.compile(r"^(?P<base>.*/api/events/[^/]+)/?$")
MAX_PAGES = 500
MAX_BYTES = 50 * 1024 * 1024  # one schedule file or one API page (a FOSDEM-sized XML is a few MB)
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # every page of one API fetch together
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def is_api(url: str) -> bool:
    """Whether ``url`` is a pretalx event's API root (``.../api/events/<slug>/``)."""
    return bool(API_PATH.match(urlsplit(url)._replace(query="", fragment="").geturl()))


def _headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json, application/xml;q=0.9, */*;q=0.5", "User-Agent": "confbot"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return headers


class _Budget:
    """The bytes one fetch may still read (every page of an API fetch shares one budget)."""

    def __init__(self, total: int | None = None) -> None:
        self.left = MAX_TOTAL_BYTES if total is None else total


def _get(client: httpx.Client, url: str, token: str | None, budget: _Budget | None = None) -> bytes:
    """The body of ``url``, streamed and cut off at MAX_BYTES (or what is left of ``budget``)."""
    budget = budget if budget is not None else _Budget(MAX_BYTES)
    limit = min(MAX_BYTES, budget.left)
    try:
        with client.stream("GET", url, headers=_headers(token)) as response:
            if response.status_code >= 400:
                hint = " (a private event or API: pass --token)" if response.status_code in (401, 403) else ""
                raise ScheduleError(
                    url,
                    f"HTTP {response.status_code} {response.reason_phrase}{hint}",
                    unreachable=True,
                    status=response.status_code,
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    what = "a schedule file or page" if limit == MAX_BYTES else "a schedule in all its pages"
                    raise ScheduleError(url, f"too large: more than the {limit} bytes {what} may have")
    except httpx.HTTPError as exc:
        raise ScheduleError(url, f"cannot fetch: {exc.__class__.__name__}: {exc}", unreachable=True) from None
    budget.left -= len(body)
    return bytes(body)


def get_bytes(url: str, token: str | None = None, client: httpx.Client | None = None) -> bytes:
    """The body of ``url`` (at most MAX_BYTES)."""
    with _client(client) as c:
        return _get(c, url, token)


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    """The caller's client (left open), or a new one closed afterwards."""
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as own:
        yield own


def _json(url: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise ScheduleError(url, "the API answered with something that is not JSON") from None


def _pages(client: httpx.Client, url: str, token: str | None, budget: _Budget) -> list[Any]:
    """Every item of a paginated pretalx list, following ``next`` on the same scheme and host only
    (the token is sent to every page, so a ``next`` elsewhere is refused, not followed)."""
    origin = _origin(url)
    items: list[Any] = []
    seen: set[str] = set()
    next_url: str | None = url
    while next_url:
        if next_url in seen or len(seen) >= MAX_PAGES:
            raise ScheduleError(url, f"pagination does not end (page {len(seen) + 1}: {next_url})")
        seen.add(next_url)
        page = _json(next_url, _get(client, next_url, token, budget))
        if isinstance(page, list):  # an unpaginated list
            return items + page
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            raise ScheduleError(next_url, "expected a page with results")
        items += page["results"]
        following = page.get("next")
        next_url = urljoin(next_url, following) if isinstance(following, str) and following else None
        if next_url is not None and _origin(next_url) != origin:
            raise ScheduleError(url, f"the next page is on another host ({next_url}): not followed")
    return items


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def fetch_api(url: str, token: str | None = None, client: httpx.Client | None = None) -> dict[str, Any]:
    """A pretalx event's bundle: the event, its rooms, speakers and submissions with their slots."""
    match = API_PATH.match(urlsplit(url)._replace(query="", fragment="").geturl())
    if not match:
        raise ScheduleError(url, "not a pretalx event API URL (…/api/events/<slug>/)")
    base = match["base"] + "/"
    budget = _Budget()
    with _client(client) as c:
        event = _json(base, _get(c, base, token, budget))
        rooms = _pages(c, base + "rooms/?limit=100", token, budget)
        speakers = _pages(c, base + "speakers/?limit=100", token, budget)
        try:
            submissions = _pages(c, base + "submissions/?expand=slots,track,submission_type&limit=100", token, budget)
        except ScheduleError as exc:
            if exc.status != 404:
                raise
            submissions = _pages(c, base + "talks/?limit=100", token, budget)  # pretalx before the 2025 API
    return {
        "event": event if isinstance(event, Mapping) else {},
        "rooms": rooms,
        "speakers": speakers,
        "submissions": submissions,
    }
