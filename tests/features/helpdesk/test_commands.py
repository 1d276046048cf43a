"""The helpdesk round trip through the core and the outbox: open, the organizers' copy with Reply
and Close, an answer delivered with the ticket number, a follow-up to the same ticket, close;
attendees can't reply or close; the flood limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bot.chat import awaited
from bot.chat.messages import Address, Reply, Request, UserFile
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.sender import SendResult
from bot.storage.models import TicketMessage
from tests.helpers import actions, ask, dispatcher_for, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("console", "bob", "bob")


@dataclass
class Inbox:
    """A console sender that keeps every push per chat."""

    platform: str = "console"
    rate_per_second: float = 100.0
    got: dict[str, list[Reply]] = field(default_factory=dict)

    async def send(self, address: Address, reply: Reply) -> SendResult:
        self.got.setdefault(address.chat_id, []).append(reply)
        return SendResult.sent()


async def deliver(core: Core, inbox: Inbox) -> None:
    await dispatcher_for(core, {"console": inbox}).run_due()


async def test_a_ticket_round_trip(core: Core, clock: FakeClock) -> None:
    ask(core, "/start", who=ORGANIZER, locale="en")  # the organizer has talked to the bot
    inbox = Inbox()
    opened = ask(core, "/helpdesk I lost my badge <near> hall A", who=BOB, locale="en")
    assert "Ticket #1 is open" in opened.plain_text
    clock.advance(1.5)  # a second thought, right away: it joins the ticket, nothing to retype
    assert ask(core, "/helpdesk hello??", who=BOB, locale="en").plain_text == "Added to ticket #1."
    await deliver(core, inbox)
    ticket, quick = inbox.got["organizer"]
    assert "I lost my badge <near> hall A" in ticket.plain_text and "console:bob" in ticket.plain_text
    assert actions(ticket) == ["ticket_reply 1", "ticket_close 1"]
    assert "Follow-up on ticket #1" in quick.plain_text and "hello??" in quick.plain_text
    assert "Only conference organizers" in press(core, "ticket_reply 1", who=BOB, locale="en").plain_text
    clock.advance(178.5)  # the first answer comes 3 minutes after the ticket (1.5 s already passed)
    prompt = press(core, "ticket_reply 1", who=ORGANIZER, locale="en")
    assert "next message" in prompt.plain_text
    assert "on its way" in ask(core, "It is at the front desk.", who=ORGANIZER, locale="en").plain_text
    await deliver(core, inbox)
    (answer,) = inbox.got["bob"]
    assert "ticket #1" in answer.plain_text and "It is at the front desk." in answer.plain_text
    assert "Added to ticket #1" in ask(core, "/求助 thanks, got it", who=BOB, locale="en").plain_text
    await deliver(core, inbox)
    assert "thanks, got it" in inbox.got["organizer"][2].plain_text
    assert "Only conference organizers" in press(core, "ticket_close 1", who=BOB, locale="en").plain_text
    assert "closed" in press(core, "ticket_close 1", who=ORGANIZER, locale="en").plain_text
    await deliver(core, inbox)
    assert "Ticket #1 is closed" in inbox.got["bob"][1].plain_text
    clock.advance(20)
    assert "Ticket #2 is open" in ask(core, "/helpdesk another problem", who=BOB, locale="en").plain_text
    stats = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
    assert "Helpdesk: 1 open, 1 closed tickets; median first reply 3 min." in stats


def test_without_reachable_organizers_the_ticket_is_kept_and_said_so(core: Core) -> None:
    reply = ask(core, "/helpdesk the room is full", who=BOB, locale="en")
    assert "Ticket #1 is open" in reply.plain_text and "No organizer can be reached" in reply.plain_text
    assert "Usage: /helpdesk" in ask(core, "/helpdesk", who=BOB, locale="en").plain_text


def in_desk(core: Core, text: str = "", action: str | None = None) -> str:
    """The organizer writes or presses in the helpdesk group."""
    request = Request(ORGANIZER, text=text, action=action, locale="en", is_group=True, channel="desk")
    (reply,) = core.handle(request)
    return reply.plain_text


async def test_with_a_helpdesk_chat_tickets_go_there_and_are_answered_there(core: Core) -> None:
    ask(core, "/start", who=ORGANIZER, locale="en")
    assert "This chat is the helpdesk" in in_desk(core, "/announce here helpdesk")
    inbox = Inbox()
    ask(core, "/helpdesk wheelchair access to hall B?", who=BOB, locale="en")
    await deliver(core, inbox)
    assert "organizer" not in inbox.got  # not to each organizer: to the helpdesk chat
    (ticket,) = inbox.got["desk"]
    assert "wheelchair access to hall B?" in ticket.plain_text and actions(ticket) == [
        "ticket_reply 1",
        "ticket_close 1",
    ]
    assert "here, as your next message" in in_desk(core, action="ticket_reply 1")
    assert "on its way" in in_desk(core, "The lift is behind the stairs.")  # written in the helpdesk chat
    await deliver(core, inbox)
    assert "The lift is behind the stairs." in inbox.got["bob"][0].plain_text
    assert not core.awaits_input(Request(ORGANIZER, is_group=True, channel="desk"))  # taken once


PHOTO = UserFile("console", "photo", "file-1")


def send_file(core: Core, caption: str = "", file: UserFile = PHOTO) -> str:
    """Bob sends a file with ``caption``."""
    (reply,) = core.handle(Request(BOB, text=caption, locale="en", file=file))
    return reply.plain_text


async def test_a_file_goes_with_the_ticket_and_as_a_follow_up_and_is_stored(core: Core, clock: FakeClock) -> None:
    ask(core, "/start", who=ORGANIZER, locale="en")
    assert "send it with the caption /helpdesk" in send_file(core)  # no open ticket: no ticket from a bare file
    assert "Ticket #1 is open" in send_file(core, "/helpdesk my badge is broken")
    clock.advance(11)
    assert "Added to ticket #1" in send_file(core, "", UserFile("console", "document", "file-2", "scan.pdf"))
    clock.advance(11)
    assert "Added to ticket #1" in send_file(core, "the back side")  # a caption with no command
    inbox = Inbox()
    await deliver(core, inbox)
    first, second, third = inbox.got["organizer"]
    assert first.forward == PHOTO and "my badge is broken" in first.plain_text
    assert actions(first) == ["ticket_reply 1", "ticket_close 1"]
    assert second.forward == UserFile("console", "document", "file-2", "scan.pdf")
    assert "Follow-up on ticket #1" in second.plain_text and actions(second) == ["ticket_reply 1", "ticket_close 1"]
    assert third.forward == PHOTO and "the back side" in third.plain_text
    with core.db.session() as session:
        files = session.scalars(select(TicketMessage.file).order_by(TicketMessage.id)).all()
    assert files == [
        PHOTO.to_json(),
        {**PHOTO.to_json(), "kind": "document", "file_id": "file-2", "name": "scan.pdf"},
        PHOTO.to_json(),
    ]


def test_a_typed_hdf_and_a_photo_alone(core: Core) -> None:
    assert "Usage: /helpdesk" in ask(core, "/ticket_file", who=BOB, locale="en").plain_text  # no file: nothing to add
    assert "Usage: /helpdesk" in ask(core, "/helpdesk", who=BOB, locale="en").plain_text
    assert "Ticket #1 is open" in send_file(core, "/helpdesk")  # a photo alone is a ticket too


async def test_reply_pressed_in_a_telegram_channel_is_answered_in_private(core: Core) -> None:
    """Channel posts carry no author, so the answer to a ticket answered from a channel helpdesk is
    the organizer's next message in their private chat."""
    ask(core, "/start", who=ORGANIZER, locale="en")
    inbox = Inbox()
    ask(core, "/helpdesk lost my badge", who=BOB, locale="en")
    await deliver(core, inbox)
    in_channel = Request(
        ORGANIZER, action="ticket_reply 1", locale="en", is_group=True, channel="news", authorless_chat=True
    )
    (said,) = core.handle(in_channel)
    assert "in your private chat with the bot" in said.plain_text
    assert "on its way" in ask(core, "Come to the front desk.", who=ORGANIZER, locale="en").plain_text
    await deliver(core, inbox)
    assert "Come to the front desk." in inbox.got["bob"][0].plain_text


async def test_a_photo_sent_while_a_question_is_awaited_goes_to_the_ticket_not_the_question(
    core: Core, clock: FakeClock
) -> None:
    ask(core, "/start", who=ORGANIZER, locale="en")
    assert "Ticket #1 is open" in send_file(core, "/helpdesk my badge is broken")
    clock.advance(11)
    ask(core, "/help", who=BOB, locale="en")
    with core.db.session() as session:
        awaited.expect(session, Request(BOB), "comment", "2", clock.now())  # e.g. a rating's comment
    assert "Added to ticket #1" in send_file(core, "the back side")
    assert core.awaits_input(Request(BOB))  # the comment is still awaited: a photo is no comment


def test_the_photos_of_an_album_and_a_quick_text_all_reach_the_open_ticket(core: Core) -> None:
    ask(core, "/start", who=ORGANIZER, locale="en")
    assert "Ticket #1 is open" in send_file(core, "/helpdesk the screen in hall B is broken")
    for n in (2, 3):  # the rest of the album, the same second
        assert "Added to ticket #1" in send_file(core, "", UserFile("console", "photo", f"file-{n}"))
    assert "Added to ticket #1" in ask(core, "/helpdesk and the mic too", who=BOB, locale="en").plain_text
    with core.db.session() as session:
        assert len(session.scalars(select(TicketMessage.id)).all()) == 4


def test_the_hint_for_a_file_without_a_ticket_fits_the_platform(core: Core) -> None:
    slack_user = Address("slack", "U1BOB", "D1BOB")
    file = UserFile("slack", "photo", "F1", "badge.jpg", "https://example.slack.com/files/F1")
    (hint,) = core.handle(Request(slack_user, locale="en", file=file))
    assert "first open a ticket with /conf helpdesk <text>, then share the file here" in hint.plain_text
    assert "caption /helpdesk <text>" in send_file(core)  # Telegram and the console: a caption
