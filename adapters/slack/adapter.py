"""The Slack adapter object the runner starts and stops."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.slack.handlers import SlackHandlers
from adapters.slack.sender import SlackSender
from bot.core import Core
from bot.settings import Settings

log = logging.getLogger(__name__)
PATH = "/slack/events"


class SlackAdapter:
    """Socket Mode when an app-level token is set; otherwise HTTP mode (signed requests at /slack/events)."""

    name = "slack"

    def __init__(self, settings: Settings, core: Core) -> None:
        assert settings.slack_bot_token
        self.settings = settings
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
        push_client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, retry_handlers=[])
        self._sender = SlackSender(push_client, settings.slack_rate_limit)
        self._socket: Any = None  # AsyncSocketModeHandler in Socket Mode

    def routes(self) -> list[BaseRoute]:
        """``POST /slack/events``: Events API, slash commands and interactivity; Bolt checks signatures."""
        if not self.http:
            return []
        handler = AsyncSlackRequestHandler(self.app)

        async def endpoint(request: Request) -> Response:
            return await handler.handle(request)

        return [Route(PATH, endpoint, methods=["POST"])]

    def sender(self) -> SlackSender:
        """The outbox's Slack sender."""
        return self._sender

    def socket_mode_handler(self) -> Any:
        """Bolt's aiohttp Socket Mode handler for this app (built inside the running loop)."""
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        return AsyncSocketModeHandler(self.app, self.settings.slack_app_token)

    async def start(self) -> None:
        """Socket Mode connects here; HTTP mode needs nothing beyond the route."""
        if self.socket_mode:
            self._socket = self.socket_mode_handler()
            await self._socket.connect_async()
        log.info("slack adapter started (%s)", "socket mode" if self.socket_mode else "http")

    async def stop(self) -> None:
        """Close Socket Mode if open."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None


def create_adapter(settings: Settings, core: Core) -> SlackAdapter:
    """Factory the runner calls when ``SLACK_BOT_TOKEN`` is set."""
    return SlackAdapter(settings, core)
