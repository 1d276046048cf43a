"""Log output: readable text by default, one JSON object per line with ``CONFBOT_LOG_FORMAT=json``.

JSON lines come from python-json-logger, a ``logging.Formatter``: every library confbot runs on (PTB,
Bolt, httpx, uvicorn, APScheduler) logs through the standard library, so one formatter on the root
handler turns all of their lines into JSON too, behind the same secret-masking filter. (structlog
would need its own pipeline bridged to the standard library for the same result.)
Each line has ``time``, ``level``, ``logger`` and ``message``; lines written while an update is
handled add ``platform`` and ``update_id``, and the line that ends it ``command`` and ``duration_ms``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

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


def configure(log_format: str, secrets: Iterable[str], level: int = logging.WARNING) -> None:
    """One handler on stderr with the chosen format, the update context and the secret mask."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    install_redaction(secrets)  # after the context: it rewrites the message, and the mask applies to all
