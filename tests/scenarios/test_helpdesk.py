"""A helpdesk ticket round trip with no helpdesk chat: each organizer gets the ticket in their DM with
Reply / Close buttons, the presser's next message is the answer, it reaches the attendee with the
ticket number, and Close tells them."""

from __future__ import annotations

from tests.scenarios.driver import Platform


async def test_each_organizer_gets_the_ticket_and_answers_in_the_dm(platform: Platform) -> None:
    runtime = await platform.runtime()
    for organizer in ("organizer", "organizer2"):  # as CONFBOT_ORGANIZERS lists them
        platform.make_organizer(organizer, listed=True)
        await platform.send(organizer, "/help")  # a bot can DM only people who talked to it
    opened = await platform.send("alice", "/helpdesk I lost my <badge> & bag")
    assert "Ticket #1 is open" in opened.text
    await runtime.dispatch_now()
    for organizer in ("organizer", "organizer2"):
        (ticket,) = await platform.wait_posts(organizer, 1)
        assert "I lost my <badge> & bag" in ticket.text and platform.escaped("I lost my <badge> & bag") in ticket.raw
        assert "Helpdesk ticket #1" in ticket.text and platform.who("alice") in ticket.text
        assert platform.well_formed(ticket) and ticket.actions == ["ticket_reply 1", "ticket_close 1"]
    assert platform.posts("alice") == []  # the attendee never sees the ticket as the organizers do

    prompt = await platform.press("organizer", "ticket_reply 1")
    assert "Send your answer to ticket #1 here" in prompt.text
    sent = await platform.send("organizer", "At the front desk.")
    assert "on its way" in sent.text
    await runtime.dispatch_now()
    (answer,) = await platform.wait_posts("alice", 1)
    assert "ticket #1" in answer.text and "At the front desk." in answer.text

    assert (await platform.press("organizer", "ticket_close 1")).says("Ticket #1 is closed")
    await runtime.dispatch_now()
    closed = (await platform.wait_posts("alice", 2))[1]
    assert "Ticket #1 is closed" in closed.text


async def test_a_ticket_nobody_could_receive_reaches_the_first_organizer_and_is_answered_from_tickets(
    platform: Platform,
) -> None:
    """No organizer has talked to the bot and there is no helpdesk chat: the ticket and a quick second
    message wait, reach the first organizer who writes, in order, once; /tickets lists and answers it."""
    runtime = await platform.runtime()
    opened = await platform.send("alice", "/helpdesk the side room is full", lang="zh")
    assert "已创建工单 #1" in opened.text and "工单已保存，一旦有组织者上线就会转交给他们" in opened.text
    quick = await platform.send("alice", "/求助 分会场太满了", lang="zh")  # the same second: joins, not refused
    assert "已补充到工单 #1" in quick.text
    await runtime.dispatch_now()
    assert platform.posts("alice") == []

    platform.make_organizer("organizer", listed=True)
    helped = await platform.send("organizer", "/now")  # the first organizer writes to the bot (a short answer)
    await runtime.dispatch_now()
    # what reached the organizer, in order: the answer to /now and the two pushes (a push may go out
    # before that answer: the driver then takes the first message for the answer, so look at all three)
    seen = [helped, *await platform.wait_posts("organizer", 2)]
    ticket = next(m for m in seen if "Helpdesk ticket #1" in m.text)
    follow_up = next(m for m in seen if "Follow-up on ticket #1" in m.text)
    assert seen.index(ticket) < seen.index(follow_up)
    assert "Helpdesk ticket #1" in ticket.text and "the side room is full" in ticket.text
    assert platform.who("alice") in ticket.text and ticket.actions == ["ticket_reply 1", "ticket_close 1"]
    assert "Follow-up on ticket #1" in follow_up.text and "分会场太满了" in follow_up.text
    (reached,) = await platform.wait_posts("alice", 1)
    assert "工单 #1 现已送达组织者" in reached.text  # in Alice's language

    listed = await platform.send("organizer", "/tickets")
    assert "Open tickets (1)" in listed.text and "the side room is full" in listed.text
    assert "Latest: 分会场太满了" in listed.text and platform.well_formed(listed)
    assert listed.actions == ["ticket_reply 1", "ticket_close 1"]
    assert "Send your answer to ticket #1 here" in (await platform.press("organizer", "ticket_reply 1")).text
    assert "on its way" in (await platform.send("organizer", "Hall C is open now.")).text
    await runtime.dispatch_now()
    answer = (await platform.wait_posts("alice", 2))[1]
    assert "Hall C is open now." in answer.text
    assert (await platform.press("organizer", "ticket_close 1")).says("Ticket #1 is closed")
    await runtime.dispatch_now()
    assert len(platform.posts("organizer")) == 2  # each message reached the organizer once
    assert "No open tickets." in (await platform.send("organizer", "/tickets")).text
