"""The desk's questions, stats and audit pages over HTTP: each shows what its chat command shows and
presses the chat's buttons; a desk session is needed, and a post without its CSRF token does nothing."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from tests.adapters.web.conftest import ORGANIZER, desk_core, form_token, site
from tests.adapters.web.test_desk import desk_link, sign_in
from tests.helpers import ask

ALICE = Address("telegram", "1001", "1001")
BOB = Address("telegram", "1002", "1002")
ON_NOW = 2  # in the main hall at 10:00 on day 1: open for questions


@pytest.fixture
def core(tmp_path: Path) -> Core:
    return desk_core(tmp_path)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    async with site(core, {"accept-language": "en"}) as client:
        yield client


@pytest.fixture
async def csrf(client: httpx.AsyncClient, core: Core) -> str:
    """Signed in; the session's CSRF token."""
    await sign_in(client, desk_link(core))
    page = await client.get("/desk")
    return form_token(page)


def text_of(page: httpx.Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def said(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()


def asked(core: Core, who: Address, text: str) -> None:
    ask(core, f"/ask {ON_NOW} {text}", who=who, locale="en")
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(seconds=61))  # past the flood gap


def question_id(core: Core, text: str) -> int:
    listed = ask(core, f"/questions {ON_NOW}", who=ORGANIZER, locale="en")
    for row in listed.button_rows:
        for button in row:
            if button.action.startswith("moderate ") and text in listed.plain_text:
                return int(button.action.split()[1])
    raise AssertionError("no moderation button")


# --- questions ---


async def test_the_desk_pages_need_a_session(client: httpx.AsyncClient) -> None:
    for path in ("/desk/questions", f"/desk/questions?talk={ON_NOW}"):
        assert (await client.get(path)).status_code == 403
    refused = await client.post("/desk/questions", data={"talk": "2", "action": "moderate 1 hide"})
    assert refused.status_code == 403


async def test_the_questions_page_shows_what_moderators_see_in_the_chat(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    asked(core, ALICE, "How does XDP handle jumbo frames?")
    page = await client.get(f"/desk/questions?talk={ON_NOW}")
    assert page.status_code == 200
    chat = ask(core, f"/questions {ON_NOW}", who=ORGANIZER, locale="en").plain_text
    shown = text_of(page)
    for line in filter(None, chat.splitlines()):
        assert said(line) in shown
    assert "asked by" in shown  # who asked: moderators only, as in the chat
    qid = question_id(core, "jumbo")
    assert f'data-testid="moderate-{qid}-hide"' in page.text
    assert 'href="/rooms/A/screen"' in page.text  # the room screen of the talk's room


async def test_hide_and_mark_answered_as_the_chats_buttons_do(client: httpx.AsyncClient, core: Core, csrf: str) -> None:
    asked(core, ALICE, "First question about maps?")
    asked(core, BOB, "Second question about verifier?")
    listed = ask(core, f"/questions {ON_NOW}", who=ORGANIZER, locale="en")
    ids = [int(b.action.split()[1]) for row in listed.button_rows for b in row if b.action.endswith(" hide")]
    hide, answer = ids[0], ids[1]
    hidden_text = "maps" if "maps" in listed.plain_text.split("\n\n")[1] else "verifier"

    done = await client.post(
        "/desk/questions", data={"csrf": csrf, "talk": str(ON_NOW), "action": f"moderate {hide} hide"}
    )
    assert done.status_code == 200 and "Updated" in text_of(done)
    assert hidden_text not in text_of(done).split("What the stage")[0]
    done = await client.post(
        "/desk/questions", data={"csrf": csrf, "talk": str(ON_NOW), "action": f"moderate {answer} answered"}
    )
    assert f'data-testid="moderate-{answer}-reopen"' in done.text  # marked answered: the chat's Reopen button
    attendee = ask(core, f"/questions {ON_NOW}", who=ALICE, locale="en").plain_text
    assert "maps" not in attendee and "verifier" not in attendee  # neither open any more, in the chat too


async def test_a_moderation_without_the_sessions_token_changes_nothing(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    asked(core, ALICE, "Will this stay?")
    qid = question_id(core, "stay")
    for token in ("", "forged"):
        data = {"csrf": token, "talk": str(ON_NOW), "action": f"moderate {qid} hide"}
        assert (await client.post("/desk/questions", data=data)).status_code == 403
    assert "Will this stay?" in ask(core, f"/questions {ON_NOW}", who=BOB, locale="en").plain_text
    other = {"csrf": csrf, "talk": str(ON_NOW), "action": "broadcast hello"}
    assert (await client.post("/desk/questions", data=other)).status_code == 400


# --- stats ---


def with_numbers(core: Core) -> None:
    """Two people on Telegram star talk 5, one also talk 2 (on now) and rates it 4 stars."""
    for who in (ALICE, BOB):
        ask(core, "/sub 5", who=who, locale="en")
    ask(core, f"/sub {ON_NOW}", who=ALICE, locale="en")
    ask(core, f"/rate {ON_NOW} 4", who=ALICE, locale="en")


async def test_the_stats_pages_need_a_session(client: httpx.AsyncClient) -> None:
    for path in ("/desk/stats", "/desk/stats.csv"):
        refused = await client.get(path)
        assert refused.status_code == 403 and "talk,5" not in refused.text


async def test_the_stats_page_shows_the_chats_stats_and_charts_them(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    with_numbers(core)
    chat = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text  # the organizer writes in English
    page = await client.get("/desk/stats")
    assert page.status_code == 200 and "<script" not in page.text.split("<main")[1]
    shown = text_of(page)
    for line in filter(None, chat.splitlines()):
        assert said(line) in shown
    charts = re.findall(r'<svg class="chart" data-testid="chart".*?</svg>', page.text, re.S)
    assert len(charts) == 4  # subscriptions per talk, reminders, broadcasts, ratings
    talks = charts[0]
    assert talks.index("#5 ") < talks.index(f"#{ON_NOW} ")  # most starred first
    bars = re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)"', talks)
    assert [float(w) for w in bars] == [420.0, 210.0]  # 2 stars and 1: half as long
    assert "★ 4.0 (1)" in charts[3]


async def test_the_csv_has_the_same_numbers(client: httpx.AsyncClient, core: Core, csrf: str) -> None:
    with_numbers(core)
    export = await client.get("/desk/stats.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    lines = export.text.splitlines()
    assert lines[0] == "section,id,name,measure,value"
    assert "users,,,total,3" in lines and "platform,telegram,,users,2" in lines  # and the console organizer
    assert "subscriptions,,,total,3" in lines
    assert any(line.startswith("talk,5,") and line.endswith(",subscribers,2") for line in lines)
    assert any(line.startswith(f"rating,{ON_NOW},") and line.endswith(",stars_4,1") for line in lines)
    assert "reminders,,,pending,2" in lines  # talk 5's two reminders (talk 2 has begun: none)


# --- audit ---


async def test_the_audit_page_needs_a_session(client: httpx.AsyncClient, core: Core) -> None:
    ask(core, "/broadcast hi", who=ALICE, locale="en")  # refused, audited
    refused = await client.get("/desk/audit")
    assert refused.status_code == 403 and "telegram:1001" not in refused.text


async def test_the_audit_page_shows_the_chats_audit_lines_filtered(
    client: httpx.AsyncClient, core: Core, csrf: str
) -> None:
    ask(core, "/broadcast hi", who=ALICE, locale="en")  # a refused attempt
    ask(core, "/move 5 16:30", who=ORGANIZER, locale="en")  # a preview
    chat = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text.splitlines()[1:]  # the lines, no title
    page = await client.get("/desk/audit")
    shown = text_of(page)
    places = [shown.index(said(line)) for line in chat]  # every line of /audit, in its order (newest first)
    assert places == sorted(places)

    by_alice = text_of(await client.get("/desk/audit", params={"who": "telegram:1001"}))
    assert "/broadcast hi → refused" in by_alice and "/move" not in by_alice.split("Filter", 1)[1]
    refusals = text_of(await client.get("/desk/audit", params={"outcome": "refused"}))
    assert "telegram:1001" in refusals and "/move 5 16:30 →" not in refusals
    moves = await client.get("/desk/audit", params={"action": "move", "who": "console:organizer"})
    listed = re.findall(r"<li>(.*?)</li>", moves.text, re.S)
    assert len(listed) == 1 and "/move 5 16:30" in html.unescape(listed[0])
    assert '<option value="move" selected>' in moves.text  # the filter stays chosen
