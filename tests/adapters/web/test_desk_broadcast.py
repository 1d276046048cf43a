"""The desk's broadcast page over HTTP: the chat's /broadcast preview with its count, Confirm queues exactly
that audience's rows, the progress page counts them; forms need the session's CSRF token and an
organizer's session."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import AuditEntry, Broadcast, OutboxMessage, User
from tests.adapters.web.conftest import ORGANIZER, web_app, web_core
from tests.adapters.web.test_desk import desk_link, sign_in
from tests.helpers import ask

TALK = 5
PEOPLE = [Address("telegram", str(n), str(n)) for n in (101, 102, 103)]


@pytest.fixture
def core(tmp_path: Path) -> Core:
    core = web_core(tmp_path)
    core.settings.public_url = "https://bot.example.org"
    core.add_organizer(ORGANIZER)
    for who in PEOPLE[:2]:
        ask(core, f"/sub {TALK}", who=who)
    ask(core, "/help", who=PEOPLE[2])  # a third attendee, not subscribed
    return core


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://bot.example.org", headers={"Accept-Language": "en"}
    ) as client:
        yield client


def _field(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _testid(page: httpx.Response, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:p|pre|dd|span)>', page.text, re.S)
    assert found, page.text
    return re.sub(r"<[^>]+>", "", found.group(1))


def _rows(core: Core) -> int:
    with core.db.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "broadcast"))


async def _preview(client: httpx.AsyncClient, audience: str, text: str) -> httpx.Response:
    page = await client.get("/desk/broadcast")
    assert page.status_code == 200
    return await client.post("/desk/broadcast", data={"csrf": _field(page, "csrf"), "audience": audience, "text": text})


async def test_a_talks_subscribers_are_counted_and_confirm_queues_exactly_them(
    client: httpx.AsyncClient, core: Core
) -> None:
    await sign_in(client, desk_link(core))
    page = await client.get("/desk/broadcast")
    assert f'<option value="talk:{TALK}"' in page.text and '<option value="platform:telegram"' in page.text
    assert '<option value="lang:en"' in page.text and '<option value="all"' in page.text
    shown = await _preview(client, f"talk:{TALK}", "Room *B* moved\nto the hall <now>")
    assert shown.status_code == 200
    count = _testid(shown, "broadcast-count")
    assert "2" in count and "telegram: 2" in count
    assert f"audience talk:{TALK} · 2 people" in shown.text  # the chat's own preview
    assert "&lt;b&gt;B&lt;/b&gt;" in _testid(shown, "broadcast-telegram")  # Telegram HTML, shown as source
    assert "*B*" in _testid(shown, "broadcast-slack") and "&amp;lt;now&amp;gt;" in shown.text
    assert _rows(core) == 0  # nothing before Confirm

    confirmed = await client.post(
        "/desk/broadcast/confirm", data={"csrf": _field(shown, "csrf"), "token": _field(shown, "token")}
    )
    assert confirmed.status_code == 303
    target = confirmed.headers["location"]
    assert re.fullmatch(r"/desk/broadcast/\d+", target)
    with core.db.session() as session:
        cast = session.scalars(select(Broadcast)).one()
        assert cast.audience == f"talk:{TALK}" and cast.created_by == "console:organizer"
        chats = session.scalars(
            select(User.platform_user_id)
            .join(OutboxMessage, OutboxMessage.recipient_id == User.id)
            .where(OutboxMessage.key == f"broadcast:{cast.id}")
        )
        assert sorted(chats) == ["101", "102"]
        outcomes = list(session.scalars(select(AuditEntry.outcome).where(AuditEntry.user_id == "organizer")))
        assert "previewed" in outcomes and f"confirmed broadcast #{cast.id}" in outcomes
    progress = await client.get(target)
    assert progress.status_code == 200
    assert _testid(progress, "broadcast-pending") == "2" and _testid(progress, "broadcast-sent") == "0"
    assert 'http-equiv="refresh" content="2"' in progress.text  # redraws itself until done

    again = await client.post(  # the same preview twice: the chat's "gone", nothing more queued
        "/desk/broadcast/confirm", data={"csrf": _field(shown, "csrf"), "token": _field(shown, "token")}
    )
    assert again.status_code == 409 and _rows(core) == 2


async def test_the_chats_refusals_are_shown_and_an_unknown_audience_is_refused(
    client: httpx.AsyncClient, core: Core
) -> None:
    await sign_in(client, desk_link(core))
    nobody = await _preview(client, "lang:zh-hant", "hello")
    assert nobody.status_code == 422 and "Nobody is in the audience lang:zh-hant" in nobody.text
    assert 'data-testid="broadcast-confirm"' not in nobody.text
    forged = await _preview(client, "talk:5 extra", "hello")
    assert forged.status_code == 400 and _rows(core) == 0


async def test_without_the_sessions_csrf_token_nothing_changes(client: httpx.AsyncClient, core: Core) -> None:
    await sign_in(client, desk_link(core))
    shown = await _preview(client, f"talk:{TALK}", "hello")
    token = _field(shown, "token")
    refused = await client.post("/desk/broadcast/confirm", data={"csrf": "forged", "token": token})
    assert refused.status_code == 403 and _rows(core) == 0
    assert (await client.post("/desk/broadcast/confirm", data={"token": token})).status_code == 403
    assert (await client.post("/desk/broadcast", data={"audience": "all", "text": "hi"})).status_code == 403
    assert _rows(core) == 0
    with core.db.session() as session:  # the refused posts previewed nothing either: one preview only
        previews = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "previewed"))
        assert previews == 1


async def test_an_organizers_session_is_required(client: httpx.AsyncClient, core: Core) -> None:
    assert (await client.get("/desk/broadcast")).status_code == 403
    assert (await client.post("/desk/broadcast", data={"audience": "all", "text": "hi"})).status_code == 403
    assert (await client.get("/desk/broadcast/1")).status_code == 403
    client.cookies.set("desk", "not-a-session")
    assert (await client.get("/desk/broadcast")).status_code == 403
    assert _rows(core) == 0


async def test_an_expired_preview_keeps_the_draft(client: httpx.AsyncClient, core: Core) -> None:
    await sign_in(client, desk_link(core))
    shown = await _preview(client, "all", "午餐改到 12:30")
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(minutes=11))  # the preview expired while the organizer looked away
    fields = {
        "csrf": _field(shown, "csrf"),
        "token": _field(shown, "token"),
        "text": "午餐改到 12:30",
        "audience": "all",
    }
    gone = await client.post("/desk/broadcast/confirm", data=fields)
    assert gone.status_code == 409 and "午餐改到 12:30</textarea>" in gone.text
    assert _rows(core) == 0
