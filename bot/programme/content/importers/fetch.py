"""Fetching a schedule over HTTP(S) with httpx: a file URL (pretalx's
``schedule/export/schedule.json`` or ``.xml``, a c3voc or frab export), or pretalx's REST API,
followed page by page along its ``next`` links."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bot.programme.content.importers.errors import ScheduleError

API_PATH = re.compile(r"^(?P<base>.*/api/events/[^/]+)/?$")
MAX_PAGES = 500
MAX_BYTES = 50 * 1024 * 1024  # one schedule file or one API page (a FOSDEM-sized XML is a few MB)
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # every page of one API fetch together
TIMEOUT = httpx.Timeout(30.0, connect=10.0)  # each connect and read; FetchPolicy.seconds bounds the whole
DEFAULT_SECONDS = 120.0  # one fetch in all, every page of an API fetch included
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchPolicy:
    """How long one fetch may take in all, and whether a redirect may lead to another origin."""

    seconds: float = DEFAULT_SECONDS  # CONFBOT_SCHEDULE_FETCH_SECONDS
    cross_origin: bool = False  # CONFBOT_SCHEDULE_CROSS_ORIGIN_REDIRECTS
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def abandoned(self) -> str:
        """Why a fetch past its deadline was given up."""
        return f"abandoned: no complete answer within {self.seconds:g} s (CONFBOT_SCHEDULE_FETCH_SECONDS)"


class CrossOrigin(Exception):
    """A redirect to another scheme, host or port that the policy does not follow."""


def origin(url: str) -> tuple[str, str]:
    """The scheme and host (with its port) of ``url``, lowercased."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def redirect_target(url: str, response: httpx.Response, *, start: str, policy: FetchPolicy) -> str:
    """Where the redirect ``response`` (to the request for ``url``) leads; CrossOrigin if that is
    another origin than the fetch's ``start`` and the policy does not allow it."""
    target: str = urljoin(url, str(response.headers.get("Location", "")))
    if origin(target) != origin(start) and not policy.cross_origin:
        raise CrossOrigin(
            f"redirected to another origin ({target}); not followed "
            "(set CONFBOT_SCHEDULE_CROSS_ORIGIN_REDIRECTS=true to follow it)"
        )
    return target


def is_api(url: str) -> bool:
    """Whether ``url`` is a pretalx event's API root (``.../api/events/<slug>/``)."""
    return bool(API_PATH.match(urlsplit(url)._replace(query="", fragment="").geturl()))


def _headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json, application/xml;q=0.9, */*;q=0.5", "User-Agent": "confbot"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return headers


class _Budget:
    """The bytes and the time one fetch may still use (every page of an API fetch shares one budget)."""

    def __init__(self, total: int | None = None, policy: FetchPolicy | None = None) -> None:
        self.left = MAX_TOTAL_BYTES if total is None else total
        self.policy = policy or FetchPolicy()
        self.ends = self.policy.clock() + self.policy.seconds

    def seconds_left(self) -> float:
        """Time left before the deadline (≤ 0 once it has passed)."""
        return self.ends - self.policy.clock()

    def timeout(self, url: str) -> httpx.Timeout:
        """Each connect and read waits no longer than the time left; ScheduleError once none is."""
        left = self.seconds_left()
        if left <= 0:
            raise ScheduleError(url, self.policy.abandoned(), unreachable=True)
        return httpx.Timeout(min(30.0, left), connect=min(10.0, left))


def _get(client: httpx.Client, url: str, token: str | None, budget: _Budget | None = None) -> bytes:
    """The body of ``url``, streamed and cut off at MAX_BYTES (or what is left of ``budget``), within
    the budget's deadline, following redirects within the URL's origin (unless the policy says any)."""
    budget = budget if budget is not None else _Budget(MAX_BYTES)
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            same = origin(current) == origin(url)  # the token never goes to another origin
            with client.stream(
                "GET",
                current,
                headers=_headers(token if same else None),
                timeout=budget.timeout(url),
                follow_redirects=False,
            ) as response:
                if response.has_redirect_location:
                    current = redirect_target(current, response, start=url, policy=budget.policy)
                    continue
                return _body(url, response, budget)
    except CrossOrigin as exc:
        raise ScheduleError(url, str(exc)) from None
    except httpx.TimeoutException as exc:
        if budget.seconds_left() <= 0:
            raise ScheduleError(url, budget.policy.abandoned(), unreachable=True) from None
        raise ScheduleError(url, f"cannot fetch: {exc.__class__.__name__}: {exc}", unreachable=True) from None
    except httpx.HTTPError as exc:
        raise ScheduleError(url, f"cannot fetch: {exc.__class__.__name__}: {exc}", unreachable=True) from None
    raise ScheduleError(url, f"more than {MAX_REDIRECTS} redirects; not followed", unreachable=True)


def _body(url: str, response: httpx.Response, budget: _Budget) -> bytes:
    """A response's body within the budget's bytes and deadline."""
    limit = min(MAX_BYTES, budget.left)
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
        if budget.seconds_left() <= 0:  # a server dripping bytes never trips a read timeout
            raise ScheduleError(url, budget.policy.abandoned(), unreachable=True)
    budget.left -= len(body)
    return bytes(body)


def get_bytes(
    url: str, token: str | None = None, client: httpx.Client | None = None, *, policy: FetchPolicy | None = None
) -> bytes:
    """The body of ``url`` (at most MAX_BYTES, within the policy's deadline and redirect rule)."""
    with _client(client) as c:
        return _get(c, url, token, _Budget(MAX_BYTES, policy))


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    """The caller's client (left open), or a new one closed afterwards."""
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as own:  # _get follows them itself
        yield own


def _json(url: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise ScheduleError(url, "the API answered with something that is not JSON") from None


def _pages(client: httpx.Client, url: str, token: str | None, budget: _Budget) -> list[Any]:
    """Every item of a paginated pretalx list, following ``next`` on the same scheme and host only
    (the token is sent to every page, so a ``next`` elsewhere is refused, not followed)."""
    start = origin(url)
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
        if next_url is not None and origin(next_url) != start:
            raise ScheduleError(url, f"the next page is on another host ({next_url}): not followed")
    return items


def fetch_api(
    url: str, token: str | None = None, client: httpx.Client | None = None, *, policy: FetchPolicy | None = None
) -> dict[str, Any]:
    """A pretalx event's bundle: the event, its rooms, speakers and submissions with their slots
    (every page within one deadline)."""
    match = API_PATH.match(urlsplit(url)._replace(query="", fragment="").geturl())
    if not match:
        raise ScheduleError(url, "not a pretalx event API URL (…/api/events/<slug>/)")
    base = match["base"] + "/"
    budget = _Budget(policy=policy)
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
