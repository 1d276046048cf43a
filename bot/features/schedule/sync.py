"""Live sync of a published schedule (``CONFBOT_SCHEDULE_URL``): poll, apply what changed, keep the last good.

Every ``CONFBOT_SCHEDULE_SYNC_MINUTES`` (5 by default) :meth:`ScheduleSync.poll` makes one
conditional GET (``If-None-Match`` / ``If-Modified-Since``). A 304, or a body identical to the one
already handled, does nothing. A new body is imported and goes through the same path as a reload
(:func:`~bot.features.schedule.changes.apply_programme`, with the organizers' /move and /cancel fixes on
top): subscribers are told once what moved, reminders are re-planned.

A schedule that cannot be fetched, cannot be imported, would cancel too many talks or adds conflicts
keeps the last good programme. It is logged in one line, :meth:`ScheduleSync.status` returns it (for
``/readyz``), and the organizers are warned in chat for what they can fix (not for a network error).

With several replicas, each one polls and swaps the new programme into its own memory: the work is
idempotent, not shared. The notices' keys (``moved:<id>:<start>:<room>@<rev>``) and the warnings' keys
make each message go out once whichever replica applies first, and the last good copy
(``schedule_sources``) is shared through the database, so a restarted replica, or one that refused
what another applied with ``confbot content sync --force``, starts from it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy.orm import Session

from bot.delivery.jobs import Periodic, service
from bot.features.schedule import warnings as organizer_warnings
from bot.features.schedule.changes import ChangeReport, ConflictRefused, ReloadRefused, apply_programme
from bot.features.schedule.watcher import WATCH_JOB
from bot.host import Host
from bot.programme import overrides
from bot.programme.content import remote
from bot.programme.content.importers import ScheduleError, fetch_schedule, previous_ids
from bot.programme.content.importers.fetch import is_api
from bot.programme.content.loader import ContentError
from bot.programme.content.programme import Programme
from bot.programme.content.schema import ContentFile
from bot.storage.db import Database, insert_for
from bot.storage.models import ScheduleSource

log = logging.getLogger(__name__)

UNCHANGED, APPLIED, FAILED = "unchanged", "applied", "failed"


@dataclass(frozen=True)
class SyncResult:
    """What one poll did: ``unchanged``, ``applied`` (with the report) or ``failed`` (with the error)."""

    outcome: str
    report: ChangeReport | None = None
    error: str | None = None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored(db: Database, url: str) -> ScheduleSource | None:
    """The last good copy of the schedule at ``url``, if one was ever applied."""
    with db.session() as session:
        row = session.get(ScheduleSource, _sha(url.encode()))
        if row is not None:
            session.expunge(row)
        return row


def _content_of(programme: Programme) -> ContentFile:
    return ContentFile(
        conference=programme.conference,
        speakers=list(programme.speakers.values()),
        talks=list(programme.talks),
        breaks=list(programme.breaks),
    )


def _applied_copy(row: ScheduleSource) -> Programme | None:
    """The stored schedule exactly as it was applied (its talk ids included), or None if it no longer loads."""
    try:
        return Programme.from_content(ContentFile.model_validate_json(row.body))
    except ValueError:
        return None


def _store(session: Session, url: str, programme: Programme, digest: str, now: datetime) -> None:
    """Keep ``programme`` (as imported, before the organizers' fixes) as the last good copy of ``url``."""
    body = _content_of(programme).model_dump_json().encode()
    values = {"url_hash": _sha(url.encode()), "url": url, "body": body, "digest": digest, "fetched_at": now}
    insert = insert_for(session)
    stmt = insert(ScheduleSource).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["url_hash"], set_={"url": url, "body": body, "digest": digest, "fetched_at": now}
        )
    )


class ScheduleSync:
    """The sync of one URL in one process: its validators, the last body handled and the last error."""

    def __init__(self, host: Host, url: str, *, client: httpx.AsyncClient | None = None) -> None:
        self.host = host
        self.url = url
        self._client = client
        self._etag: str | None = None
        self._modified: str | None = None
        self._seen: str | None = None  # digest of the last body handled (applied or refused)
        self._seen_error: str | None = None  # why that body was refused; None if it was applied
        self._base: Programme | None = None  # the last good schedule, before the organizers' fixes
        self._applied: str | None = None  # digest of the schedule this process shows
        self.last_error: str | None = None
        self.last_success: datetime | None = None

    def status(self) -> str | None:
        """The last sync error (unreachable, HTTP error, broken or refused schedule), or None when fine."""
        return self.last_error

    def restore(self) -> bool:
        """At start-up: show the last good copy from the database (False if there is none yet).

        Without one (the first run with this URL), the content files are shown until the first poll
        succeeds, and they are not announced: the first schedule synced is the first one announced.
        """
        row = stored(self.host.db, self.url)
        if row is None:
            return False
        base = _applied_copy(row)
        if base is None:
            log.error("the stored copy of %s no longer loads; waiting for the first sync", self.url)
            return False
        self._seen = row.digest
        return self._apply(base, row.digest, store=False, force=False).outcome == APPLIED

    async def poll(self, *, force: bool = False) -> SyncResult:
        """One conditional GET; apply the schedule if it changed. Never raises for a bad schedule."""
        if is_api(self.url):
            return await self._poll_api(force=force)
        policy = self.host.settings.schedule_fetch_policy
        try:
            if self._client is not None:
                fetched = await remote.fetch(
                    self._client, self.url, etag=self._etag, last_modified=self._modified, policy=policy
                )
            else:
                async with httpx.AsyncClient() as client:
                    fetched = await remote.fetch(
                        client, self.url, etag=self._etag, last_modified=self._modified, policy=policy
                    )
        except remote.RemoteError as err:
            return self._failed(str(err))
        if fetched.body is None or _sha(fetched.body) == self._seen:  # 304, or the same bytes again
            self._etag, self._modified = fetched.etag, fetched.last_modified
            return self._unchanged()
        body, etag, modified = fetched.body, fetched.etag, fetched.last_modified
        # importing and applying read and write the database: a worker thread, not the event loop
        return await asyncio.to_thread(self.apply_body, body, force=force, etag=etag, last_modified=modified)

    def apply_body(
        self, body: bytes, *, force: bool = False, etag: str | None = None, last_modified: str | None = None
    ) -> SyncResult:
        """Import and apply one body of the schedule (refused and warned about if it is not good)."""
        digest = _sha(body)
        try:
            result = self._import_and_apply(body, digest, force=force)
        except Exception as exc:  # noqa: BLE001 - the database or a bug: not seen, so the next poll tries again
            return self._unexpected(exc)
        # only now is this body handled (applied, or its refusal recorded): a 304 or the same bytes are no change
        self._etag, self._modified, self._seen = etag, last_modified, digest
        return result

    def _import_and_apply(self, body: bytes, digest: str, *, force: bool) -> SyncResult:
        try:  # talks keep the ids they have now (by guid or pretalx code), so subscriptions follow them
            base = remote.parse(body, self.url, previous=self._previous())
        except ContentError as err:
            return self._refused(err, [str(p) for p in err.problems])
        return self._apply(base, digest, store=True, force=force)

    def _unexpected(self, exc: Exception) -> SyncResult:
        """An error that is not the schedule's fault (the database, a bug): logged with its traceback,
        shown by :meth:`status`, and the body is not marked as seen so that the next poll applies it."""
        error = f"{self.url}: schedule not applied: unexpected error: {type(exc).__name__}: {exc}"
        if error != self.last_error:
            log.error("schedule sync of %s failed unexpectedly", self.url, exc_info=exc)
        return self._failed(error)

    def _previous(self) -> dict[str, int]:
        return previous_ids(self._base or self.host.programme)

    async def _poll_api(self, *, force: bool) -> SyncResult:
        """A pretalx event's API (``…/api/events/<slug>/``): fetched page by page, compared by content
        (the API has no ETag for the whole event)."""
        token = self.host.settings.schedule_token
        try:
            return await self._poll_api_once(token, force=force)
        except Exception as exc:  # noqa: BLE001 - the database or a bug: not seen, so the next poll tries again
            return self._unexpected(exc)

    async def _poll_api_once(self, token: str | None, *, force: bool) -> SyncResult:
        try:
            content = await asyncio.to_thread(
                fetch_schedule,
                self.url,
                token,
                previous=self._previous(),
                policy=self.host.settings.schedule_fetch_policy,
            )
        except ScheduleError as exc:
            if exc.unreachable:  # the network or the server: not for chat
                return self._failed(str(exc))
            return self._refused(exc, [f"{self.url}: cannot import the schedule: {exc.message}"])
        except ValueError as exc:
            return self._refused(exc, [f"{self.url}: cannot import the schedule: {str(exc).splitlines()[0]}"])
        digest = _sha(content.model_dump_json().encode())
        if digest == self._seen:
            return self._unchanged()
        base = Programme.from_content(content)
        if not base.talks:
            result = self._refused(ValueError("no talks"), [f"{self.url}: talks: the schedule has no talks"])
        else:
            result = await asyncio.to_thread(self._apply, base, digest, store=True, force=force)
        self._seen = digest  # handled (applied or refused); not set when applying raised
        return result

    def follow(self) -> SyncResult | None:
        """Take up what another process did: its forced or newer copy, or the organizers' new fixes.

        Called on the runtime's 5-second tick; cheap (two small queries) when nothing changed.
        """
        row = stored(self.host.db, self.url)
        if row is None or row.digest == self._applied:
            return None
        base = _applied_copy(row)
        if base is None:
            return None
        self._seen, self._seen_error = row.digest, None
        return self._apply(base, row.digest, store=False, force=True)  # already applied by that process

    def reapply(self) -> SyncResult | None:
        """The organizers' fixes changed: apply the last good schedule again with them on top."""
        if self._base is None or self._applied is None:
            return None
        return self._apply(self._base, self._applied, store=False, force=False)

    def _apply(self, base: Programme, digest: str, *, store: bool, force: bool) -> SyncResult:
        with self.host.exclusive:  # one schedule change at a time: a /move, the follow-up, this poll
            return self._apply_alone(base, digest, store=store, force=force)

    def _apply_alone(self, base: Programme, digest: str, *, store: bool, force: bool) -> SyncResult:
        db, now = self.host.db, self.host.clock.now()
        try:
            with db.session() as session:
                programme = overrides.with_stored(db, base, session)
                report = apply_programme(self.host, programme, force=force, source=self.url, session=session)
                if store:
                    _store(session, self.url, base, digest, now)
        except ConflictRefused as err:
            return self._refused(err, [str(c) for c in err.conflicts])
        except ContentError as err:
            return self._refused(err, [str(p) for p in err.problems])
        except ReloadRefused as err:  # its hint names `content reload`; the warning names `content sync`
            return self._refused(err, [f"{err.reason}."])
        if self.last_error is not None:
            log.info("schedule sync from %s works again", self.url)
        self._base, self._applied, self._seen_error = base, digest, None
        self.last_error, self.last_success = None, now
        if report.moved or report.cancelled or store:
            log.info("schedule synced from %s: %s", self.url, report)
        return SyncResult(APPLIED, report)

    def _unchanged(self) -> SyncResult:
        if self.last_error is not None and self._seen_error is None:
            log.info("schedule sync from %s works again", self.url)
        self.last_error = self._seen_error  # a refused schedule stays an error until it changes
        if self._seen_error is None:
            self.last_success = self.host.clock.now()
        return SyncResult(UNCHANGED, error=self._seen_error)

    def _refused(self, err: Exception, problems: list[str]) -> SyncResult:
        self._seen_error = f"{self.url}: schedule not applied: {'; '.join(problems)}"
        with self.host.db.session() as session:
            organizer_warnings.warn(
                session,
                self.host.settings.organizer_accounts,
                source=self.url,
                problems=problems,
                via="sync",
                since=self._applied or "",  # the digest of the schedule last applied from this URL
                now=self.host.clock.now(),
            )
        return self._failed(self._seen_error)

    def _failed(self, error: str) -> SyncResult:
        if error != self.last_error:  # one line per new error, not one every poll
            log.error("schedule sync failed, keeping the previous programme: %s", error)
        self.last_error = error
        return SyncResult(FAILED, error=error)


SYNC_JOB = "confbot.schedule_sync"
FOLLOW_SECONDS = 5.0


class LiveSchedule:
    """The live sync of one process (``CONFBOT_SCHEDULE_URL``): the poll job and the 5-second follow-up."""

    def __init__(self, host: Host, url: str) -> None:
        self.host = host
        self.sync = ScheduleSync(host, url)
        self._overrides: tuple[object, ...] = ()  # the organizers' fixes last taken up (/move, /cancel)

    def start(self) -> None:
        """Show the last good copy of the published schedule, if there is one."""
        self._overrides = overrides.mark(self.host.db)
        self.sync.restore()

    def periodic(self) -> Iterable[Periodic]:
        """A poll every ``CONFBOT_SCHEDULE_SYNC_MINUTES`` (the first at once), and the follow-up."""
        minutes = self.host.settings.schedule_sync_minutes
        return [
            Periodic(SYNC_JOB, minutes * 60, self.sync_now, first_now=True),
            Periodic(WATCH_JOB, FOLLOW_SECONDS, self.follow_tick),
        ]

    def status(self) -> str | None:
        """The last error of the sync, for ``/readyz``: None when it works."""
        return self.sync.status()

    async def sync_now(self, *, force: bool = False) -> SyncResult:
        """One poll of ``CONFBOT_SCHEDULE_URL``."""
        return await self.sync.poll(force=force)

    async def follow_tick(self) -> None:
        """Take up other replicas' fixes and forced copies (in a worker thread: it reads the database)."""
        await asyncio.to_thread(self._follow)

    def _follow(self) -> None:
        with self.host.exclusive:  # reapply() and follow() read and set what a poll sets
            self._follow_alone()

    def _follow_alone(self) -> None:
        mark = overrides.mark(self.host.db)
        if mark != self._overrides:
            self._overrides = mark
            self.sync.reapply()
        self.sync.follow()


@service("schedule_sync")
def _live(host: Host) -> LiveSchedule | None:
    """The live sync, when a published schedule is the content."""
    url = host.settings.schedule_url
    return LiveSchedule(host, url) if url else None
