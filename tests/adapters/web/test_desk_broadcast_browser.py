"""A broadcast composed on the desk, in real Chromium beside the real Telegram adapter on the fake Bot API
(one core): a talk's subscribers are counted, Confirm queues them, the delivery engine sends it, exactly
those two chats get it once each, and the open progress page shows them sent.

``CONFBOT_SCREENSHOTS=1`` also saves docs/screenshots/desk-broadcast.png."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from adapters.telegram import TelegramAdapter
from bot.delivery.runtime import Runtime
from tests.adapters.telegram.conftest import telegram_settings
from tests.adapters.web.conftest import ORGANIZER, Venue
from tests.adapters.web.test_browser import SHOTS, sync_api
from tests.helpers import ask

TALK = 5
FANS, OTHER = (3001, 3002), 3003  # Telegram users: two star talk 5, one does not
TEXT = "Talk 5 moves to *Room B*, see you there!"
WAIT_MS = 8000  # the progress page redraws itself every 2 s


def _send_due(venue: Venue) -> None:
    """The delivery engine's dispatch pass, with the Telegram adapter's own sender on the fake Bot API."""

    async def send() -> None:
        adapter = TelegramAdapter(telegram_settings(venue.telegram), venue.core)
        await adapter.application.bot.initialize()
        runtime = Runtime(venue.core, {"telegram": adapter.sender()}, periodic=False)
        await runtime.start()
        try:
            await runtime.dispatch_now()
        finally:
            await runtime.stop()
            await adapter.application.bot.shutdown()

    venue.background.run(send())


def test_a_broadcast_to_a_talks_subscribers_reaches_exactly_them_once(browser: sync_api.Browser, venue: Venue) -> None:
    venue.core.settings.public_url = venue.url
    assert venue.core.settings.web
    for fan in FANS:
        venue.telegram_says(fan, f"/sub {TALK}")
    venue.telegram_says(OTHER, "/help")
    before = {chat: len(venue.telegram.sent("sendMessage", chat_id=chat)) for chat in (*FANS, OTHER)}

    found = re.search(r"(https?://\S+/desk/signin/\S+)", ask(venue.core, "/desk", who=ORGANIZER).plain_text)
    assert found and found.group(1).startswith(venue.url)
    page = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US").new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(found.group(1))
    page.get_by_test_id("sign-in").click()
    page.get_by_role("link", name="Broadcast").click()

    page.get_by_test_id("broadcast-text").fill(TEXT)
    page.get_by_test_id("broadcast-audience").select_option(f"talk:{TALK}")
    page.get_by_test_id("broadcast-preview").click()
    count = page.get_by_test_id("broadcast-count")
    sync_api.expect(count).to_contain_text("Recipients: 2")
    sync_api.expect(count).to_contain_text("telegram: 2")
    sync_api.expect(page.get_by_test_id("broadcast-telegram")).to_contain_text("<b>Room B</b>")
    sync_api.expect(page.get_by_test_id("broadcast-slack")).to_contain_text("*Room B*")
    page.get_by_test_id("broadcast-confirm").click()

    sync_api.expect(page).to_have_url(re.compile(r"/desk/broadcast/\d+$"))
    sync_api.expect(page.get_by_test_id("broadcast-pending")).to_have_text("2")
    sync_api.expect(page.get_by_test_id("broadcast-state")).to_have_text("sending")
    _send_due(venue)

    for fan in FANS:
        got = venue.telegram.sent("sendMessage", chat_id=fan)[before[fan] :]
        assert [m["text"] for m in got] == ["Talk 5 moves to <b>Room B</b>, see you there!"]
    assert len(venue.telegram.sent("sendMessage", chat_id=OTHER)) == before[OTHER]
    sync_api.expect(page.get_by_test_id("broadcast-sent")).to_have_text("2", timeout=WAIT_MS)  # redrawn by itself
    sync_api.expect(page.get_by_test_id("broadcast-pending")).to_have_text("0")
    sync_api.expect(page.get_by_test_id("broadcast-state")).to_have_text("done")
    assert {urlsplit(url).netloc for url in requests} == {urlsplit(venue.url).netloc}
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "desk-broadcast.png"), full_page=True)
