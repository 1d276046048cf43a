"""The Slack adapter object the runner starts and stops."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.slack import inbound
from adapters.slack.handlers import SlackHandlers
from adapters.slack.sender import SlackSender, answer_of
from adapters.startup import ConfigurationError, StartupError, StartupRetry
from bot.core import Core
from bot.settings import Settings

log = logging.getLogger(__name__)
PATH = "/slack/events"
# Web API errors that mean the token itself is wrong: retrying cannot help
REJECTED = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}
TIMESTAMP = "X-Slack-Request-Timestamp"
SIGNATURE = "X-Slack-Signature"


class SlackAdapter:
    """Socket Mode when an app-level token is set; otherwise HTTP mode (signed requests at /slack/events)."""

    name = "slack"

    def __init__(self, settings: Settings, core: Core, retry: StartupRetry | None = None) -> None:
        assert settings.slack_bot_token
        self.settings = settings
        self.retry = retry or StartupRetry()
        self.socket_mode = bool(settings.slack_app_token)
        self.http = not self.socket_mode and bool(settings.slack_signing_secret)
        if not (self.http or self.socket_mode):
            log.warning("SLACK_BOT_TOKEN without SLACK_SIGNING_SECRET or SLACK_APP_TOKEN: Slack can only send")
        self.client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret or "socket-mode",
            request_verification_enabled=self.http,
        )
        self.handlers = SlackHandlers(core)
        self.handlers.install(self.app)
        self.app.error(on_error)
        push_client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=[])
        self._sender = SlackSender(push_client, settings.slack_rate_limit)
        self._socket: Any = None  # AsyncSocketModeHandler in Socket Mode
        self._verifier = SignatureVerifier(settings.slack_signing_secret or "")

    def routes(self) -> list[BaseRoute]:
        """``POST /slack/events``: Events API, slash commands and interactivity, signed (see :meth:`receive`)."""
        if not self.http:
            return []
        return [Route(PATH, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        """One signed request into Bolt; malformed input gets 400 and never reaches Bolt.

        A timestamp that is not a number and a body that is not UTF-8 are 400 at once. A body that
        does not parse, or has the wrong shape, is 400 when it is signed and 401 when it is not;
        a well-formed one goes to Bolt, which checks the signature itself (401) and dispatches.
        """
        raw = await request.body()
        timestamp = request.headers.get(TIMESTAMP)
        if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit()):
            return self._refuse(400, "bad timestamp", "the timestamp is not a number")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._refuse(400, "bad body", "the body is not UTF-8")
        parsed = inbound.parse(request, raw)
        if isinstance(parsed, str):
            if not self._verifier.is_valid(raw, timestamp, request.headers.get(SIGNATURE)):
                return JSONResponse({"error": "invalid request"}, status_code=401)  # as Bolt answers it
            return self._refuse(400, "bad body", parsed)
        return to_starlette_response(await self.app.async_dispatch(parsed))

    @staticmethod
    def _refuse(status: int, error: str, reason: str) -> Response:
        log.warning("slack request refused (%d): %s", status, reason)
        return JSONResponse({"error": error}, status_code=status)

    def sender(self) -> SlackSender:
        """The outbox's Slack sender."""
        return self._sender

    def socket_mode_handler(self) -> Any:
        """Bolt's aiohttp Socket Mode handler for this app (built inside the running loop)."""
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        return AsyncSocketModeHandler(self.app, self.settings.slack_app_token)

    async def start(self) -> None:
        """Check the bot token (``auth.test``), then connect Socket Mode; each retried with back-off.

        A token Slack rejects is a ConfigurationError naming the variable; a Web API that kept
        failing is a StartupError. Either is one line, without the token.
        """
        identity = await self._call("Slack auth.test", self.client.auth_test, "SLACK_BOT_TOKEN")
        if self.socket_mode:
            # the Socket Mode client retries a rejected app token forever, a traceback each time: ask once first
            token = self.settings.slack_app_token or ""

            async def open_connection() -> Any:
                return await self.client.apps_connections_open(app_token=token)

            await self._call("Slack apps.connections.open", open_connection, "SLACK_APP_TOKEN")
            self._socket = self.socket_mode_handler()
            await self._socket.connect_async()
        log.info(
            "slack adapter started as %s in %s (%s)",
            identity.get("user", "?"),
            identity.get("team", "?"),
            "socket mode" if self.socket_mode else "http",
        )

    async def _call(self, what: str, fn: Any, variable: str) -> Any:
        try:
            return await self.retry.call(what, fn, transient=_transient)
        except SlackApiError as err:
            error = str(err.response.get("error", "")) if isinstance(err.response.data, dict) else ""
            if error in REJECTED:
                raise ConfigurationError(f"Slack rejected {variable} ({error}): {_FIX[variable]}") from None
            raise StartupError(f"{what} failed: {error or err.response.status_code}") from None
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise StartupError(f"{what} failed: {type(err).__name__}: {err}") from None

    async def stop(self) -> None:
        """Close Socket Mode if open."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None


_FIX = {
    "SLACK_BOT_TOKEN": "set it to the app's Bot User OAuth Token (xoxb-…, OAuth & Permissions; reinstall the app "
    "if it was revoked)",
    "SLACK_APP_TOKEN": "set it to an app-level token (xapp-…) with the connections:write scope (Basic Information)",
}


async def on_error(error: Exception) -> None:
    """A listener that failed (Bolt would log a traceback each time). Slack refusing a reply (429 in a
    flood, a user gone, a page instead of JSON) or the network failing is one line; anything else, a
    bug, is its traceback."""
    if isinstance(error, SlackApiError):
        status, code, _ = answer_of(error)
        log.warning(
            "slack request not answered: Slack refused the reply: %d %s",
            status,
            code or "not a Slack API answer",
            extra={"refusal": str(status) if status != 200 else code or "not json"},
        )
    elif isinstance(error, aiohttp.ClientError | TimeoutError):
        log.warning("slack request not answered: network: %s", type(error).__name__, extra={"refusal": "network"})
    else:
        log.error("slack request failed", exc_info=error)


def _transient(error: BaseException) -> bool:
    """Network errors, timeouts, 5xx and 429 are worth another try; an error answer from Slack is not."""
    if isinstance(error, SlackApiError):
        return bool(error.response.status_code >= 500 or error.response.status_code == 429)
    return isinstance(error, aiohttp.ClientError | TimeoutError | OSError)


def create_adapter(settings: Settings, core: Core, retry: StartupRetry | None = None) -> SlackAdapter:
    """Factory the runner calls when ``SLACK_BOT_TOKEN`` is set; ``retry`` is how start-up calls back off."""
    return SlackAdapter(settings, core, retry)
