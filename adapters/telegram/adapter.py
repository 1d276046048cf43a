"""The Telegram adapter object the runner starts and stops."""

from __future__ import annotations

import logging
from typing import Any, TypeAlias

from starlette.routing import BaseRoute
from telegram import Update
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

from adapters.telegram.commands import register_commands
from adapters.telegram.handlers import Handlers
from adapters.telegram.sender import TelegramSender
from adapters.telegram.webhook import PATH, webhook_route
from bot.core import Core
from bot.settings import Settings

log = logging.getLogger(__name__)
# httpx logs every request at INFO with its URL, and a Bot API URL holds the bot token
logging.getLogger("httpx").setLevel(logging.WARNING)

# what Application.builder() builds: PTB's default bot, context, data and job queue types
TelegramApplication: TypeAlias = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]


def build_application(settings: Settings, *, webhook: bool) -> TelegramApplication:
    """The PTB application, pointed at ``TELEGRAM_API_URL`` (a local Bot API or a fake)."""
    assert settings.telegram_bot_token
    base = settings.telegram_api_url
    file_base = base[: -len("bot")] + "file/bot" if base.endswith("bot") else base
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(base)
        .base_file_url(file_base)
        .concurrent_updates(True)
    )
    if webhook:
        builder = builder.updater(None)
    return builder.build()


class TelegramAdapter:
    """Polling by default; webhook mode when a webhook URL and secret are set."""

    name = "telegram"

    def __init__(self, settings: Settings, core: Core) -> None:
        self.settings = settings
        self.core = core
        self.webhook = bool(settings.telegram_webhook_url and settings.telegram_webhook_secret)
        self.application = build_application(settings, webhook=self.webhook)
        Handlers(core).install(self.application)
        self._sender = TelegramSender(self.application.bot, settings.telegram_rate_limit)

    def routes(self) -> list[BaseRoute]:
        """The webhook endpoint in webhook mode."""
        if not self.webhook:
            return []
        return [webhook_route(self.application, self.settings.telegram_webhook_secret or "")]

    def sender(self) -> TelegramSender:
        """The outbox's Telegram sender."""
        return self._sender

    async def start(self) -> None:
        """Initialize, register commands, then poll or register the webhook."""
        await self.application.initialize()
        await register_commands(self.application.bot)
        await self.application.start()
        if self.webhook:
            url = (self.settings.telegram_webhook_url or "").rstrip("/")
            if not url.endswith(PATH):
                url += PATH
            await self.application.bot.set_webhook(
                url, secret_token=self.settings.telegram_webhook_secret, allowed_updates=Update.ALL_TYPES
            )
        else:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10, drop_pending_updates=False
            )
        log.info(
            "telegram adapter started as @%s (%s)",
            self.application.bot.username,
            "webhook" if self.webhook else "polling",
        )

    async def stop(self) -> None:
        """Stop polling, finish in-flight updates, close the HTTP client."""
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()


def create_adapter(settings: Settings, core: Core) -> TelegramAdapter:
    """Factory the runner calls when ``TELEGRAM_BOT_TOKEN`` is set."""
    return TelegramAdapter(settings, core)
