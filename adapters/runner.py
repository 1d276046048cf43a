"""``confbot run``: every configured adapter, the reminder runtime and one HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from adapters.base import Adapter
from adapters.http import HttpServer, build_asgi, calendar_route
from adapters.startup import StartupError, StartupRetry
from bot.core import Core
from bot.settings import Settings

log = logging.getLogger(__name__)

NOTHING_CONFIGURED = """\
No chat platform is configured, so there is nothing for `confbot run` to connect to.
Set at least one of:
  TELEGRAM_BOT_TOKEN                     Telegram (long polling; add TELEGRAM_WEBHOOK_URL and
                                         TELEGRAM_WEBHOOK_SECRET for webhook mode)
  SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET Slack over HTTP (/slack/events), or
  SLACK_BOT_TOKEN + SLACK_APP_TOKEN      Slack in Socket Mode
To try the bot locally without any token, run:  confbot chat
"""


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms whose settings are present."""
    names = []
    if settings.telegram_bot_token:
        names.append("telegram")
    if settings.slack_bot_token:
        names.append("slack")
    return names


def build_adapters(settings: Settings, core: Core, retry: StartupRetry | None = None) -> list[Adapter]:
    """Create the configured adapters (imported lazily: each SDK loads only when used).

    ``retry`` is how their start-up calls back off (tests pass a short one).
    """
    adapters: list[Adapter] = []
    for name in configured_platforms(settings):
        if name == "telegram":
            from adapters.telegram import create_adapter as create_telegram

            adapters.append(create_telegram(settings, core, retry))
        elif name == "slack":
            from adapters.slack import create_adapter as create_slack

            adapters.append(create_slack(settings, core))
    return adapters


async def serve(
    settings: Settings, core: Core, stop: asyncio.Event | None = None, retry: StartupRetry | None = None
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set), then shut down gracefully.

    Start-up calls to the platforms are retried with back-off. An adapter that cannot start ends the
    run with one line: exit code 2 for a configuration error (a rejected token), 1 otherwise.
    """
    from bot.push.runtime import Runtime

    adapters = build_adapters(settings, core, retry)
    if not adapters:
        sys.stderr.write(NOTHING_CONFIGURED)
        return 2
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    runtime = Runtime(core, {a.name: a.sender() for a in adapters})
    routes = [route for a in adapters for route in a.routes()]
    if settings.public_url:  # personal calendar feeds (/ics gives each user their URL)
        routes.append(calendar_route(core))
    app = build_asgi(routes, max_body_bytes=settings.max_body_bytes)
    server = HttpServer(app, settings.http_host, settings.http_port) if routes else None
    started: list[Adapter] = []
    try:
        # the adapters first: pushes start flowing only once every platform is up (a send must not
        # go through a platform's start-up retries), and they stop flowing before any adapter stops
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
        await runtime.start()
        if server is not None:
            await server.start()
        log.info("confbot running: %s", ", ".join(a.name for a in adapters))
        await stop.wait()
    except StartupError as error:
        log.error("confbot did not start: %s", error)
        return error.exit_code
    finally:
        if server is not None:
            await server.stop()
        await runtime.stop()
        for adapter in reversed(started):
            await adapter.stop()
        core.close()
    return 0
