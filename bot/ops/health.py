"""Readiness: named checks that each say what is not ready yet, or nothing.

``/readyz`` answers 200 when every check passes and 503 naming the failing ones. A new kind of
readiness is one :meth:`Readiness.add` call. A check added with ``blocking=False`` (the live schedule
sync's last error) is reported in the body but keeps the replica ready: an outage of the schedule's
source must not take every replica out of the load balancer while they can answer from the last
good schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from bot.host import Host

log = logging.getLogger(__name__)

Check = Callable[[], str | None]  # None when ready, else a short reason (no secrets, no tracebacks)


class Readiness:
    """An ordered list of named checks."""

    def __init__(self) -> None:
        self._checks: list[tuple[str, Check, bool]] = []

    def add(self, name: str, check: Check, *, blocking: bool = True) -> None:
        """Add (or replace) the check called ``name``; a non-blocking one only warns."""
        self._checks = [c for c in self._checks if c[0] != name] + [(name, check, blocking)]

    @property
    def names(self) -> list[str]:
        """The blocking checks, in order."""
        return [name for name, _, blocking in self._checks if blocking]

    def failing(self) -> dict[str, str]:
        """Each blocking check that is not ready, with its reason; an empty dict when all are ready."""
        return self._run(blocking=True)

    def warnings(self) -> dict[str, str]:
        """Each non-blocking check that reports a problem."""
        return self._run(blocking=False)

    def _run(self, *, blocking: bool) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, check, blocks in self._checks:
            if blocks != blocking:
                continue
            try:
                reason = check()
            except Exception as err:  # a check that raises is a failing check, never a 500
                reason = f"check failed: {type(err).__name__}"
            if reason is not None:
                out[name] = reason[:200]
        return out


def database_check(host: Host) -> Check:
    """The database answers ``SELECT 1``."""

    def check() -> str | None:
        try:
            with host.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as err:
            first = str(getattr(err, "orig", None) or err).strip().splitlines()
            return f"not answering: {type(err).__name__}{': ' + first[0][:120] if first else ''}"
        return None

    return check


def content_check(host: Host) -> Check:
    """A programme with talks is loaded."""

    def check() -> str | None:
        return None if host.programme.talks else "no talks loaded"

    return check


def core_readiness(host: Host) -> Readiness:
    """The checks every process has: the database and the content."""
    readiness = Readiness()
    readiness.add("database", database_check(host))
    readiness.add("content", content_check(host))
    return readiness
