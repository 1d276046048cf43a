"""The Telegram adapter object the runner starts and stops."""

from __future__ import annotations

import contextlib
import logging
from functools import partial
from typing import Any, TypeAlias

from starlette.routing import BaseRoute
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

from adapters.startup import ConfigurationError, StartupError, StartupRetry
from adapters.tarpit import Tarpit
from adapters.telegram.commands import register_commands
from adapters.telegram.handlers import Handlers
from adapters.telegram.sender import TelegramSender
from adapters.telegram.startup import StartupRequest
from adapters.telegram.webhook import PATH, webhook_route
from bot.core import Core
from bot.ops import logcontext
from bot.settings import Settings

log = logging.getLogger(__name__)
# httpx (PTB's getUpdates transport) logs every request at INFO with its URL, which holds the bot token
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


class TrackedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's application; each update is handled inside its log context (platform and update id)."""

    async def process_update(self, update: object) -> None:
        """Polling and the webhook both come through here, one task per update."""
        with logcontext.update("telegram", getattr(update, "update_id", None)):
            await super().process_update(update)


def build_application(settings: Settings, *, webhook: bool, request: StartupRequest) -> TelegramApplication:
    """The PTB application, pointed at ``TELEGRAM_API_URL`` (a local Bot API or a fake)."""
    assert settings.telegram_bot_token
    base = settings.telegram_api_url
    file_base = base[: -len("bot")] + "file/bot" if base.endswith("bot") else base
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(base)
        .base_file_url(file_base)
        .request(request)
        .concurrent_updates(True)
        .application_class(TrackedApplication)
    )
    if webhook:
        builder = builder.updater(None)
    return builder.build()


def _poll_failed(error: TelegramError) -> None:
    """One line per failed getUpdates (PTB would log a traceback each time); PTB backs off and polls on."""
    log.warning("Telegram getUpdates failed (%s); polling goes on", error)


class TelegramAdapter:
    """Polling by default; webhook mode when a webhook URL and secret are set."""

    name = "telegram"

    def __init__(self, settings: Settings, core: Core, retry: StartupRetry | None = None) -> None:
        self.settings = settings
        self.tarpit = Tarpit(settings.flood_hold_seconds)  # a flooder's dropped updates answered after a wait
        self.core = core
        self.webhook = settings.telegram_webhook
        self._request = StartupRequest(retry or StartupRetry())
        self.application = build_application(settings, webhook=self.webhook, request=self._request)
        Handlers(core).install(self.application)
        paid_rate = settings.telegram_paid_rate_limit if settings.telegram_paid_broadcast else None
        self._sender = TelegramSender(self.application.bot, settings.telegram_rate_limit, paid_rate=paid_rate)
        self._sender.on_poll = self._poll_posted

    async def _poll_posted(self, poll_id: int, ref: str) -> None:
        """Remember which Telegram poll a poll was posted as (its ``poll_answer`` updates name only that)."""
        await self.core.blocking(partial(self.core.poll_posted, poll_id, "telegram", ref))

    def routes(self) -> list[BaseRoute]:
        """The webhook endpoint in webhook mode."""
        if not self.webhook:
            return []
        silenced = partial(self.core.silenced, "telegram")  # over their inbound limit: dropped at once
        secret = self.settings.telegram_webhook_secret or ""
        return [webhook_route(self.application, secret, silenced, self.tarpit)]

    def sender(self) -> TelegramSender:
        """The outbox's Telegram sender."""
        return self._sender

    async def start(self) -> None:
        """Connect; every Bot API call made here is retried with back-off (see ``startup.py``).

        Raises ConfigurationError when Telegram rejects the token or the URL, StartupError when the
        Bot API kept failing; either way the application is shut down again and no token is in the text.
        """
        self._request.starting = True
        try:
            await self._start()
        except InvalidToken:
            await self._abandon()
            raise ConfigurationError(self._rejected()) from None
        except TelegramError as error:
            await self._abandon()
            raise StartupError(f"the Telegram Bot API failed: {error}") from None
        finally:
            self._request.starting = False

    def _rejected(self) -> str:
        """What to fix after a 401 or 404 (PTB's own message holds the token, so it is not used)."""
        if self._request.rejected == 404:
            return (
                "the Telegram Bot API answered 404 Not Found: check TELEGRAM_API_URL (the Bot API's address "
                "ending in /bot, e.g. https://api.telegram.org/bot) and that TELEGRAM_BOT_TOKEN is a whole bot token."
            )
        return (
            "Telegram rejected the bot token (401 Unauthorized): set TELEGRAM_BOT_TOKEN to the token "
            "@BotFather gives for this bot (a revoked token must be replaced)."
        )

    async def _abandon(self) -> None:
        """Undo a start that failed half-way, so no HTTP client is left open."""
        with contextlib.suppress(Exception):
            await self.stop()
        with contextlib.suppress(Exception):
            await self.application.bot.shutdown()

    async def _start(self) -> None:
        """Initialize, register commands, then poll or register the webhook."""
        await self.application.initialize()
        await register_commands(self.application.bot, self.settings.organizer_accounts)
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
                allowed_updates=Update.ALL_TYPES,
                poll_interval=0.0,
                timeout=10,
                drop_pending_updates=False,
                error_callback=_poll_failed,
            )
        log.info(
            "telegram adapter started as @%s (%s)",
            self.application.bot.username,
            "webhook" if self.webhook else "polling",
        )

    @property
    def username(self) -> str | None:
        """The bot's @username once started (getMe), else None: the web's "remind me" links use it."""
        try:
            return self.application.bot.username
        except RuntimeError:  # not initialized yet
            return None

    async def stop(self) -> None:
        """Stop polling, finish in-flight updates, close the HTTP client."""
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()


def create_adapter(settings: Settings, core: Core, retry: StartupRetry | None = None) -> TelegramAdapter:
    """Factory the runner calls when ``TELEGRAM_BOT_TOKEN`` is set."""
    return TelegramAdapter(settings, core, retry)
