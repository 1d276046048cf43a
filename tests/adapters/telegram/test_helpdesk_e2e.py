"""End to end on the fake Bot API: a helpdesk ticket reaches the organizer with native Reply / Close
buttons, the organizer's answer reaches the attendee with the ticket number, Close tells them."""

from __future__ import annotations

from adapters.telegram import TelegramAdapter
from bot.core import Core
from bot.messages import Address
from bot.push.runtime import Runtime
from tests.adapters.telegram.test_e2e import ALICE, _buttons
from tests.fakes.telegram_server import FakeTelegram, check_html

ORGANIZER = 3003


def _message(chat: int) -> dict:  # type: ignore[type-arg]
    return {"message_id": 8, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "ticket"}


async def test_a_ticket_round_trip_on_telegram(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core
) -> None:
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    core.settings.organizers.append(f"telegram:{ORGANIZER}")  # as CONFBOT_ORGANIZERS lists them
    runtime = Runtime(core, {"telegram": polling_bot.sender()}, watch_content=False)
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/start", lang="en"))
        await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
        fake_telegram.push(fake_telegram.message_update(ALICE, "/helpdesk I lost my <badge> & bag", lang="en"))
        (opened,) = await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
        assert "Ticket #1 is open" in opened["text"]
        ticket = (await fake_telegram.wait_for("sendMessage", 2, chat_id=ORGANIZER))[1]
        check_html(ticket["text"])
        assert "I lost my &lt;badge&gt; &amp; bag" in ticket["text"] and f"telegram:{ALICE}" in ticket["text"]
        assert _buttons(ticket) == ["hdr 1", "hdc 1"]
        fake_telegram.push(fake_telegram.callback_update(ORGANIZER, "hdr 1", _message(ORGANIZER), lang="en"))
        await fake_telegram.wait_for("sendMessage", 3, chat_id=ORGANIZER)
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "At the front desk.", lang="en"))
        sent = (await fake_telegram.wait_for("sendMessage", 4, chat_id=ORGANIZER))[3]
        assert "on its way" in sent["text"]
        answer = (await fake_telegram.wait_for("sendMessage", 2, chat_id=ALICE))[1]
        assert "ticket #1" in answer["text"] and "At the front desk." in answer["text"]
        fake_telegram.push(fake_telegram.callback_update(ORGANIZER, "hdc 1", _message(ORGANIZER), lang="en"))
        closed = (await fake_telegram.wait_for("sendMessage", 3, chat_id=ALICE))[2]
        assert "Ticket #1 is closed" in closed["text"]
    finally:
        await runtime.stop()
