"""The organizer desk in real Chromium beside the Telegram fake: an organizer's /desk link signs in once
and only once, an attendee gets no link, and the Now page shows every room.

``CONFBOT_SCREENSHOTS=1`` also saves docs/screenshots/desk-now.png."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from bot.chat.messages import Address
from tests.adapters.web.conftest import Venue
from tests.adapters.web.test_browser import PROJECTOR, SHOTS, sync_api

CHAIR = 9001  # a Telegram organizer
ATTENDEE = 9002


def _link(venue: Venue, user: int) -> str | None:
    venue.telegram_says(user, "/desk")
    text = venue.telegram.sent("sendMessage", chat_id=user)[-1]["text"]
    found = re.search(r"(/desk/signin/[A-Za-z0-9_-]+)", text)
    return found.group(1) if found else None


def test_a_desk_link_from_telegram_signs_in_once_and_an_attendee_gets_none(
    browser: sync_api.Browser, venue: Venue
) -> None:
    venue.core.settings.public_url = venue.url
    venue.core.add_organizer(Address("telegram", str(CHAIR), str(CHAIR)))
    assert _link(venue, ATTENDEE) is None  # told it is for organizers
    link = _link(venue, CHAIR)
    assert link is not None
    context = browser.new_context(viewport=PROJECTOR, locale="zh-CN")  # type: ignore[arg-type]
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(venue.url + link)
    page.get_by_test_id("sign-in").click()
    page.wait_for_url("**/desk")
    assert page.get_by_test_id("desk-account").inner_text() == f"telegram:{CHAIR}"
    rooms = page.get_by_test_id("rooms").inner_text()
    assert "主会场" in rooms and "#2" in rooms
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "desk-now.png"))

    other = browser.new_context(viewport=PROJECTOR, locale="zh-CN").new_page()  # type: ignore[arg-type]
    other.goto(venue.url + link)  # the same link again, in another browser
    assert "已被使用或已过期" in other.get_by_test_id("missing").inner_text()
    other.goto(venue.url + "/desk")
    assert "工作台会话已结束" in other.get_by_test_id("missing").inner_text()

    page.get_by_test_id("sign-out").click()
    page.goto(venue.url + "/desk")
    assert page.get_by_test_id("missing").is_visible()
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(venue.url).netloc}
