"""End to end on the fake Bot API, what is Telegram's own in the helpdesk: photos and files resent by
their file_id, and the helpdesk group, where the answer is quoted back (the DM round trip is a shared
scenario in tests/scenarios/test_helpdesk.py)."""

from __future__ import annotations

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address, Request, UserFile
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from tests.adapters.telegram.test_e2e import ALICE, _buttons
from tests.fakes.telegram_server import FakeTelegram, check_html

ORGANIZER = 3003


def _message(chat: int) -> dict:  # type: ignore[type-arg]
    return {"message_id": 8, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "ticket"}


async def test_photos_and_files_reach_the_organizer_with_the_ticket(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core, clock: FakeClock
) -> None:
    """A photo captioned /helpdesk opens a ticket and goes to the organizer as that photo (resent by its
    file_id, the ticket as its caption, Reply / Close under it); a document with no caption is a
    follow-up; a bare photo with no open ticket says how to send one; a Slack attendee's file is a link."""
    core.settings.organizers.append(f"telegram:{ORGANIZER}")
    runtime = Runtime(core, {"telegram": polling_bot.sender()}, periodic=False)
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/start", lang="en"))
        await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
        fake_telegram.push(fake_telegram.file_update(ALICE, lang="en"))
        (hint,) = await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
        assert "send it with the caption /helpdesk" in hint["text"]
        update = fake_telegram.push(fake_telegram.file_update(ALICE, "/helpdesk my badge <is> broken", lang="en"))
        assert "Ticket #1 is open" in (await fake_telegram.wait_for("sendMessage", 2, chat_id=ALICE))[1]["text"]
        await runtime.dispatch_now()
        (photo,) = await fake_telegram.wait_for("sendPhoto", chat_id=ORGANIZER)
        assert photo["photo"] == update["message"]["photo"][-1]["file_id"]  # the largest size
        check_html(photo["caption"])
        assert "Helpdesk ticket #1" in photo["caption"] and "my badge &lt;is&gt; broken" in photo["caption"]
        assert _buttons(photo) == ["ticket_reply 1", "ticket_close 1"]

        clock.advance(11)  # past the flood gap
        update = fake_telegram.push(fake_telegram.file_update(ALICE, kind="document", lang="en"))
        assert "Added to ticket #1" in (await fake_telegram.wait_for("sendMessage", 3, chat_id=ALICE))[2]["text"]
        await runtime.dispatch_now()
        (document,) = await fake_telegram.wait_for("sendDocument", chat_id=ORGANIZER)
        assert document["document"] == update["message"]["document"]["file_id"]
        assert "Follow-up on ticket #1" in document["caption"] and _buttons(document) == [
            "ticket_reply 1",
            "ticket_close 1",
        ]

        link = "https://confbot-test.slack.com/files/U1BOB/F0PHOTO/badge.jpg"
        slack_photo = UserFile("slack", "photo", "F0PHOTO", "badge.jpg", link)
        core.handle(Request(Address("slack", "U1BOB", "D1BOB"), text="/helpdesk the lift is broken", file=slack_photo))
        await runtime.dispatch_now()
        ticket = (await fake_telegram.wait_for("sendMessage", 2, chat_id=ORGANIZER))[1]
        check_html(ticket["text"])
        assert "the lift is broken" in ticket["text"] and f'📎 <a href="{link}">badge.jpg</a>' in ticket["text"]

        gone = UserFile("telegram", "photo", "AgAC-no-such-file")  # Telegram refuses it: the text still arrives
        core.handle(Request(Address("telegram", "1002", "1002"), text="/helpdesk see photo", file=gone))
        await runtime.dispatch_now()
        ticket = (await fake_telegram.wait_for("sendMessage", 3, chat_id=ORGANIZER))[2]
        assert "see photo" in ticket["text"] and "could not be forwarded" in ticket["text"]
        assert _buttons(ticket) == ["ticket_reply 3", "ticket_close 3"]
    finally:
        await runtime.stop()


GROUP = -100777


async def test_in_the_helpdesk_group_the_presser_s_next_message_is_the_answer(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core
) -> None:
    """Reply pressed in the helpdesk group: the organizer's next message there is the answer, quoted
    back in the group; another member's chatter and the organizer's later chatter are ignored."""
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    runtime = Runtime(core, {"telegram": polling_bot.sender()}, periodic=False)
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/announce here helpdesk", lang="en", chat_id=GROUP))
        await fake_telegram.wait_for("sendMessage", chat_id=GROUP)
        fake_telegram.push(fake_telegram.message_update(ALICE, "/helpdesk where is the cloakroom?", lang="en"))
        await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
        await runtime.dispatch_now()
        ticket = (await fake_telegram.wait_for("sendMessage", 2, chat_id=GROUP))[1]
        assert "where is the cloakroom?" in ticket["text"] and _buttons(ticket) == ["ticket_reply 1", "ticket_close 1"]
        group_message = {"message_id": 9, "date": 0, "chat": {"id": GROUP, "type": "supergroup", "title": "desk"}}
        fake_telegram.push(fake_telegram.callback_update(ORGANIZER, "ticket_reply 1", group_message, lang="en"))
        prompt = (await fake_telegram.wait_for("sendMessage", 3, chat_id=GROUP))[2]
        assert "Send your answer to ticket #1 here" in prompt["text"]
        fake_telegram.push(fake_telegram.message_update(3004, "I think it's downstairs", lang="en", chat_id=GROUP))
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "Ground floor, left.", lang="en", chat_id=GROUP))
        sent = (await fake_telegram.wait_for("sendMessage", 4, chat_id=GROUP))[3]
        assert "on its way" in sent["text"] and sent.get("reply_parameters")  # quoting the answer
        await runtime.dispatch_now()
        answer = (await fake_telegram.wait_for("sendMessage", 2, chat_id=ALICE))[1]
        assert "Ground floor, left." in answer["text"] and "downstairs" not in answer["text"]
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "done, thanks", lang="en", chat_id=GROUP))
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/helpdesk", lang="en"))  # a barrier
        await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)  # updates are handled in order
        assert len(fake_telegram.sent("sendMessage", chat_id=GROUP)) == 4  # no chatter was answered
    finally:
        await runtime.stop()
