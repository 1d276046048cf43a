"""Audience questions: ask, list with a 👍 button per question, vote (ranked by votes), moderate, and a
non-moderator's hide refused; the asker is named to organizers only."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from tests.scenarios.driver import Platform

QUESTION = "Is <XDP> & AF_XDP the same?"


async def test_questions_vote_and_moderation(platform: Platform, clock: FakeClock) -> None:
    clock.advance(timedelta(hours=2, minutes=5))  # talk 2 is running
    platform.make_organizer("organizer")
    assert "is in" in (await platform.send("carol", "/ask 2 Question 0 about offload")).text
    assert "is in" in (await platform.send("alice", f"/ask 2 {QUESTION}")).text

    listed = await platform.send("bob", "/questions 2")
    assert QUESTION in listed.text and platform.escaped("<XDP> & AF_XDP") in listed.raw  # escaped once
    assert platform.well_formed(listed)
    assert platform.who("alice") not in listed.text and platform.who("alice").split(":")[1] not in listed.text
    votes = [a for a in listed.actions if a.startswith("vote ")]
    assert len(votes) == 2
    assert listed.text.index("Question 0") < listed.text.index(QUESTION)
    vote = votes[1]  # the buttons follow the list: Alice's question is second
    question = vote.split()[1]
    voted = await platform.press("bob", vote)
    assert "👍 1" in voted.text
    assert voted.text.index("AF_XDP") < voted.text.index("Question 0")  # ranked by votes

    refused = await platform.press("bob", f"moderate {question} hide")
    assert refused.says("Only organizers")

    moderated = await platform.send("organizer", "/questions 2")
    assert platform.well_formed(moderated) and platform.who("alice") in moderated.text
    assert {f"moderate {question} hide", f"moderate {question} answered", f"moderate {question} pin"} <= set(
        moderated.actions
    )
    hidden = await platform.press("organizer", f"moderate {question} hide")
    assert "AF_XDP" not in hidden.text and "Question 0" in hidden.text
