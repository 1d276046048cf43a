"""Log output: readable text by default, one JSON object per line with ``CONFBOT_LOG_FORMAT=json``.

JSON lines come from python-json-logger, a ``logging.Formatter``: every library confbot runs on (PTB,
Bolt, httpx, uvicorn, APScheduler) logs through the standard library, so one formatter on the root
handler turns all of their lines into JSON too, behind the same secret-masking filter. (structlog
would need its own pipeline bridged to the standard library for the same result.)
Each line has ``time``, ``level``, ``logger`` and ``message``; lines written while an update is
handled add ``platform`` and ``update_id``, and the line that ends it ``command`` and ``duration_ms``.

Warnings and errors that repeat are limited (:class:`RepeatFilter`): the first few of each kind in a
minute are written, the rest counted and summed up in one line, so a flood of refused replies is a
handful of lines, not thousands.
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from adapters.redact import install as install_redaction
from bot.ops.logcontext import ContextFilter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def json_formatter() -> logging.Formatter:
    """time (ISO 8601, UTC), level, logger, message, then any context the record carries."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
        json_ensure_ascii=False,
    )


REPEATS = 5  # lines of one kind written per window; the rest are counted into one summary line
REPEAT_WINDOW = 60.0  # seconds


@dataclass
class _Kind:
    """One kind of line in its current window: when the window began, lines written, lines held back."""

    since: float
    written: int = 0
    held: int = 0
    example: str = ""
    record: logging.LogRecord | None = None


class RepeatFilter(logging.Filter):
    """A handler's filter that writes at most ``repeats`` warnings or errors of one kind per ``window``
    seconds and counts the rest; when the window ends, one line says how many were left out.

    A kind is the logger, the level, the message's format (not its arguments: "update 7" and "update 8"
    are one kind), the exception's type and the record's ``refusal`` (a platform refusal's kind, e.g.
    ``429``). INFO and below pass untouched (the one line per answered request is never limited).
    """

    def __init__(
        self,
        handler: logging.Handler,
        repeats: int = REPEATS,
        window: float = REPEAT_WINDOW,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.handler = handler
        self.repeats = repeats
        self.window = window
        self.now = now
        self._kinds: dict[tuple[object, ...], _Kind] = {}
        self._lock = threading.Lock()
        self.seen = 0  # warnings and errors that reached this filter, written or not

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a line over its kind's limit (counted); True otherwise."""
        if getattr(record, "repeat_summary", False):
            return True
        now = self.now()
        if record.levelno < logging.WARNING:  # never limited; a window that ended is summed up first
            with self._lock:
                due = self._take_ended(now)
            self._summarise(due)
            return True
        kind = (
            record.name,
            record.levelno,
            str(record.msg),
            record.exc_info[0] if record.exc_info else None,
            getattr(record, "refusal", None),
        )
        with self._lock:
            self.seen += 1
            due = self._take_ended(now)
            seen = self._kinds.setdefault(kind, _Kind(now))
            write = seen.written < self.repeats
            if write:
                seen.written += 1
            else:
                seen.held += 1
                seen.record = record
        if not write:
            seen.example = record.getMessage()
        self._summarise(due)
        return write

    def flush(self) -> None:
        """Write the summary of every kind that has lines held back (at exit; not into a closed stream)."""
        stream = getattr(self.handler, "stream", None)
        if stream is not None and getattr(stream, "closed", False):
            return
        with self._lock:
            due, self._kinds = list(self._kinds.values()), {}
        self._summarise(due)

    def _take_ended(self, now: float) -> list[_Kind]:
        if not self._kinds:
            return []
        ended = [key for key, seen in self._kinds.items() if now - seen.since >= self.window]
        return [self._kinds.pop(key) for key in ended]

    def _summarise(self, kinds: list[_Kind]) -> None:
        for seen in kinds:
            if not seen.held or seen.record is None:
                continue
            first = seen.record
            summary = logging.LogRecord(
                first.name,
                first.levelno,
                first.pathname,
                first.lineno,
                "%d more like this in %g s were left out of the log; the last: %s",
                (seen.held, self.window, seen.example),
                None,
            )
            summary.repeat_summary = True
            summary.repeated = seen.held
            self.handler.handle(summary)


@atexit.register
def _flush_at_exit() -> None:
    """The lines held back when the process ends are still counted, in one line per kind."""
    for handler in logging.getLogger().handlers:
        for repeats in [f for f in handler.filters if isinstance(f, RepeatFilter)]:
            repeats.flush()


def build_handler(
    log_format: str, stream: TextIO | None = None, *, now: Callable[[], float] = time.monotonic
) -> tuple[logging.Handler, RepeatFilter]:
    """A stream handler (stderr by default) with the chosen format, the update context and the limit on
    repeated lines (the secret mask is added by :func:`configure`, last)."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextFilter())
    repeats = RepeatFilter(handler, now=now)
    handler.addFilter(repeats)
    return handler, repeats


def configure(log_format: str, secrets: Iterable[str], level: int = logging.WARNING) -> None:
    """One handler on stderr with the chosen format, the update context, the limit on repeated lines
    and the secret mask."""
    handler, repeats = build_handler(log_format)
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    install_redaction(secrets)  # after the context: it rewrites the message, and the mask applies to all
