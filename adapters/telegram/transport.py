"""PTB's Bot API transport on aiohttp, behind PTB's own ``BaseRequest`` interface.

PTB ships one transport, ``HTTPXRequest``. Measured against the fake Bot API, a ``sendMessage``
through it costs about 1.0 ms of CPU, and the same call through this transport about 0.17 ms
(docs/benchmarks.md, session 5). At a few hundred updates a second that difference is a core.
PTB documents ``BaseRequest`` as the place for another HTTP library. What PTB does above it (the
JSON, the 4xx/5xx answers turned into ``BadRequest``, ``Forbidden``, ``RetryAfter``...) is unchanged.

Contract, as ``HTTPXRequest`` keeps it:
- every answer, whatever its status, is returned as ``(status, body)`` for PTB to read;
- a timeout raises ``TimedOut``; any other failure to get an answer raises ``NetworkError``;
- files go as ``multipart/form-data``, with PTB's ``User-Agent``.

Calls without a file go as one JSON object (the Bot API takes ``application/json``), encoded in one
``json.dumps`` of PTB's parameters. PTB's transport sends a form of separately JSON-encoded values,
which costs a URL-encoding pass more.

Timeouts: connect and read map to aiohttp's socket timeouts. aiohttp has no write timeout, so the
sum of connect, write and read bounds the whole call, counted from when it has a connection. A
call first waits for one of the ``connection_pool_size`` slots, in order and for as long as it
takes (``pool_timeout=None``): an answer queued behind a burst is sent late, not dropped. (aiohttp's
own pool wait would count against the call's total.)

Error texts never hold the bot token, which is part of every Bot API URL: they end up in logs and
in the outbox's ``last_error``. Redirects are not followed, as with PTB's transport.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import urllib.request
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0  # seconds, as PTB's HTTPXRequest
MEDIA_WRITE_TIMEOUT = 20.0  # an upload, as PTB's HTTPXRequest
_DefaultValue = type(BaseRequest.DEFAULT_NONE)  # a timeout the caller left at PTB's default
_TOKEN = re.compile(r"(?<=bot)\d+:[\w-]+")  # in a Bot API URL: <base ending in "bot"><token>/<method>


class AiohttpRequest(BaseRequest):
    """Bot API calls over one aiohttp session with at most ``connection_pool_size`` connections."""

    def __init__(
        self,
        connection_pool_size: int = 64,
        *,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = None,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._defaults = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # scheme://host -> its proxy from the environment

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call gives none."""
        return self._defaults["read"]

    async def initialize(self) -> None:
        """Open the session (inside the running event loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            # not trust_env: it reads the proxy variables again on every call (0.3 ms of CPU each);
            # they are read once per host instead (_proxy_for)
            self._session = aiohttp.ClientSession(connector=connector)
            self._proxies.clear()

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP call; its status and body, whatever the status."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        timeout = self._timeout(
            read=read_timeout,
            write=self._media_write_timeout if files and isinstance(write_timeout, _DefaultValue) else write_timeout,
            connect=connect_timeout,
        )
        data, content_type = _body(request_data)
        headers = {"User-Agent": self.USER_AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        proxy = self._proxy_for(url)
        await self._slot(pool_timeout)
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=proxy, allow_redirects=False
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError and ConnectionTimeoutError are ones too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(_TOKEN.sub("<token>", f"aiohttp.{type(err).__name__}: {err}")) from err
        finally:
            self._slots.release()

    async def _slot(self, pool_timeout: Any) -> None:
        """Wait for one of the pool's connections to be ours (the call's own timeouts start after)."""
        wait = self._defaults["pool"] if isinstance(pool_timeout, _DefaultValue) else pool_timeout
        try:
            async with asyncio.timeout(wait):
                await self._slots.acquire()
        except TimeoutError:
            raise TimedOut("Pool timeout: every connection stayed busy; the call was not sent.") from None

    def _proxy_for(self, url: str) -> str | None:
        """The proxy ``HTTPS_PROXY``/``HTTP_PROXY`` name for this URL's host, unless ``NO_PROXY`` exempts it.

        Where Telegram is blocked, the Bot API is reached through a proxy, as PTB's httpx transport
        allows with the same variables. Read once per host: the environment does not change.
        """
        split = urllib.parse.urlsplit(url)
        origin = f"{split.scheme}://{split.netloc}"
        if origin not in self._proxies:
            proxies = urllib.request.getproxies()
            proxy = proxies.get(split.scheme) or proxies.get("all")
            exempt = proxy is not None and urllib.request.proxy_bypass(split.hostname or "")
            self._proxies[origin] = None if exempt else proxy
        proxy = self._proxies[origin]
        if proxy is not None and not proxy.startswith(("http://", "https://")):
            raise NetworkError(
                f"the proxy named in the environment ({proxy.split('://')[0]}://…) is not an HTTP proxy: "
                "the Bot API transport needs HTTPS_PROXY=http://host:port"
            )
        return proxy

    def _timeout(self, **given: Any) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts from PTB's four (a value left at PTB's default takes this object's)."""
        seconds: dict[str, float | None] = {
            name: self._defaults[name] if isinstance(value, _DefaultValue) else value for name, value in given.items()
        }
        connect, read, write = seconds["connect"], seconds["read"], seconds["write"]
        total = None
        if connect is not None and read is not None and write is not None:
            total = connect + write + read
        return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, str | None]:
    """The call's parameters and their content type: JSON, or multipart when it uploads a file."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        return json.dumps(request_data.parameters).encode(), "application/json"
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
