"""The personal agenda in real Chromium: made from the programme with one press, starred, asked from a
talk page, its calendar feed; what a phone shows, and nothing loaded from elsewhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from bot.chat.messages import Address
from tests.adapters.web.conftest import Served
from tests.adapters.web.test_browser import PHONE, SHOTS, sync_api

LATER = 5  # later on the first day
RUNNING = 2  # on now: its questions are open


@pytest.fixture
def page(browser: sync_api.Browser, served: Served) -> Iterator[sync_api.Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    yield page
    context.close()
    hosts = {urlsplit(url).netloc for url in requests}
    assert hosts == {urlsplit(served.url).netloc}  # nothing from another host


def test_a_web_only_agenda_stars_asks_and_feeds_the_calendar(page: sync_api.Page, served: Served) -> None:
    page.goto(served.url + "/")
    page.get_by_test_id("new-agenda").click()
    page.wait_for_url("**/me/*")
    token = urlsplit(page.url).path.rsplit("/", 1)[1]
    assert page.get_by_test_id("keep-private").is_visible()
    star = page.get_by_test_id(f"star-{LATER}").first
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    page.wait_for_load_state()
    assert page.get_by_test_id(f"star-{LATER}").first.get_attribute("aria-pressed") == "true"
    assert f"#{LATER}" in page.get_by_test_id("my").inner_text()  # the chat's /my, on the page
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "agenda-phone.png"))

    feed = page.get_by_test_id("calendar-feed").get_attribute("href")
    assert feed and feed.endswith(".ics")
    ics = page.request.get(feed)
    events = list(Calendar.from_ical(ics.body()).walk("VEVENT"))
    assert len(events) == 1 and events[0].walk("VALARM")

    page.goto(f"{served.url}/talks/{RUNNING}")  # the talk page is this agenda's: ask from it
    page.get_by_test_id("ask-text").fill("XDP 能和 TC 一起用吗？")
    page.get_by_test_id("ask-send").click()
    page.wait_for_url(f"**/talks/{RUNNING}")
    assert "XDP 能和 TC 一起用吗？" in page.get_by_test_id("questions").inner_text()
    assert page.get_by_test_id("flash").is_visible()
    holder = served.core.web_holder(token)
    assert holder is not None and holder.starred == frozenset({LATER})


def test_the_mini_app_opens_the_telegram_users_own_page(page: sync_api.Page, served: Served) -> None:
    from urllib.parse import quote

    from tests.adapters.telegram.test_webapp import TOKEN, USER, signed
    from tests.helpers import ask

    served.core.settings.telegram_bot_token = TOKEN
    telegram_user = Address("telegram", str(USER["id"]), str(USER["id"]))
    ask(served.core, f"/sub {LATER}", who=telegram_user)  # starred in the chat
    launch = f"tgWebAppData={quote(signed(at=served.core.clock.now()))}&tgWebAppVersion=8.0&tgWebAppPlatform=ios"
    page.goto(f"{served.url}/webapp#{launch}")  # as Telegram opens the menu button's Mini App
    page.wait_for_url("**/me/*")
    assert page.get_by_test_id(f"star-{LATER}").first.get_attribute("aria-pressed") == "true"
    page.goto(f"{served.url}/webapp#tgWebAppData={quote(signed(at=served.core.clock.now()) + 'x')}")
    page.wait_for_load_state()
    assert "无法验证此 Telegram 登录" in page.get_by_test_id("missing").inner_text()
