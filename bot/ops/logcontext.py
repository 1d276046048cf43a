"""One inbound update: the context its log lines carry, and the line and metrics it ends with.

An adapter wraps each platform update in :func:`update` (its platform and update id); every log line
written while it is handled, in any task started from it, carries both (``ContextFilter``). The core
calls :func:`handled` once per answered request: one INFO line with the platform, command and
duration, and the ``confbot_updates_total`` / ``confbot_handler_seconds`` metrics. Never the user's
text: the command is a registry name, ``search`` or ``unknown``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.ops.metrics import FLOOD_REFUSED, HANDLER_SECONDS, UPDATES

log = logging.getLogger("confbot.updates")
_platform: ContextVar[str | None] = ContextVar("confbot_platform", default=None)
_update_id: ContextVar[str | None] = ContextVar("confbot_update_id", default=None)


@contextmanager
def update(platform: str, update_id: object) -> Iterator[None]:
    """Log lines written inside carry ``platform`` and ``update_id`` (a Telegram update id, a Slack event id)."""
    platform_token = _platform.set(platform)
    id_token = _update_id.set(None if update_id is None else str(update_id)[:100])
    try:
        yield
    finally:
        _update_id.reset(id_token)
        _platform.reset(platform_token)


def current_platform() -> str | None:
    """The platform of the update being handled, if any."""
    return _platform.get()


def handled(platform: str, command: str, seconds: float) -> None:
    """Count one answered request and write its line."""
    UPDATES.labels(platform, command).inc()
    HANDLER_SECONDS.labels(platform).observe(seconds)
    duration_ms = round(seconds * 1000, 2)
    log.info(
        "handled %s %s in %.1f ms",
        platform,
        command,
        duration_ms,
        extra={"platform": platform, "command": command, "duration_ms": duration_ms},
    )


class ContextFilter(logging.Filter):
    """Stamps each record with the platform and update id of the update being handled (when there is one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record."""
        for name, var in (("platform", _platform), ("update_id", _update_id)):
            value = var.get()
            if value is not None and not hasattr(record, name):
                setattr(record, name, value)
        return True


def refused(platform: str, warned: bool) -> None:
    """Count one request refused by a person's inbound limit; a line only for the one "slow down"
    of an episode (a flood's dropped requests write nothing: they must stay cheap)."""
    FLOOD_REFUSED.labels(platform, "warned" if warned else "dropped").inc()
    if warned:
        log.info("over the inbound limit on %s: told to slow down", platform, extra={"platform": platform})
