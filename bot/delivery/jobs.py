"""What features hand the push runtime: periodic jobs, per-process services, and after-dispatch hooks.

A feature registers them when it is imported (it is listed in ``bot.features.ENABLED``); the runtime
runs whatever is registered and names no feature:

- ``@every(seconds, name=...)`` on ``def job(host) -> None``: run every ``seconds`` (the first run at
  once with ``first_now``), under a stable scheduler id.
- ``@service(name)`` on a factory ``(host) -> Service | None``: one object per runtime with state of its
  own (the content watcher, the live schedule sync). ``start()`` runs before anything is sent,
  ``periodic()`` says its jobs, ``status()`` (optional) is a warning for ``/readyz``. A factory returns
  None when the service is off in this configuration.
- ``@after_dispatch`` on ``def hook(session, now) -> None``: runs in the transaction that reads the next
  due time, after every dispatch pass (a broadcast with nothing left pending is finished there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.delivery.registration import once

if TYPE_CHECKING:
    from bot.host import Host

Tick = Callable[[], Awaitable[object]]  # a coroutine: its blocking work goes to a worker thread


@dataclass(frozen=True)
class Periodic:
    """One periodic job: ``tick`` every ``seconds`` under the stable id ``name``."""

    name: str
    seconds: float
    tick: Tick
    first_now: bool = False


class Service(Protocol):
    """A feature's part of one running process."""

    def start(self) -> None:
        """Called once when the runtime starts, before the first dispatch."""
        ...

    def periodic(self) -> Iterable[Periodic]:
        """The jobs the runtime schedules for this service."""
        ...


ServiceFactory = Callable[["Host"], Service | None]
AfterDispatch = Callable[[Session, datetime], object]

SERVICES: dict[str, ServiceFactory] = {}
AFTER_DISPATCH: list[AfterDispatch] = []
F = TypeVar("F", bound=Callable[..., object])


def service(name: str) -> Callable[[ServiceFactory], ServiceFactory]:
    """Register ``factory`` (a class taking the host, or a function) as the service ``name``."""
    return once(SERVICES, name, "service")


@dataclass
class _Every:
    """The service behind one ``@every`` function."""

    host: Host
    job: Callable[[Host], object]
    name: str
    seconds: float
    first_now: bool

    def start(self) -> None:
        """Nothing to prepare."""

    def periodic(self) -> Iterable[Periodic]:
        """The one job."""
        return [Periodic(self.name, self.seconds, self._tick, self.first_now)]

    async def _tick(self) -> None:
        await asyncio.to_thread(self.job, self.host)  # its database waits never hold up the event loop


def every(seconds: float, *, name: str, first_now: bool = False) -> Callable[[F], F]:
    """Run ``job(host)`` every ``seconds`` in each running process, in a worker thread (its errors are
    logged, never raised)."""

    def register(job: F) -> F:
        service(name)(lambda host: _Every(host, job, name, seconds, first_now))
        return job

    return register


def after_dispatch(hook: AfterDispatch) -> AfterDispatch:
    """Run ``hook(session, now)`` after every dispatch pass."""
    if hook not in AFTER_DISPATCH:
        AFTER_DISPATCH.append(hook)
    return hook
