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
from bot.app import Core
from bot.settings import Settings

log = logging.getLogger(__name__)
PATH = "/slack/events"


class SlackAdapter:
    """HTTP mode (signed requests at /slack/events) or Socket Mode (an app-level token)."""

    name = "slack"

    def __init__(self, settings: Settings, core: Core) -> None:
        assert settings.slack_bot_token
        self.settings = settings
        self.http = bool(settings.slack_signing_secret)
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

    async def start(self) -> None:
        """Socket Mode connects here; HTTP mode needs nothing beyond the route."""
        if not self.http and self.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.settings.slack_app_token)
            await self._socket.connect_async()
        log.info("slack adapter started (%s)", "http" if self.http else "socket mode")

    async def stop(self) -> None:
        """Close Socket Mode if open."""
        if self._socket is not None:
            await self._socket.close_async()


def create_adapter(settings: Settings, core: Core) -> SlackAdapter:
    """Factory the runner calls when ``SLACK_BOT_TOKEN`` is set."""
    return SlackAdapter(settings, core)
