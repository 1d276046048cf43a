"""The Bot API transport used while the adapter starts: every start-up call is retried with back-off.

Start-up calls are ours (``getMe`` in ``initialize``, ``setMyCommands``, ``setWebhook``) and PTB's own
(``deleteWebhook`` inside ``start_polling``), so the retry sits below all of them, in the HTTP transport,
and is switched on only while :meth:`TelegramAdapter.start` runs. Afterwards every answer goes to
PTB unchanged and the senders classify errors as before.
"""

from __future__ import annotations

import contextlib
import json
from functools import partial
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError
from telegram.request import RequestData

from adapters.startup import Failure, StartupRetry
from adapters.telegram.transport import AiohttpRequest

_DEFAULT: Any = AiohttpRequest.DEFAULT_NONE
MAX_IN_FLIGHT = 64  # Bot API calls at once per process (connections in the pool; the rest wait in order)


def _failure(answer: tuple[int, bytes]) -> Failure | None:
    """A 5xx or a 429 is worth another try; 429 says how long to wait."""
    code, payload = answer
    if code < 500 and code != HTTPStatus.TOO_MANY_REQUESTS:
        return None
    try:
        reason = f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        reason = f"HTTP {code}"
    retry_after = 0.0
    if code == HTTPStatus.TOO_MANY_REQUESTS:
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            retry_after = float(json.loads(payload)["parameters"]["retry_after"])
    return Failure(reason, retry_after)


def _transient(error: BaseException) -> bool:
    """The transport raises NetworkError (TimedOut included) when the server can't be reached."""
    return isinstance(error, NetworkError)


class StartupRequest(AiohttpRequest):
    """The Bot API transport; while ``starting`` is set, failed calls are retried by ``retry``."""

    def __init__(self, retry: StartupRetry) -> None:
        super().__init__(connection_pool_size=MAX_IN_FLIGHT)
        self.retry = retry
        self.starting = False
        self.rejected: int | None = None  # the status of a 401/404 answered during start-up

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        """One Bot API call; during start-up, retried on 5xx, 429 and network errors."""
        call = partial(
            super().do_request,
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if not self.starting:
            return await call()
        name = url.rsplit("/", 1)[-1]  # the Bot API method; the rest of the URL holds the token
        code, payload = await self.retry.call(f"Telegram {name}", call, failure=_failure, transient=_transient)
        if code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND):
            self.rejected = code
        return code, payload
