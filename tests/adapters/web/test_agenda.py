"""Personal pages over HTTP: making an agenda without any chat app, starring, asking, voting and rating
from a page, the same stars in the chat and on the web, the calendar feed with its alarms, new
addresses, forged forms and the limits."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from adapters.web.agenda import Agendas
from bot.chat.messages import Address, Request
from bot.core import Core
from bot.storage.models import Question, Rating, Subscription, User
from tests.adapters.web.conftest import CANCELLED, form_token, web_app, web_core
from tests.helpers import ask, press

ALICE = Address("telegram", "4242", "4242")
RUNNING = 2  # runs at the tests' morning: questions are open
LATER = 5  # a talk later on the first day


@pytest.fixture
def core(tmp_path: Path) -> Core:
    return web_core(tmp_path)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core), client=("203.0.113.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        yield client


async def _new_agenda(client: httpx.AsyncClient, **fields: str) -> str:
    """Press "make my agenda" on the programme; the address of the page it made."""
    home = await client.get("/")
    made = await client.post("/me", data={"csrf": form_token(home), **fields})
    assert made.status_code == 303
    return made.headers["location"]


async def _post(client: httpx.AsyncClient, page_path: str, **fields: str) -> httpx.Response:
    page = await client.get(page_path)
    return await client.post(
        page_path if page_path.startswith("/me/") else _agenda_path(page), data={"csrf": form_token(page), **fields}
    )


def _agenda_path(page: httpx.Response) -> str:
    found = re.search(r'action="(/me/[^"/]+)"', page.text)
    assert found
    return found.group(1)


def _starred(page: httpx.Response, talk_id: int) -> bool:
    button = re.search(rf'aria-pressed="(true|false)" data-testid="star-{talk_id}"', page.text)
    assert button, f"no star for talk {talk_id}"
    return button.group(1) == "true"


def _users(core: Core) -> int:
    with core.db.session() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


async def test_make_my_agenda_opens_a_private_page_with_a_star_on_every_talk(
    client: httpx.AsyncClient, core: Core
) -> None:
    home = await client.get("/")
    assert 'data-testid="new-agenda"' in home.text and "创建我的日程" in home.text
    path = await _new_agenda(client)
    assert re.fullmatch(r"/me/[A-Za-z0-9_-]{32}", path)
    page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store" and "noindex" in page.headers["x-robots-tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert "此页面仅属于您" in page.text and 'data-testid="calendar-feed"' in page.text
    for talk in core.programme.talks:
        if talk.id != CANCELLED:
            assert not _starred(page, talk.id)


async def test_a_star_on_the_programme_without_an_agenda_makes_one_with_that_talk(client: httpx.AsyncClient) -> None:
    path = await _new_agenda(client, talk=str(LATER))
    page = await client.get(path)
    assert _starred(page, LATER) and not _starred(page, RUNNING)
    assert 'data-testid="flash"' in page.text  # the chat's answer to the star, shown once
    assert 'data-testid="flash"' not in (await client.get(path)).text


async def test_a_star_on_the_web_is_a_subscription_in_the_chat_and_the_reverse(
    client: httpx.AsyncClient, core: Core
) -> None:
    token = core.web_agenda_of(Request(ALICE, action="my", background=True))  # what /web gives Alice
    path = f"/me/{token}"
    assert (await _post(client, path, action=f"sub {LATER}", next=path)).status_code == 303
    assert f"#{LATER}" in press(core, "my", who=ALICE).plain_text  # /my in her chat
    ask(core, f"/sub {RUNNING}", who=ALICE)  # starred in the chat
    page = await client.get(path)
    assert _starred(page, RUNNING) and _starred(page, LATER)
    talk = await client.get(f"/talks/{RUNNING}")  # the agenda cookie: the talk page is hers too
    assert _starred(talk, RUNNING) and talk.headers["cache-control"] == "no-store"
    await _post(client, path, action=f"unsub {RUNNING}", next=f"/talks/{RUNNING}")
    assert f"#{RUNNING} " not in press(core, "my", who=ALICE).plain_text


async def test_the_calendar_feed_of_a_web_only_agenda_holds_the_starred_talk_with_its_alarm(
    client: httpx.AsyncClient, core: Core
) -> None:
    path = await _new_agenda(client, talk=str(LATER))
    page = await client.get(path)
    feed = re.search(r'href="http://bot\.test(/calendar/[^"]+\.ics)" data-testid="calendar-feed"', page.text)
    assert feed
    calendar = Calendar.from_ical((await client.get(feed.group(1))).content)
    events = [e for e in calendar.walk("VEVENT")]
    assert len(events) == 1 and core.programme.talk(LATER).title in str(events[0]["SUMMARY"])  # type: ignore[union-attr]
    alarms = events[0].walk("VALARM")
    assert alarms and alarms[0]["TRIGGER"].dt.total_seconds() == -10 * 60


async def test_asking_voting_and_rating_from_a_talk_page_are_the_chats(client: httpx.AsyncClient, core: Core) -> None:
    path = await _new_agenda(client)
    await client.get(path)
    talk_path = f"/talks/{RUNNING}"
    talk = await client.get(talk_path)
    assert 'data-testid="ask-text"' in talk.text and 'data-testid="ask-send"' in talk.text
    asked = await _post(
        client, talk_path, action=f"ask {RUNNING}", text="eBPF 在生产环境的开销有多大？", next=talk_path
    )
    assert asked.headers["location"] == talk_path
    shown = await client.get(talk_path)
    assert "eBPF 在生产环境的开销有多大？" in shown.text and 'data-testid="flash"' in shown.text
    ask(core, f"/ask {RUNNING} 如何调试 verifier 报错？", who=ALICE)  # a question from Telegram, to vote on
    with core.db.session() as session:
        theirs = session.scalar(select(Question.id).where(Question.text == "如何调试 verifier 报错？"))
    await _post(client, talk_path, action=f"vote {theirs}", next=talk_path)
    assert "👍 1" in press(core, f"questions {RUNNING}", who=ALICE).plain_text
    await _post(client, talk_path, action=f"rate {RUNNING} 4", next=talk_path)
    with core.db.session() as session:
        assert session.scalar(select(Rating.stars).where(Rating.talk_id == RUNNING)) == 4


async def test_a_new_address_replaces_the_old_one(client: httpx.AsyncClient) -> None:
    old = await _new_agenda(client, talk=str(LATER))
    page = await client.get(old)
    moved = await client.post(f"{old}/reset", data={"csrf": form_token(page)})
    assert moved.status_code == 303 and moved.headers["location"] != old
    assert (await client.get(old)).status_code == 404
    assert _starred(await client.get(moved.headers["location"]), LATER)


async def test_a_forged_form_is_refused_with_no_effect(client: httpx.AsyncClient, core: Core) -> None:
    path = await _new_agenda(client)
    users = _users(core)
    assert (await client.post("/me", data={"csrf": "forged-token-of-the-right-length"})).status_code == 403
    assert (await client.post(path, data={"action": f"sub {LATER}"})).status_code == 403
    other = httpx.AsyncClient(transport=client._transport, base_url="http://bot.test")  # a page elsewhere: no cookie
    async with other:
        refused = await other.post(path, data={"csrf": "x" * 32, "action": f"sub {LATER}"})
    assert refused.status_code == 403 and "表单已过期" in refused.text
    assert (await _post(client, path, action="broadcast everyone")).status_code == 400
    assert _users(core) == users
    with core.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Subscription)) == 0


async def test_making_agendas_and_writing_are_limited_per_client_and_page(core: Core) -> None:
    app = web_app(core)
    pages = next(r for r in app.routes if getattr(r, "path", "") == "/me")
    agendas: Agendas = pages.endpoint.__self__  # type: ignore[attr-defined]
    agendas.agendas = type(agendas.agendas)(2, 0.001, core.clock)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        await _new_agenda(client)
        await _new_agenda(client)
        home = await client.get("/")
        third = await client.post("/me", data={"csrf": form_token(home)})
        assert third.status_code == 429 and "操作过于频繁" in third.text


async def test_an_unknown_page_is_404_in_the_readers_language(client: httpx.AsyncClient) -> None:
    page = await client.get("/me/no-such-token", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "No such page" in page.text


def test_web_in_a_chat_gives_the_account_its_own_page(tmp_path: Path) -> None:
    core = web_core(tmp_path)
    core.settings.public_url = "https://bot.example.org"
    first = ask(core, "/web", who=ALICE).plain_text
    link = re.search(r"https://bot\.example\.org/me/\S+", first)
    assert link and "请勿分享" in first
    assert link.group(0) in ask(core, "/web", who=ALICE).plain_text  # the same page each time
    assert link.group(0) not in ask(core, "/web reset", who=ALICE).plain_text
    core.settings.web = False
    assert "未开启网页版" in ask(core, "/web", who=ALICE).plain_text


async def test_asking_from_a_talk_page_without_an_agenda_makes_one(client: httpx.AsyncClient, core: Core) -> None:
    """What an attendee who scanned a room screen's QR code does: ask at once, no app, no sign-up."""
    talk_path = f"/talks/{RUNNING}"
    talk = await client.get(talk_path)
    assert 'data-testid="ask-send"' in talk.text and 'action="/me"' in talk.text
    asked = await client.post(
        "/me",
        data={"csrf": form_token(talk), "action": f"ask {RUNNING}", "text": "能分享幻灯片吗？", "next": talk_path},
    )
    assert asked.status_code == 303 and asked.headers["location"] == talk_path
    page = await client.get(talk_path)
    assert "能分享幻灯片吗？" in page.text and 'data-testid="my-agenda"' in page.text
    with core.db.session() as session:
        assert session.scalar(select(Question.text).where(Question.talk_id == RUNNING)) == "能分享幻灯片吗？"


async def test_a_rating_on_the_web_leaves_the_persons_chat_alone(client: httpx.AsyncClient, core: Core) -> None:
    """The chat asks for a comment after a rating; from a page, that prompt waits on the page, so the
    person's next Telegram message is still a search, not taken as the comment."""
    ask(core, "/help", who=ALICE, locale="en")  # Alice writes in English on Telegram
    token = core.web_agenda_of(Request(ALICE, action="my", background=True))
    path = f"/me/{token}"
    await _post(client, path, action=f"rate {RUNNING} 4", next=path)
    answer = ask(core, "XDP", who=ALICE, locale="en").plain_text
    assert "comment" not in answer.lower() and "#" in answer  # the search's answer
    with core.db.session() as session:
        alice = session.scalar(select(User).where(User.platform_user_id == ALICE.user_id))
        assert alice is not None and alice.language == "en"  # the Chinese page did not change her language


async def test_opening_someone_elses_page_keeps_this_browsers_own_agenda(client: httpx.AsyncClient) -> None:
    mine = await _new_agenda(client, talk=str(LATER))
    other = httpx.AsyncClient(transport=client._transport, base_url="http://bot.test")
    async with other:
        theirs = await _new_agenda(other)
    page = await client.get(theirs)  # a friend's link
    assert 'data-testid="use-here"' in page.text
    home = await client.get("/")
    assert f'href="{mine}" data-testid="my-agenda"' in home.text  # still mine
    switched = await client.post(f"{theirs}/use", data={"csrf": form_token(page)})
    assert switched.status_code == 303
    assert f'href="{theirs}" data-testid="my-agenda"' in (await client.get("/")).text


async def test_a_whole_venue_behind_one_address_can_make_agendas(core: Core) -> None:
    transport = httpx.ASGITransport(app=web_app(core), client=("198.51.100.1", 5000))  # the venue's Wi-Fi
    made = []
    for _ in range(12):  # twelve phones, each its own browser
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as phone:
            made.append(await _new_agenda(phone))
    assert len(set(made)) == 12


async def test_cookies_are_secure_over_https(core: Core) -> None:
    transport = httpx.ASGITransport(app=web_app(core))
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.test") as client:
        home = await client.get("/")
        made = await client.post("/me", data={"csrf": form_token(home)})
    cookies = made.headers.get_list("set-cookie") + home.headers.get_list("set-cookie")
    assert cookies and all("Secure" in c for c in cookies)


def test_the_mini_app_brings_a_blocked_user_back_with_their_reminders(core: Core) -> None:
    from bot.delivery import outbox

    ask(core, f"/sub {LATER}", who=ALICE)
    with core.db.session() as session:
        alice = session.scalar(select(User).where(User.platform_user_id == ALICE.user_id))
        assert alice is not None
        alice.active = False  # she blocked the bot: her reminder is dropped
        outbox.cancel_pending(session, reason="blocked")
    core.web_agenda_of(Request(ALICE, action="my", background=True))  # she opens the Mini App
    with core.db.session() as session:
        assert outbox.counts(session).get("pending") == 1


async def test_a_live_poll_is_voted_on_from_the_talk_page_and_counted_with_the_chats(
    client: httpx.AsyncClient, core: Core
) -> None:
    from tests.adapters.web.conftest import ORGANIZER

    core.add_organizer(ORGANIZER)
    made = ask(core, f"/poll {RUNNING} 用过 XDP 吗？ | 用过 | 没用过", who=ORGANIZER).plain_text
    poll_id = re.search(r"/poll results (\d+)", made)
    assert poll_id
    press(core, f"poll_vote {poll_id.group(1)} 0", who=ALICE)  # a vote from the chat
    await client.get(await _new_agenda(client))
    talk_path = f"/talks/{RUNNING}"
    page = await client.get(talk_path)
    assert 'data-testid="poll"' in page.text and f"act-poll_vote-{poll_id.group(1)}-1" in page.text
    await _post(client, talk_path, action=f"poll_vote {poll_id.group(1)} 1", next=talk_path)
    results = ask(core, f"/poll results {poll_id.group(1)}", who=ALICE, locale="en").plain_text
    assert "1. 用过: 1" in results and "2. 没用过: 1" in results
