"""The desk's helpdesk in real Chromium beside the real Telegram adapter on the fake Bot API (one
core): a ticket opened in Telegram appears in the inbox, an organizer signed in from their /desk link
claims it, a second organizer is told who has it, the first answers from the desk, and the delivery
engine brings the answer to the attendee's Telegram chat.

``CONFBOT_SCREENSHOTS=1`` also saves docs/screenshots/desk-helpdesk.png."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from telegram import Bot

from adapters.telegram.sender import TelegramSender
from bot.chat.messages import Address
from tests.adapters.web.conftest import Venue
from tests.adapters.web.test_browser import SHOTS, sync_api
from tests.helpers import dispatcher_for

ATTENDEE = 2002
FIRST, SECOND = 3003, 3004  # organizers on Telegram
DESKTOP = {"width": 1280, "height": 900}
WAIT_MS = 5000


def _says(venue: Venue, user: int, text: str) -> str:
    """A Telegram user writing in English sends ``text``; the bot's answer."""

    async def send() -> str:
        before = len(venue.telegram.sent("sendMessage", chat_id=user))
        venue.telegram.push(venue.telegram.message_update(user, text, lang="en"))
        sent = await venue.telegram.wait_for("sendMessage", count=before + 1, chat_id=user)
        return str(sent[-1]["text"])

    return venue.background.run(send())


def _desk(browser: sync_api.Browser, venue: Venue, organizer: int, seen: list[str]) -> sync_api.Page:
    """The organizer's /desk link from their Telegram chat, opened and signed in, at the helpdesk."""
    found = re.search(r'href="(http://127\.0\.0\.1:\d+/desk/signin/[^"]+)"', _says(venue, organizer, "/desk"))
    assert found, "the organizer's /desk gives a sign-in link"
    page = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()  # type: ignore[arg-type]
    page.on("request", lambda r: seen.append(r.url))
    page.goto(found.group(1))
    page.get_by_test_id("sign-in").click()
    page.wait_for_url(f"{venue.url}/desk")
    page.goto(f"{venue.url}/desk/helpdesk")
    return page


def test_a_ticket_from_telegram_is_claimed_and_answered_on_the_desk(browser: sync_api.Browser, venue: Venue) -> None:
    core = venue.core
    core.settings.public_url = venue.url
    for organizer in (FIRST, SECOND):
        core.settings.organizers.append(f"telegram:{organizer}")
        core.add_organizer(Address("telegram", str(organizer), str(organizer)))
        _says(venue, organizer, "/start")  # they have talked to the bot: tickets reach them

    opened = _says(venue, ATTENDEE, "/helpdesk My badge is missing, I registered as Mei Lin")
    number = int(re.findall(r"#(\d+)", opened)[0])

    seen: list[str] = []
    page = _desk(browser, venue, FIRST, seen)
    ticket = page.get_by_test_id(f"ticket-{number}")
    sync_api.expect(ticket).to_contain_text("My badge is missing, I registered as Mei Lin")
    sync_api.expect(ticket).to_contain_text(f"telegram:{ATTENDEE}")
    ticket.get_by_test_id("claim").click()
    sync_api.expect(page.get_by_test_id("flash")).to_contain_text(f"Ticket #{number} is yours now")
    sync_api.expect(ticket).to_contain_text(f"claimed by telegram:{FIRST}")

    other = _desk(browser, venue, SECOND, seen)  # a second organizer, in their own browser
    other.get_by_test_id(f"ticket-{number}").get_by_test_id("claim").click()
    sync_api.expect(other.get_by_test_id("flash")).to_contain_text(
        f"Ticket #{number} is already claimed by telegram:{FIRST}."
    )

    answer = "Your badge is waiting at the registration desk, row M."
    page.reload()
    ticket.get_by_test_id("reply-text").fill(answer)
    ticket.get_by_test_id("reply-send").click()
    sync_api.expect(page.get_by_test_id("flash")).to_contain_text(f"Your answer to ticket #{number} is on its way.")
    sync_api.expect(ticket).to_contain_text(answer)
    if os.environ.get("CONFBOT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "desk-helpdesk.png"), full_page=True)

    async def deliver() -> list[str]:  # the delivery engine, sending through the Telegram adapter's sender
        bot = Bot(venue.telegram.token, base_url=venue.telegram.base_url)
        await bot.initialize()
        try:
            before = len(venue.telegram.sent("sendMessage", chat_id=ATTENDEE))
            await dispatcher_for(core, {"telegram": TelegramSender(bot)}).run_due()
            sent = await venue.telegram.wait_for("sendMessage", count=before + 1, chat_id=ATTENDEE)
            return [str(m["text"]) for m in sent[before:]]
        finally:
            await bot.shutdown()

    received = venue.background.run(deliver())
    assert len(received) == 1 and answer in received[0] and f"#{number}" in received[0]
    assert {urlsplit(url).netloc for url in seen} == {urlsplit(venue.url).netloc}
