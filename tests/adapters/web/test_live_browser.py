"""The web and the chat are one bot, in real Chromium next to the real Telegram adapter on the fake Bot
API (one core): a star on the web is in /my on Telegram and a star in Telegram is starred on the web;
a schedule change moves the talk on the page that is open, without a reload."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from tests.adapters.web.conftest import ORGANIZER, Venue
from tests.adapters.web.test_browser import PHONE, PROJECTOR, sync_api
from tests.helpers import actions, ask, press

BOB = 2002  # a Telegram user
LATER, OTHER = 5, 6  # talks on the second day
WAIT_MS = 5000


def _stars(page: sync_api.Page, talk_id: int) -> sync_api.Locator:
    return page.get_by_test_id(f"star-{talk_id}").first


def test_a_star_on_the_web_is_in_my_on_telegram_and_the_reverse(browser: sync_api.Browser, venue: Venue) -> None:
    bob = Address("telegram", str(BOB), str(BOB))
    token = venue.core.web_agenda_of(Request(bob, action="my", background=True))  # the page /web gives Bob
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()  # type: ignore[arg-type]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{venue.url}/me/{token}")
    _stars(page, LATER).click()
    sync_api.expect(_stars(page, LATER)).to_have_attribute("aria-pressed", "true")

    venue.telegram_says(BOB, "/my")  # Bob's /my, in Telegram
    assert f"#{LATER}" in venue.telegram.sent("sendMessage", chat_id=BOB)[-1]["text"]

    venue.telegram_says(BOB, f"/sub {OTHER}")  # starred in Telegram
    page.reload()
    sync_api.expect(_stars(page, OTHER)).to_have_attribute("aria-pressed", "true")
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(venue.url).netloc}


def test_a_schedule_change_moves_the_talk_on_the_open_page(browser: sync_api.Browser, venue: Venue) -> None:
    venue.core.settings.web_live_interval = 0.3  # the pages ask every 0.3 s instead of 15
    page = browser.new_context(viewport=PROJECTOR, locale="en-US").new_page()  # type: ignore[arg-type]
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    page.goto(f"{venue.url}/")
    talk = page.get_by_test_id(f"talk-{LATER}")
    sync_api.expect(talk).to_contain_text("10:40")
    preview = ask(venue.core, f"/move {LATER} 16:30", who=ORGANIZER, locale="en")
    assert isinstance(venue.core.clock, FakeClock)
    venue.core.clock.advance(timedelta(seconds=5))
    press(venue.core, next(a for a in actions(preview) if a.startswith("confirm ")), who=ORGANIZER, locale="en")
    sync_api.expect(talk).to_contain_text("16:30", timeout=WAIT_MS)
    sync_api.expect(talk).to_contain_text("moved from 10:40")
    assert len(loads) == 1  # the page redrew itself: no reload
