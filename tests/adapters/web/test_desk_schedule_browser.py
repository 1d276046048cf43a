"""The desk in real Chromium beside the real Telegram adapter on the fake Bot API (one core): a move made
on the desk's schedule page notifies the talk's Telegram subscribers exactly like /move; the stats page
draws its charts on the server (no script, nothing from elsewhere).

``CONFBOT_SCREENSHOTS=1`` also saves docs/screenshots/desk-stats.png."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from telegram import Bot

from adapters.telegram.sender import TelegramSender
from bot.chat.messages import Address
from bot.features.schedule.changes import apply_programme
from bot.i18n import t
from tests.adapters.web.conftest import ORGANIZER, Venue
from tests.adapters.web.test_browser import CHROMIUM, PROJECTOR, SHOTS
from tests.helpers import actions, ask, dispatcher_for, press

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extras)")

ALICE, BOB = 1001, 2002  # Telegram users
LATER = 5  # on the second day, 10:40 in the main hall


def signed_in_desk(browser: sync_api.Browser, venue: Venue) -> tuple[sync_api.Page, list[str]]:
    """The organizer's browser, signed in through the link /desk gives them; every address it asked for."""
    venue.core.settings.public_url = venue.url
    found = re.search(r"https?://\S+/desk/signin/\S+", ask(venue.core, "/desk", who=ORGANIZER).plain_text)
    assert found
    page = browser.new_context(viewport=PROJECTOR, locale="en-US").new_page()  # type: ignore[arg-type]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(found.group(0))
    page.get_by_test_id("sign-in").click()
    sync_api.expect(page.get_by_test_id("desk-account")).to_have_text("console:organizer")
    return page, requests


def deliver(venue: Venue) -> None:
    """One pass of the delivery engine, sending to the Telegram fake: every push due now."""

    async def run() -> None:
        async with Bot(venue.telegram.token, base_url=venue.telegram.base_url) as bot:
            await dispatcher_for(venue.core, {"telegram": TelegramSender(bot, rate_per_second=1000)}).run_due()

    venue.background.run(run())


def test_a_move_on_the_desk_notifies_subscribers_like_move(browser: sync_api.Browser, venue: Venue) -> None:
    apply_programme(venue.core, venue.core.programme)  # what the runtime does at start-up: the schedule as announced
    for user in (ALICE, BOB):
        venue.telegram_says(user, f"/sub {LATER}")
    page, requests = signed_in_desk(browser, venue)
    page.goto(f"{venue.url}/desk/schedule")
    page.get_by_test_id("move-talk").select_option(str(LATER))
    page.get_by_test_id("move-time").fill("16:30")
    page.get_by_test_id("move-submit").click()
    result = page.get_by_test_id("schedule-result")
    sync_api.expect(result).to_contain_text("16:30")
    sync_api.expect(result).to_contain_text("2 subscribers will each get one notice")
    page.get_by_test_id("schedule-confirm").click()
    sync_api.expect(result).to_contain_text("2 subscriber notice(s) queued")
    sync_api.expect(page.get_by_test_id(f"override-{LATER}")).to_contain_text("16:30")

    deliver(venue)
    sent = [venue.telegram.sent("sendMessage", chat_id=user)[-1] for user in (ALICE, BOB)]
    notices = [m["text"] for m in sent]
    assert notices[0] == notices[1]  # the same notice, once each
    assert sum(t("zh", "notice.moved") in m["text"] for m in venue.telegram.sent("sendMessage")) == 2
    assert notices[0].startswith(t("zh", "notice.moved"))
    assert f"#{LATER}" in notices[0] and "16:30" in notices[0] and "10:40" in notices[0]  # the new time and the old
    assert sent[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"talk {LATER}"  # Open the talk
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(venue.url).netloc}


def test_the_stats_page_charts_the_numbers_on_the_server(browser: sync_api.Browser, venue: Venue) -> None:
    core = venue.core
    for n, talks in enumerate(([5, 6, 2], [5, 6], [5, 3], [5, 2, 4], [6], [2]), start=1):
        who = Address("telegram", str(3000 + n), str(3000 + n))
        for talk in talks:
            ask(core, f"/sub {talk}", who=who, locale="en")
        ask(core, f"/rate 1 {min(5, n + 1)}", who=who, locale="en")  # talks 1 and 2 have begun: they can be rated
        ask(core, f"/rate 2 {n % 5 + 1}", who=who, locale="en")
    preview = ask(core, "/broadcast talk:5 The room of #5 changes to Hall B", who=ORGANIZER, locale="en")
    press(core, next(a for a in actions(preview) if a.startswith("confirm ")), who=ORGANIZER, locale="en")
    deliver(venue)
    page, requests = signed_in_desk(browser, venue)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{venue.url}/desk/stats")
    charts = page.get_by_test_id("chart")
    sync_api.expect(charts).to_have_count(4)
    sync_api.expect(charts.first).to_contain_text("#5 ")
    sync_api.expect(charts.nth(2)).to_contain_text("4/4")  # the broadcast to talk 5's four subscribers: sent
    sync_api.expect(charts.nth(3)).to_contain_text("★ 4.0 (6)")
    sync_api.expect(charts.nth(3)).to_contain_text("★ 2.8 (6)")
    sync_api.expect(page.get_by_test_id("stats-reply")).to_contain_text("#5")
    assert page.locator("main script").count() == 0 and not errors  # drawn on the server, nothing refused
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "desk-stats.png"), full_page=True)
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(venue.url).netloc}
