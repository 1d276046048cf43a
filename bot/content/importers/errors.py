"""Import errors that name the source, the detected format and the place."""

from __future__ import annotations


class ScheduleError(ValueError):
    """A schedule could not be imported: ``source`` (file or URL), ``place`` in it, what is wrong."""

    def __init__(self, source: str, message: str, *, place: str = "", format: str = "") -> None:
        self.source = source
        self.place = place
        self.format = format
        self.message = message
        where = f"{source}: {place}" if place else source
        super().__init__(f"{where}: {message}")


class EmptySchedule(ScheduleError):
    """The file was read in a known format but holds no talk; the message says why."""
