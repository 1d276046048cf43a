"""Readiness checks: what /readyz reports when the database, the content or a named check is not ready."""

from __future__ import annotations

import dataclasses

import httpx

from adapters.http import build_asgi
from bot.core import Core
from bot.ops.health import Readiness, core_readiness
from bot.storage.db import Database


async def _readyz(readiness: Readiness) -> httpx.Response:
    app = build_asgi([], readiness=readiness)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as client:
        return await client.get("/readyz")


async def test_ready_when_the_database_answers_and_talks_are_loaded(core: Core) -> None:
    answer = await _readyz(core_readiness(core))
    assert answer.status_code == 200 and answer.json() == {"status": "ready", "checks": ["database", "content"]}


async def test_a_database_that_does_not_answer_is_named(core: Core) -> None:
    core.db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    answer = await _readyz(core_readiness(core))
    assert answer.status_code == 503
    failing = answer.json()["failing"]
    assert list(failing) == ["database"] and failing["database"].startswith("not answering: OperationalError")


async def test_no_talks_and_a_named_check_are_reported_together(core: Core) -> None:
    core.replace_programme(dataclasses.replace(core.programme, talks=()))
    readiness = core_readiness(core)
    readiness.add("platform", lambda: "not started yet")  # how another check plugs in: one line
    readiness.add("broken", lambda: 1 / 0)  # type: ignore[arg-type,return-value]
    answer = await _readyz(readiness)
    assert answer.status_code == 503
    assert answer.json()["failing"] == {
        "content": "no talks loaded",
        "platform": "not started yet",
        "broken": "check failed: ZeroDivisionError",
    }


async def test_a_schedule_sync_error_is_shown_but_keeps_the_replica_ready(core: Core) -> None:
    readiness = core_readiness(core)
    readiness.add("schedule_sync", lambda: "HTTP 502 from pretalx.example.org", blocking=False)
    answer = await _readyz(readiness)
    assert answer.status_code == 200  # every replica would fail it at once: it must not empty the load balancer
    assert answer.json() == {
        "status": "ready",
        "checks": ["database", "content"],
        "warnings": {"schedule_sync": "HTTP 502 from pretalx.example.org"},
    }
