"""``confbot run``: every configured adapter, the reminder runtime and one HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import bot.ops.metrics as metrics
from adapters.base import Adapter
from adapters.feed_guard import FeedGuard
from adapters.http import HttpServer, build_asgi, calendar_route
from adapters.http_guard import HeadLimits
from adapters.startup import StartupError, StartupRetry
from adapters.workers import WorkerSide, workers_problem
from bot.core import Core
from bot.ops.health import Readiness, core_readiness
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.delivery.runtime import Runtime

log = logging.getLogger(__name__)

NOTHING_CONFIGURED = """\
No chat platform is configured and the web pages are off, so `confbot run` has nothing to serve.
Set at least one of:
  TELEGRAM_BOT_TOKEN                     Telegram (long polling; add TELEGRAM_WEBHOOK_URL and
                                         TELEGRAM_WEBHOOK_SECRET for webhook mode)
  SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET Slack over HTTP (/slack/events), or
  SLACK_BOT_TOKEN + SLACK_APP_TOKEN      Slack in Socket Mode
  WECHAT_APP_ID + WECHAT_APP_SECRET + WECHAT_TOKEN
                                         a WeChat service account (/wechat, docs/wechat.md)
  CONFBOT_WEB=true                       the programme as web pages on CONFBOT_HTTP_PORT (docs/web.md)
To try the bot locally without any token, run:  confbot chat
"""


def head_limits(settings: Settings) -> HeadLimits:
    """The HTTP server's limits on request heads and connections, from the settings."""
    return HeadLimits(
        max_bytes=settings.http_max_header_bytes,
        max_headers=settings.http_max_headers,
        header_timeout=settings.http_header_timeout,
        keepalive_timeout=settings.http_keepalive_timeout,
        max_connections=settings.http_max_connections,
    )


def preflight(settings: Settings) -> str | None:
    """Why ``confbot run`` cannot work with these settings, found before anything is created (the
    database included); None when it can start."""
    if not settings.platforms and not settings.web:
        return NOTHING_CONFIGURED
    if (problem := workers_problem(settings)) is not None:
        return problem
    if settings.wechat_app_id and not (settings.wechat_app_secret and settings.wechat_token):
        return (
            "WECHAT_APP_ID needs WECHAT_APP_SECRET (the account's AppSecret) and WECHAT_TOKEN (the Token of its "
            "server configuration, 设置与开发 → 基本配置): docs/wechat.md\n"
        )
    webhook = settings.telegram_webhook_url
    if settings.telegram_bot_token and webhook and not webhook.lower().startswith("https://"):
        # Telegram's setWebhook takes only an HTTPS URL (core.telegram.org/bots/api#setwebhook)
        return (
            f"TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram sends webhooks over HTTPS only); "
            f"got {webhook!r}. Put confbot behind a TLS-terminating proxy and give its https:// address.\n"
        )
    return None


def started_line(core: Core, settings: Settings, platforms: list[str]) -> str:
    """The one line that says what is running: the conference, its size and zone, the clock, the platforms."""
    programme = core.programme
    conference = programme.conference
    name = conference.name_en or conference.name
    clock = f"rehearsal clock from {settings.clock_start.isoformat()}" if settings.clock_start else "real clock"
    return (
        f"confbot running: {name} ({len(programme.talks)} talks, times in {conference.timezone}), {clock}; "
        f"{', '.join(platforms)}; HTTP on port {settings.http_port}"
    )


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms whose settings are present."""
    return settings.platforms


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

            adapters.append(create_slack(settings, core, retry))
        elif name == "wechat":
            from adapters.wechat import create_adapter as create_wechat

            adapters.append(create_wechat(settings, core, retry))
    return adapters


def readiness_of(
    core: Core, runtime: Runtime, adapters: list[Adapter], started: list[Adapter], stop: asyncio.Event
) -> Readiness:
    """The database, the content, each configured platform started, and not shutting down; the live
    schedule sync's last error is a warning (its source being down must not unready every replica)."""
    readiness = core_readiness(core)
    for adapter in adapters:
        readiness.add(adapter.name, lambda a=adapter: None if a in started else "not started yet")  # type: ignore[misc]
    readiness.add("shutdown", lambda: "shutting down" if stop.is_set() else None)
    for name, warning in runtime.warnings().items():  # e.g. the live schedule sync's last error
        readiness.add(name, warning, blocking=False)
    return readiness


async def _start_or_stop(adapter: Adapter, stop: asyncio.Event) -> bool:
    """Start ``adapter``; False if ``stop`` is set first (SIGTERM during start-up retries ends them)."""
    starting = asyncio.ensure_future(adapter.start())
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        starting.result()  # raises StartupError
        return True
    starting.cancel()
    with contextlib.suppress(BaseException):
        await starting
    with contextlib.suppress(Exception):  # close what the half-started adapter opened
        await adapter.stop()
    return False


async def serve(
    settings: Settings,
    core: Core,
    stop: asyncio.Event | None = None,
    retry: StartupRetry | None = None,
    *,
    built: Callable[[], object] | None = None,
    worker: WorkerSide | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set), then shut down gracefully.

    The HTTP server (``/healthz``, ``/readyz``, ``/metrics`` and the platforms' webhooks) comes up
    first, in every mode; each platform's endpoint answers 503 until it has started. Start-up calls to
    the platforms are retried with back-off. An adapter that cannot start ends the run with one line:
    exit code 2 for a configuration error (a rejected token), 1 otherwise. ``built`` is called once
    the adapters and the server are built (every module imported), before anything listens.
    """
    from bot.delivery.runtime import Runtime

    adapters = build_adapters(settings, core, retry)
    if not adapters and not settings.web:
        sys.stderr.write(NOTHING_CONFIGURED)
        return 2
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)

    # each replica enforces its share of every person's inbound limit, as of its senders' rates (a
    # machine's workers together count as one replica there: adapters/workers.py)
    def inbound_shares(shares: Mapping[str, float]) -> None:
        core.flood.set_shares(shares if worker is None else worker.inbound_shares(shares))

    runtime = Runtime(core, {a.name: a.sender() for a in adapters}, on_shares=inbound_shares)
    started: list[Adapter] = []
    endpoints = [(adapter, route) for adapter in adapters for route in adapter.routes()]
    gates = {str(getattr(route, "path", "")): (lambda a=adapter: a in started) for adapter, route in endpoints}
    routes = [route for _, route in endpoints]
    if settings.public_url or settings.web:  # personal calendar feeds (/ics, /web and the personal pages link them)
        guard = FeedGuard(settings.feed_miss_limit, settings.feed_miss_window, lambda: core.clock.now().timestamp())
        routes.append(calendar_route(core, guard))
    readiness = readiness_of(core, runtime, adapters, started, stop)
    if worker is not None:  # a machine is ready once all its workers are (any of them may answer a probe)
        readiness.add("workers", worker.others_starting)
    if settings.web:  # the public pages; "remind me" links name each started bot; the desk shows readiness
        from adapters.web import web_routes

        def usernames() -> dict[str, str | None]:
            return {a.name: getattr(a, "username", None) for a in started}

        routes += web_routes(core, settings, usernames, readiness)
    app = build_asgi(
        routes,
        max_body_bytes=settings.max_body_bytes,
        readiness=readiness,
        metrics=(lambda: metrics.exposition(core), metrics.CONTENT_TYPE),
        gates=gates,
    )
    server = HttpServer(
        app,
        settings.http_host,
        settings.http_port,
        head_limits(settings),
        trusted_proxies=settings.forwarded_allow_ips,
    )
    if built is not None:
        built()
    runtime_started = False
    # a worker stops if its supervisor is gone, from the start (it may be stuck in start-up retries)
    watching = asyncio.create_task(worker.orphaned(stop)) if worker is not None else None
    warming: asyncio.Task[None] | None = None
    try:
        early = worker is None or not worker.restarted  # probes answer while the platforms connect
        if early:
            await server.start(worker.sock if worker is not None else None)
        # the request threads and their connections, meanwhile: ready for the first burst, never in its way
        warming = asyncio.create_task(core.warm())
        # the adapters next: pushes start flowing only once every platform is up (a send must not
        # go through a platform's start-up retries), and they stop flowing before any adapter stops
        for adapter in adapters:
            if not await _start_or_stop(adapter, stop):
                log.info("stopped during start-up")
                return 0
            started.append(adapter)
        runtime_started = True  # stop() undoes a half-done start too
        await runtime.start()
        if worker is not None:
            if not early:  # a restarted worker takes connections once it can answer them: the others serve
                await server.start(worker.sock)
            worker.ready()
        line = started_line(core, settings, [a.name for a in adapters] + (["web pages"] if settings.web else []))
        log.info("%s%s", line, f" (worker {worker.name})" if worker is not None else "")
        if settings.clock_start is not None:
            log.warning(
                "CONFBOT_CLOCK_START is set (%s): reminders follow a simulated clock; unset it for the event",
                settings.clock_start.isoformat(),
            )
        await stop.wait()
        log.info("stopping: no new updates; in-flight sends finish or hand their claims back")
    except StartupError as error:
        log.error("confbot did not start: %s", error)
        return error.exit_code
    finally:
        stop.set()  # /readyz says "shutting down" from here on
        if warming is not None:
            warming.cancel()
        if watching is not None:
            watching.cancel()
        await server.stop()
        if runtime_started:
            await runtime.stop()
        for adapter in reversed(started):
            await adapter.stop()
        core.close()
    log.info("stopped")
    return 0
