"""No ticket is lost: a ticket written while nobody can receive it waits, and reaches the first
organizer who writes to the bot (or the helpdesk chat once one is set), in order, once, also when two
replicas see organizers at the same moment; the attendee is told what happens. /tickets lists the open
tickets oldest first with Reply and Close, paged."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.features.helpdesk.tickets import deliver_pending
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, User
from tests.features.helpdesk.test_commands import BOB, ORGANIZER, Inbox, deliver, in_desk
from tests.helpers import actions, ask, press

SECOND = Address("console", "organizer2", "organizer2")
CAROL = Address("console", "carol", "carol")


async def test_a_ticket_nobody_could_receive_reaches_the_first_organizer_who_writes(
    core: Core, clock: FakeClock
) -> None:
    core.settings.organizers.append("console:organizer2")
    core.add_organizer(SECOND)
    opened = ask(core, "/helpdesk 分会场太满了", who=BOB, locale="zh").plain_text
    assert "工单 #1" in opened and "工单已保存，一旦有组织者上线就会转交给他们" in opened
    clock.advance(1.5)
    quick = ask(core, "/求助 B厅门口也排满了", who=BOB, locale="zh").plain_text
    assert "已补充到工单 #1" in quick and "工单已保存" in quick  # joined, not refused, and still waiting
    inbox = Inbox()
    await deliver(core, inbox)
    assert inbox.got == {}  # nobody to send it to yet

    clock.advance(600)
    ask(core, "/start", who=ORGANIZER, locale="en")  # the first organizer talks to the bot
    await deliver(core, inbox)
    first, second = inbox.got["organizer"]
    assert "Helpdesk ticket #1" in first.plain_text and "分会场太满了" in first.plain_text
    assert actions(first) == ["ticket_reply 1", "ticket_close 1"]
    assert "Follow-up on ticket #1" in second.plain_text and "B厅门口也排满了" in second.plain_text
    (told,) = inbox.got["bob"]
    assert "工单 #1 现已送达组织者" in told.plain_text

    ask(core, "/help", who=ORGANIZER, locale="en")  # writing again sends nothing again
    ask(core, "/start", who=SECOND, locale="en")  # nor does a second organizer arriving later
    await deliver(core, inbox)
    assert len(inbox.got["organizer"]) == 2 and "organizer2" not in inbox.got and len(inbox.got["bob"]) == 1
    assert "Open tickets (1)" in ask(core, "/tickets", who=SECOND, locale="en").plain_text  # they find it there

    press(core, "ticket_reply 1", who=ORGANIZER, locale="en")
    ask(core, "We are opening hall C.", who=ORGANIZER, locale="en")
    await deliver(core, inbox)
    assert "We are opening hall C." in inbox.got["bob"][1].plain_text


async def test_setting_a_helpdesk_chat_delivers_the_waiting_tickets_there(core: Core) -> None:
    ask(core, "/helpdesk wheelchair access?", who=BOB, locale="en")
    said = in_desk(core, "/announce here helpdesk")  # the organizer's first words, in the group
    assert "This chat is the helpdesk" in said and "1 waiting ticket message is on its way here" in said
    inbox = Inbox()
    await deliver(core, inbox)
    (ticket,) = inbox.got["desk"]
    assert "wheelchair access?" in ticket.plain_text and actions(ticket) == ["ticket_reply 1", "ticket_close 1"]
    assert "organizer" not in inbox.got  # to the helpdesk chat, not to the organizer's DM as well
    assert "has now reached the organizers" in inbox.got["bob"][0].plain_text


async def test_two_replicas_seeing_organizers_at_once_send_each_waiting_message_once(
    db: Database,
    programme,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    settings = Settings(_env_file=None, organizers=["console:organizer", "console:organizer2"])  # type: ignore[call-arg]
    one, two = Core(settings, db, programme, clock), Core(settings, db, programme, clock)
    ask(one, "/helpdesk lost my badge", who=BOB, locale="en")
    ask(one, "/start", who=ORGANIZER, locale="en")
    ask(two, "/start", who=SECOND, locale="en")
    with db.session() as session:  # a replica that ran its claim late finds nothing left
        assert deliver_pending(session, settings.organizer_accounts, clock.now()) == 0
        rows = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "helpdesk"))
    assert rows == 1  # to the organizer who came first


async def test_a_claim_running_while_another_replica_holds_it_finds_nothing(
    any_db: Database,
    programme,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    """Replica A has claimed the waiting message and not committed yet; replica B's claim, whenever it
    runs, waits for A's row lock or reads A's commit, and claims nothing."""
    settings = Settings(_env_file=None, organizers=["console:organizer"])  # type: ignore[call-arg]
    core = Core(settings, any_db, programme, clock)
    ask(core, "/helpdesk lost my badge", who=BOB, locale="en")
    core.add_organizer(SECOND)
    ask(core, "/tickets", who=SECOND, locale="en")  # an organizer, but not one tickets go to
    with any_db.session() as ask_user:  # the listed organizer exists, without having written (no hook ran)
        ask_user.add(
            User(
                platform="console",
                platform_user_id="organizer",
                chat_id="organizer",
                first_seen=clock.now(),
                last_seen=clock.now(),
            )
        )
    with ThreadPoolExecutor(1) as pool, any_db.session() as a:
        assert deliver_pending(a, settings.organizer_accounts, clock.now()) == 1
        other = pool.submit(lambda: _claim(any_db, settings, clock))
        a.commit()
        assert other.result(timeout=30) == 0
    with any_db.session() as session:
        rows = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "helpdesk"))
    assert rows == 1


def _claim(db: Database, settings: Settings, clock: FakeClock) -> int:
    with db.session() as session:
        return deliver_pending(session, settings.organizer_accounts, clock.now())


async def test_a_waiting_ticket_closed_from_tickets_is_not_sent_later(core: Core) -> None:
    ask(core, "/helpdesk found it, never mind", who=BOB, locale="en")
    core.add_organizer(SECOND)  # an organizer not in CONFBOT_ORGANIZERS: nobody receives tickets yet
    listed = ask(core, "/tickets", who=SECOND, locale="en")
    assert "⏳ not delivered to any organizer yet" in listed.plain_text
    assert "Ticket #1 is closed" in press(core, "ticket_close 1", who=SECOND, locale="en").plain_text
    ask(core, "/start", who=ORGANIZER, locale="en")
    inbox = Inbox()
    await deliver(core, inbox)
    assert "organizer" not in inbox.got and [r.plain_text for r in inbox.got["bob"]] == ["✅ Ticket #1 is closed."]


def test_tickets_lists_the_open_ones_oldest_first_with_reply_and_close(core: Core, clock: FakeClock) -> None:
    ask(core, "/start", who=ORGANIZER, locale="en")
    assert "No open tickets." in ask(core, "/tickets", who=ORGANIZER, locale="en").plain_text
    ask(core, "/helpdesk my badge is misprinted", who=BOB, locale="en")
    clock.advance(90)
    core.handle(Request(CAROL, text="/helpdesk the hall B mic is dead", locale="en", display_name="Carol"))
    clock.advance(30)
    ask(core, "/helpdesk name should be Bob Li", who=BOB, locale="en")
    clock.advance(20 * 60)
    listed = ask(core, "/tickets", who=ORGANIZER, locale="en")
    text = listed.plain_text
    assert text.startswith("🆘 Open tickets (2)")
    assert text.index("#1 · 08:00 (22 min ago) · bob (console:bob)") < text.index("#2 · 08:01 (20 min ago) · Carol")
    assert "my badge is misprinted" in text and "Latest: name should be Bob Li" in text
    assert "2 message(s), 0 answer(s)" in text
    assert actions(listed) == ["ticket_reply 1", "ticket_close 1", "ticket_reply 2", "ticket_close 2"]
    assert "Only conference organizers" in ask(core, "/tickets", who=BOB, locale="en").plain_text
    assert "未关闭的工单（2）" in ask(core, "/工单", who=ORGANIZER, locale="zh").plain_text

    assert "Send your answer to ticket #2" in press(core, "ticket_reply 2", who=ORGANIZER, locale="en").plain_text
    assert "on its way" in ask(core, "A technician is coming.", who=ORGANIZER, locale="en").plain_text
    assert "1 message(s), 1 answer(s)" in ask(core, "/tickets", who=ORGANIZER, locale="en").plain_text
    press(core, "ticket_close 1", who=ORGANIZER, locale="en")
    after = ask(core, "/tickets", who=ORGANIZER, locale="en")
    assert "Open tickets (1)" in after.plain_text and "#1 ·" not in after.plain_text


def test_a_long_list_of_tickets_is_paged(core: Core, clock: FakeClock) -> None:
    for n in range(7):
        core.handle(Request(Address("console", f"p{n}", f"p{n}"), text=f"/helpdesk problem {n}", locale="en"))
        clock.advance(60)
    first = ask(core, "/tickets", who=ORGANIZER, locale="en")
    assert "Open tickets (7)" in first.plain_text and "page 1/2" in first.plain_text
    assert "problem 0" in first.plain_text and "problem 5" not in first.plain_text
    assert actions(first)[-1] == "tickets 2"
    second = press(core, "tickets 2", who=ORGANIZER, locale="en")
    assert second.edit and "problem 5" in second.plain_text and "problem 6" in second.plain_text
    assert actions(second) == ["ticket_reply 6", "ticket_close 6", "ticket_reply 7", "ticket_close 7", "tickets 1"]


async def test_a_follow_up_sent_once_an_organizer_is_reachable_takes_the_waiting_message_along(core: Core) -> None:
    ask(core, "/helpdesk the lift is stuck", who=BOB, locale="en")
    in_desk(core, "/help")  # the organizer first speaks in a group: reachable now, but no private word yet
    assert ask(core, "/helpdesk on floor 2", who=BOB, locale="en").plain_text == "Added to ticket #1."
    inbox = Inbox()
    await deliver(core, inbox)
    first, second = inbox.got["organizer"]
    assert "Helpdesk ticket #1" in first.plain_text and "the lift is stuck" in first.plain_text
    assert "Follow-up on ticket #1" in second.plain_text and "on floor 2" in second.plain_text
