"""A database that is away (down, restarting, a connection cut) told apart from a bug, and said once.

An outage is not an error of the code: the request gets "temporarily unavailable", the dispatcher
pauses and probes, and the log says once that the database went away and once that it came back,
with no traceback on every attempt in between.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import exc


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database could not be reached or answered nothing usable (the server
    down or restarting, a connection cut or refused, SQLite busy), rather than a bug in a statement."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    # exc.TimeoutError: no pooled connection came free in time (a database too slow to answer)
    return isinstance(error, exc.OperationalError | exc.InterfaceError | exc.DisconnectionError | exc.TimeoutError)


def first_line(error: BaseException) -> str:
    """The error's type and the first line of its driver message (no SQL, no parameters)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:160]}" if lines else type(error).__name__


class Outage:
    """One activity's view of the database being away: the first failure is logged with its reason,
    the ones after it are counted, and the first success after them logs how long it lasted.

    Safe to share between threads (requests report here from their threads).
    """

    def __init__(self, log: logging.Logger, what: str) -> None:
        self._log = log
        self.what = what
        self._lock = threading.Lock()
        self._since: float | None = None
        self._failures = 0

    @property
    def down_for(self) -> float | None:
        """Seconds since the first failure of the current outage, or None while the database answers."""
        since = self._since
        return None if since is None else time.monotonic() - since

    def failed(self, error: BaseException) -> None:
        """One more failed attempt: logged only if it is the first of an outage."""
        with self._lock:
            self._failures += 1
            first = self._since is None
            if first:
                self._since = time.monotonic()
        if first:
            self._log.warning("%s: the database is unavailable (%s); retrying", self.what, first_line(error))

    def answered(self) -> None:
        """The database answered: if it had been away, say for how long, once."""
        if self._since is None:
            return
        with self._lock:
            since, failures, self._since, self._failures = self._since, self._failures, None, 0
        if since is not None:
            self._log.warning(
                "%s: the database is back after %.1f s (%d failed attempts)",
                self.what,
                time.monotonic() - since,
                failures,
            )
