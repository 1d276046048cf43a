"""The desk's helpdesk inbox over HTTP: the open tickets oldest first with the attendee's messages
and files, claim (a second organizer is told who has it), reply (the answer is queued to the
attendee as a Reply in the chat is), close; a form without the session's token changes nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.chat.messages import Address, Request, UserFile
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import AuditEntry, OutboxMessage, Ticket
from tests.adapters.web.conftest import ORGANIZER, form_token, web_app, web_core
from tests.adapters.web.test_desk import desk_link, sign_in
from tests.helpers import ask

ATTENDEE = Address("telegram", "777", "777")
OTHER = Address("telegram", "888", "888")
SECOND = Address("console", "second", "second")
BASE = "https://bot.example.org"


@pytest.fixture
def core(tmp_path: Path) -> Core:
    core = web_core(tmp_path)
    core.settings.public_url = BASE
    core.add_organizer(ORGANIZER)
    return core


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers={"accept-language": "en"}) as client:
        yield client


def _ticket(page: httpx.Response, number: int) -> str:
    """The ticket's part of the inbox ('' when it is not there)."""
    found = re.search(rf'<article[^>]*data-testid="ticket-{number}".*?</article>', page.text, re.S)
    return found.group(0) if found else ""


def _open_two(core: Core) -> tuple[int, int]:
    assert isinstance(core.clock, FakeClock)
    ask(core, "/helpdesk My badge is missing", who=ATTENDEE)
    core.clock.advance(timedelta(minutes=5))
    photo = UserFile("telegram", "photo", "AgAC-file-id", name="door.jpg")
    core.handle(Request(OTHER, text="/helpdesk The door of room B is locked", file=photo))
    core.clock.advance(timedelta(minutes=1))
    ask(core, "/helpdesk it is printed with the wrong name", who=ATTENDEE)  # a follow-up to the first
    with core.db.session() as session:
        first, second = session.scalars(select(Ticket.id).order_by(Ticket.id)).all()
    return first, second


async def test_the_inbox_lists_open_tickets_oldest_first_with_messages_and_files(
    client: httpx.AsyncClient, core: Core
) -> None:
    first, second = _open_two(core)
    await sign_in(client, desk_link(core))
    page = await client.get("/desk/helpdesk")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert page.text.index(f'data-testid="ticket-{first}"') < page.text.index(f'data-testid="ticket-{second}"')
    one, two = _ticket(page, first), _ticket(page, second)
    assert "My badge is missing" in one and "it is printed with the wrong name" in one and "telegram:777" in one
    assert "The door of room B is locked" in two and "photo: door.jpg" in two
    assert "AgAC-file-id" not in page.text  # the file stays on the platform
    assert 'data-testid="reply-text"' in one and 'data-testid="reply-send"' in one
    assert (await client.get("/desk")).text.count('href="/desk/helpdesk"') == 1  # in the desk's navigation


async def test_a_signed_out_browser_sees_no_ticket(client: httpx.AsyncClient, core: Core) -> None:
    _open_two(core)
    refused = await client.get("/desk/helpdesk")
    assert refused.status_code == 403 and "My badge" not in refused.text


async def test_claim_then_a_second_organizer_is_told_who_has_it(client: httpx.AsyncClient, core: Core) -> None:
    first, _ = _open_two(core)
    await sign_in(client, desk_link(core))
    token = form_token(await client.get("/desk/helpdesk"))
    claimed = await client.post(f"/desk/helpdesk/{first}/claim", data={"csrf": token})
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/desk/helpdesk#ticket-{first}"
    mine = await client.get("/desk/helpdesk")
    assert f"Ticket #{first} is yours now" in mine.text
    assert "claimed by console:organizer" in _ticket(mine, first)

    core.add_organizer(SECOND)
    found = re.search(rf"{BASE}(/desk/signin/\S+)", ask(core, "/desk", who=SECOND).plain_text)
    assert found
    async with httpx.AsyncClient(transport=client._transport, base_url=BASE, headers={"accept-language": "en"}) as two:
        await sign_in_as(two, found.group(1))
        theirs = form_token(await two.get("/desk/helpdesk"))
        await two.post(f"/desk/helpdesk/{first}/claim", data={"csrf": theirs})
        told = await two.get("/desk/helpdesk")
        assert f"Ticket #{first} is already claimed by console:organizer." in told.text
        assert "claimed by console:organizer" in _ticket(told, first)
    with core.db.session() as session:
        assert session.get(Ticket, first).claimed_by == "console:organizer"  # type: ignore[union-attr]
        outcomes = session.scalars(
            select(AuditEntry.user_id + " " + AuditEntry.outcome).where(AuditEntry.action == "ticket_claim")
        ).all()
        assert sorted(outcomes) == ["organizer ok", "second refused"]


async def sign_in_as(client: httpx.AsyncClient, link: str) -> None:
    shown = await client.get(link)
    assert shown.status_code == 200
    assert (await client.post(link, data={"csrf": form_token(shown)})).status_code == 303


async def test_a_reply_is_queued_to_the_attendee_and_close_removes_the_ticket(
    client: httpx.AsyncClient, core: Core
) -> None:
    first, second = _open_two(core)
    await sign_in(client, desk_link(core))
    token = form_token(await client.get("/desk/helpdesk"))
    answer = "Your badge is at the front desk.\nAsk for Mei."
    sent = await client.post(f"/desk/helpdesk/{first}/reply", data={"csrf": token, "text": answer})
    assert sent.status_code == 303
    page = await client.get("/desk/helpdesk")
    assert f"Your answer to ticket #{first} is on its way." in page.text
    assert "Ask for Mei." in _ticket(page, first)  # the thread shows it
    with core.db.session() as session:
        pushes = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "helpdesk_answer")).all()
        answers = [p for p in pushes if p.payload.get("text")]
        assert [(p.payload["ticket"], p.payload["text"]) for p in answers] == [(first, answer)]
        attendee = answers[0].recipient_id
    # an empty answer is not sent (nor does it leave the organizer's chat waiting for one)
    await client.post(f"/desk/helpdesk/{first}/reply", data={"csrf": token, "text": "  "})
    assert f"Write the answer to ticket #{first} first." in (await client.get("/desk/helpdesk")).text

    closed = await client.post(f"/desk/helpdesk/{first}/close", data={"csrf": token})
    assert closed.status_code == 303
    page = await client.get("/desk/helpdesk")
    assert not _ticket(page, first) and _ticket(page, second)
    with core.db.session() as session:
        told = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.recipient_id == attendee)).all()
        assert {"ticket": first, "closed": True} in told
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == "organizer")).all()
        assert "ticket_reply" in actions and "ticket_close" in actions


async def test_forms_without_the_sessions_token_change_nothing(client: httpx.AsyncClient, core: Core) -> None:
    first, _ = _open_two(core)
    await sign_in(client, desk_link(core))
    for what, data in (("claim", {}), ("reply", {"text": "hello"}), ("close", {})):
        refused = await client.post(f"/desk/helpdesk/{first}/{what}", data={"csrf": "forged", **data})
        assert refused.status_code == 403
    page = await client.get("/desk/helpdesk")
    assert "claimed by" not in _ticket(page, first) and "hello" not in _ticket(page, first)
    with core.db.session() as session:
        ticket = session.get(Ticket, first)
        assert ticket is not None and ticket.state == "open" and ticket.claimed_by is None
        assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "helpdesk_answer")) is None


def test_the_chat_shares_the_claim(core: Core) -> None:
    first, _ = _open_two(core)
    core.add_organizer(SECOND)
    mine = ask(core, f"/ticket_claim {first}", who=SECOND, locale="en").plain_text
    assert f"Ticket #{first} is yours now" in mine
    told = ask(core, f"/ticket_claim {first}", who=ORGANIZER, locale="en").plain_text
    assert told == f"Ticket #{first} is already claimed by console:second."
    assert "claimed by console:second" in ask(core, "/tickets", who=ORGANIZER, locale="en").plain_text
    assert "There is no ticket #99" in ask(core, "/ticket_claim 99", who=ORGANIZER, locale="en").plain_text


async def test_an_answer_to_a_ticket_closed_meanwhile_is_not_sent(client: httpx.AsyncClient, core: Core) -> None:
    first, _ = _open_two(core)
    await sign_in(client, desk_link(core))
    token = form_token(await client.get("/desk/helpdesk"))  # the inbox as it was opened
    ask(core, f"/ticket_close {first}", who=ORGANIZER)  # another organizer closes it in the chat
    await client.post(f"/desk/helpdesk/{first}/reply", data={"csrf": token, "text": "It is at the desk."})
    assert f"Ticket #{first} was closed already." in (await client.get("/desk/helpdesk")).text
    with core.db.session() as session:
        texts = session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "helpdesk_answer")).all()
        assert all(not p.get("text") for p in texts)  # only the "closed" notice
