"""The web pages over HTTP: what a reader gets in their language, the marks the chat shows, the links,
the calendar file and the security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from tests.adapters.web.conftest import CANCELLED, web_app, web_core
from tests.helpers import actions, ask, press


@pytest.fixture
def core(tmp_path: Path) -> Core:
    return web_core(tmp_path)


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app(core, {"telegram": "confbot_test_bot"}))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        yield client


async def test_the_programme_is_chinese_by_default_and_lists_every_talk(client: httpx.AsyncClient, core: Core) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text and "日程" in page.text
    for talk in core.programme.talks:
        assert f'data-testid="talk-{talk.id}"' in page.text


async def test_english_by_the_browser_traditional_for_taiwan_and_the_switch_is_remembered(
    client: httpx.AsyncClient,
) -> None:
    english = await client.get("/talks/1", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert "From the Linux Kernel to eBPF" in english.text
    taiwan = await client.get("/speakers/chenlijun", headers={"Accept-Language": "zh-TW"})
    assert '<html lang="zh-Hant">' in taiwan.text and "西安郵電大學" in taiwan.text
    switched = await client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in switched.text and "lang=en" in switched.headers["set-cookie"]
    later = await client.get("/talks/1", headers={"Accept-Language": "zh-CN"})  # the cookie is sent back
    assert '<html lang="en">' in later.text


async def test_the_programme_shows_now_next_the_draft_note_and_a_cancelled_talk(client: httpx.AsyncClient) -> None:
    page = (await client.get("/?lang=en")).text
    now = page.split('data-testid="now"')[1].split("</section>")[0]
    assert "#2" in now  # 10:00 on day 1: talk 2 is on
    assert 'data-testid="next"' in page
    assert 'data-testid="draft"' in page  # the bundled programme is provisional, as /agenda says
    cancelled = page.split(f'data-testid="talk-{CANCELLED}"')[1].split("</div>")[0]
    assert "cancelled" in cancelled


async def test_a_talk_moved_by_an_organizer_says_where_it_was_as_the_chat_does(
    client: httpx.AsyncClient, core: Core
) -> None:
    organizer = Address("console", "organizer", "organizer")
    core.add_organizer(organizer)
    preview = ask(core, "/move 3 18:00", who=organizer, locale="en")
    assert isinstance(core.clock, FakeClock)
    core.clock.advance(timedelta(seconds=5))  # an organizer reads the preview before pressing
    press(core, next(a for a in actions(preview) if a.startswith("confirm ")), who=organizer, locale="en")
    page = (await client.get("/?lang=en")).text
    entry = page.split('data-testid="talk-3"')[1].split("</div>")[0]
    assert "moved from" in entry
    assert "Moved from" in (await client.get("/talks/3?lang=en")).text


async def test_filters_by_track_and_room(client: httpx.AsyncClient, core: Core) -> None:
    track = core.programme.conference.tracks[0].id
    page = (await client.get("/", params={"track": track})).text
    shown = {t.id for t in core.programme.talks if f'data-testid="talk-{t.id}"' in page}
    assert shown == {t.id for t in core.programme.talks if t.track == track}
    room = core.programme.conference.rooms[1].id
    page = (await client.get("/", params={"room": room})).text
    shown = {t.id for t in core.programme.talks if f'data-testid="talk-{t.id}"' in page}
    assert shown == {t.id for t in core.programme.talks if t.room == room}


async def test_a_talk_offers_its_calendar_file_the_telegram_reminder_and_a_qr_code(client: httpx.AsyncClient) -> None:
    page = (await client.get("/talks/5")).text
    assert 'href="https://t.me/confbot_test_bot?start=talk_5"' in page
    assert "<svg" in page.split('data-testid="qr"')[1]
    ics = await client.get("/talks/5.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert len(events) == 1 and str(events[0]["summary"]).startswith("#5 ")


async def test_no_reminder_link_when_no_bot_name_is_known(core: Core) -> None:
    transport = httpx.ASGITransport(app=web_app(core, {}))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
        page = (await client.get("/talks/5")).text
    assert "t.me" not in page and 'data-testid="calendar"' in page


async def test_search_finds_what_the_chat_finds(client: httpx.AsyncClient, core: Core) -> None:
    chat = ask(core, "/search 容器")
    page = (await client.get("/search", params={"q": "容器"})).text
    for line in chat.lines[1:4]:
        talk_ref = next(s.text for s in line if s.style == "code")
        assert f'href="/talks/{talk_ref[1:]}"' in page


async def test_unknown_pages_are_404_in_the_readers_language(client: httpx.AsyncClient) -> None:
    for path in ("/talks/999", "/talks/999.ics", "/speakers/nobody"):
        response = await client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404 and "There is no such page" in response.text


async def test_every_page_has_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    for path in ("/", "/talks/1", "/speakers/chenlijun", "/search?q=ebpf", "/static/web.css"):
        policy = (await client.get(path)).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy
