"""Import errors that name the source, the detected format and the place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class ScheduleError(ValueError):
    """A schedule could not be imported: ``source`` (file or URL), ``place`` in it, what is wrong.

    ``unreachable`` when the network or the server failed (no answer, or an HTTP error ``status``),
    not the schedule.
    """

    def __init__(
        self,
        source: str,
        message: str,
        *,
        place: str = "",
        format: str = "",
        unreachable: bool = False,
        status: int | None = None,
    ) -> None:
        self.source = source
        self.unreachable = unreachable
        self.status = status
        self.place = place
        self.format = format
        self.message = message
        where = f"{source}: {place}" if place else source
        super().__init__(f"{where}: {message}")


class EmptySchedule(ScheduleError):
    """The file was read in a known format but holds no talk; the message says why."""


@contextmanager
def guarded(source: str, place: str = "", *, format: str = "") -> Iterator[None]:
    """Turn any unexpected exception while reading ``source`` (at ``place``, an event when known)
    into a ScheduleError naming them: malformed input gets a one-line answer, never a traceback."""
    try:
        yield
    except ScheduleError:
        raise
    except Exception as exc:  # noqa: BLE001 - an importer tripping on data of an unexpected shape
        detail = str(exc).splitlines()[0] if str(exc) else ""
        message = f"unexpected data ({type(exc).__name__}{': ' + detail if detail else ''})"
        raise ScheduleError(source, message, place=place, format=format) from exc
