"""The content watcher: the content files are the schedule, and an edit to them is applied by itself.

Every :data:`WATCH_SECONDS` it looks at the files; a change that has held still for one look is
reloaded (subscribers told what moved, reminders re-planned). Off when ``CONFBOT_SCHEDULE_URL`` is
set: then the published schedule is the content (:mod:`.sync`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path

from bot.delivery.jobs import Periodic, service
from bot.features.schedule import warnings as organizer_warnings
from bot.features.schedule.changes import (
    ConflictRefused,
    ReloadRefused,
    apply_programme,
    reload_from_path,
    snapshot_mark,
)
from bot.host import Host
from bot.programme import overrides
from bot.programme.content.loader import ContentError, Problem

log = logging.getLogger(__name__)

WATCH_SECONDS = 5.0
WATCH_JOB = "confbot.content"

Signature = tuple[tuple[str, int, int, int], ...]


def content_signature(path: Path) -> Signature:
    """Name, mtime, size and inode of each content file (to notice edits and atomic saves)."""
    files = sorted({*path.glob("*.yaml"), *path.glob("*.yml")}) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((f.name, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def _names(signature: Signature) -> frozenset[str]:
    return frozenset(name for name, *_ in signature)


def _missing(path: Path, loaded: frozenset[str], signature: Signature) -> ContentError | None:
    """A file that was there at the last successful load is gone (a save, checkout or rsync mid-way)."""
    gone = sorted(loaded - _names(signature))
    if not gone:
        return None
    message = (
        "missing, but it was there at the last successful load; the previous programme is kept until it "
        "is back (to drop it on purpose, run `confbot content reload`)"
    )
    return ContentError(Problem(str(path / name if path.is_dir() else path), None, "", message) for name in gone)


class ContentWatcher:
    """The watcher of one process: what it last saw, loaded, and refused."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self._signature: Signature = ()  # the content state last handled: loaded, rejected or refused
        self._seen: Signature = ()  # what the previous look saw: a change must hold still for a tick
        self._files: frozenset[str] = frozenset()  # the files of the last successful load
        self._blocked: tuple[object, ...] | None = None  # snapshot mark when the current state was refused
        self._applied: tuple[object, ...] | None = None  # snapshot mark right after this watcher's last load
        self._overrides: tuple[object, ...] = ()  # the organizers' fixes last taken up (/move, /cancel)

    def start(self) -> None:
        """Record the files as they stand and apply them: notices for edits made while the bot was down."""
        host = self.host
        path = Path(host.settings.content)
        self._signature = self._seen = content_signature(path)
        self._files = _names(self._signature)
        mark = snapshot_mark(host)
        self._overrides = overrides.mark(host.db)
        programme = overrides.with_stored(host.db, host.programme)  # a no-op after create_core
        try:
            apply_programme(host, programme, source=str(path))  # notices for edits made while down
        except (ContentError, ReloadRefused) as err:
            self._blocked = mark  # the watcher applies it once it is fixed or forced
            log.error("content at start-up not applied to the announced schedule, no notices queued: %s", err)
        self._applied = snapshot_mark(host)

    def periodic(self) -> Iterable[Periodic]:
        """One look every :data:`WATCH_SECONDS`."""
        return [Periodic(WATCH_JOB, WATCH_SECONDS, self.tick)]

    async def tick(self) -> None:
        """One look at the content files (the 5-second job): reload a change once it has held still.

        A broken edit, a missing file or no talks is rejected and one cancelling too many talks is
        refused; either way it is logged and the previous programme kept. While refused, the watcher
        retries when the announced schedule changes (``confbot content reload --force`` or another
        replica applied it). An organizer's /move or /cancel on another replica (the overrides
        changed) is taken up the same way: the files are reloaded with the fixes on top. The files
        and the database are read in a worker thread, never on the event loop.
        """
        await asyncio.to_thread(self._look)

    def _look(self) -> None:
        with self.host.exclusive:  # one schedule change at a time: not during a /move's transaction
            self._look_alone()

    def _look_alone(self) -> None:
        path = Path(self.host.settings.content)
        signature = content_signature(path)
        if signature != self._seen:  # changed since the last look: it may still be being written
            self._seen = signature
            return
        if signature != self._signature:
            self._reload(path, signature, check_files=True)
        elif (self._blocked is not None and snapshot_mark(self.host) != self._blocked) or overrides.mark(
            self.host.db
        ) != self._overrides:
            self._reload(path, signature, check_files=False)

    def _reload(self, path: Path, signature: Signature, *, check_files: bool) -> None:
        previous, self._signature = self._signature, signature
        try:
            mark = snapshot_mark(self.host)
            self._overrides = overrides.mark(self.host.db)
            if mark != self._applied:  # applied elsewhere since (`content reload`): the files as they are now
                self._files = frozenset()
            missing = _missing(path, self._files, signature) if check_files else None
            if missing is not None:
                raise missing
            report = reload_from_path(self.host, path)
        except ContentError as err:
            self._blocked = mark
            log.error("content edit rejected, keeping the previous programme:\n%s", err)
            self._warn(path, [str(p) for p in err.problems])
        except ReloadRefused as err:
            self._blocked = mark
            log.error("content edit refused, keeping the previous programme: %s", err)
            self._warn(path, [str(c) for c in err.conflicts] if isinstance(err, ConflictRefused) else [str(err)])
        except Exception:
            self._signature = previous  # not handled: try again on the next tick
            raise
        else:
            self._blocked, self._files = None, _names(signature)
            self._applied = snapshot_mark(self.host)
            log.info("content reloaded: %s", report)

    def _warn(self, path: Path, problems: list[str]) -> None:
        """Tell the organizers in chat that an edit was not applied (once per distinct problem)."""
        host = self.host
        with host.db.session() as session:
            organizer_warnings.warn(
                session,
                host.settings.organizer_accounts,
                source=str(path),
                problems=problems,
                via="files",
                since=organizer_warnings.schedule_mark(host.programme),  # the last good one, still shown
                now=host.clock.now(),
            )


@service("content_watch")
def _watcher(host: Host) -> ContentWatcher | None:
    """The watcher, unless a published schedule is the content."""
    return None if host.settings.schedule_url else ContentWatcher(host)
