"""The organizer desk over HTTP: a one-time link from /desk signs in once and only once, a
non-organizer gets no link, forms need the session's CSRF token, sessions expire and sign out, and
the Now page shows every room."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import AuditEntry
from tests.adapters.web.conftest import ORGANIZER, desk_core, form_token, site
from tests.helpers import ask

ATTENDEE = Address("telegram", "777", "777")


@pytest.fixture
def core(tmp_path: Path) -> Core:
    return desk_core(tmp_path)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    async with site(core) as client:
        yield client


def desk_link(core: Core) -> str:
    """What an organizer's /desk answers: the path of a one-time sign-in link."""
    found = re.search(r"https://bot\.example\.org(/desk/signin/\S+)", ask(core, "/desk", who=ORGANIZER).plain_text)
    assert found
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, link: str) -> httpx.Response:
    shown = await client.get(link)
    assert shown.status_code == 200 and "console:organizer" in shown.text
    return await client.post(link, data={"csrf": form_token(shown)})


async def test_a_desk_link_signs_in_once_and_only_once(client: httpx.AsyncClient, core: Core) -> None:
    link = desk_link(core)
    assert (await client.get(link)).status_code == 200  # a link preview's fetch does not use it up
    signed = await sign_in(client, link)
    assert signed.status_code == 303 and signed.headers["location"] == "/desk"
    cookie = signed.headers["set-cookie"]
    assert "desk=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    now = await client.get("/desk")
    assert now.status_code == 200 and now.headers["cache-control"] == "no-store"
    assert 'data-testid="room-A"' in now.text and "console:organizer" in now.text
    other = httpx.AsyncClient(transport=client._transport, base_url="https://bot.example.org")
    async with other:  # the same link in another browser: used
        again = await other.get(link)
        assert again.status_code == 404 and "已被使用或已过期" in again.text
        assert (await other.get("/desk")).status_code == 403
    with core.db.session() as session:
        details = session.scalars(select(AuditEntry.detail).where(AuditEntry.user_id == "organizer"))
        assert "signed in" in list(details)  # the audit log names the organizer


async def test_a_link_expires_after_ten_minutes(client: httpx.AsyncClient, core: Core) -> None:
    link = desk_link(core)
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(minutes=10, seconds=1))
    assert (await client.get(link)).status_code == 404


def test_a_non_organizer_gets_no_link_and_is_audited(core: Core) -> None:
    answer = ask(core, "/desk", who=ATTENDEE).plain_text
    assert "/desk" in answer and "desk/signin" not in answer
    with core.db.session() as session:
        assert session.scalar(select(AuditEntry.outcome).where(AuditEntry.action == "desk")) == "refused"


async def test_forms_without_the_sessions_token_or_after_it_ended_change_nothing(
    client: httpx.AsyncClient, core: Core
) -> None:
    await sign_in(client, desk_link(core))
    page = await client.get("/desk")
    token = re.search(r'action="/desk/signout"><input type="hidden" name="csrf" value="([^"]+)"', page.text)
    assert token
    assert (await client.post("/desk/signout", data={"csrf": "forged"})).status_code == 403
    assert (await client.get("/desk")).status_code == 200  # still signed in
    kept = client.cookies["desk"]
    out = await client.post("/desk/signout", data={"csrf": token.group(1)})
    assert out.status_code == 303 and "desk" not in client.cookies
    client.cookies.set("desk", kept)  # a copy of the cookie kept from before
    assert (await client.get("/desk")).status_code == 403  # no longer works


async def test_a_session_expires(client: httpx.AsyncClient, core: Core) -> None:
    await sign_in(client, desk_link(core))
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(hours=12, seconds=1))
    refused = await client.get("/desk")
    assert refused.status_code == 403 and "/desk" in refused.text


async def test_a_sign_in_post_with_too_many_fields_is_refused_not_a_crash(
    client: httpx.AsyncClient, core: Core
) -> None:
    body = "&".join(f"f{i}=x" for i in range(30))
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert (await client.post(desk_link(core), content=body, headers=headers)).status_code == 403


async def test_now_compares_stars_with_seats_and_says_what_is_not_ready(core: Core) -> None:
    from adapters.http import build_asgi
    from adapters.web import web_routes
    from bot.ops.health import Readiness

    conference = core.programme.conference
    rooms = [r.model_copy(update={"capacity": 1}) if r.id == "A" else r for r in conference.rooms]
    core.replace_programme(
        dataclasses.replace(core.programme, conference=conference.model_copy(update={"rooms": rooms}))
    )
    for user in ("801", "802"):  # two people starred the talk on now in a one-seat room
        ask(core, "/sub 2", who=Address("telegram", user, user))
    readiness = Readiness()
    readiness.add("telegram", lambda: "not started yet")
    transport = httpx.ASGITransport(app=build_asgi(web_routes(core, core.settings, None, readiness)))
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.example.org") as client:
        await sign_in(client, desk_link(core))
        page = await client.get("/desk")
    room = re.search(r'data-testid="room-A">(.*?)</tr>', page.text, re.S)
    assert room and '<span class="subs over">⭐ 2 / 1 座</span>' in room.group(1)
    assert "telegram</strong>: not started yet" in page.text


async def test_odd_addresses_and_filters_get_a_clear_answer(client: httpx.AsyncClient, core: Core) -> None:
    assert (await client.get("/desk/signin/abc%00def")).status_code == 404  # a NUL: no query at all
    assert (await client.get("/me/abc%00def")).status_code == 404
    await sign_in(client, desk_link(core))
    assert (await client.get("/desk/broadcast/99999999999")).status_code == 404
    assert (await client.get("/desk/audit?who=a%00b&action=x%00")).status_code == 200
