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
        assert "I lost my <badge> & bag" in ticket.text and "I lost my &lt;badge&gt; &amp; bag" in ticket.raw
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
