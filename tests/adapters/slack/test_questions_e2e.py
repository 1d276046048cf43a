"""End to end on the fake Slack, Slack's own in audience questions: a full page of questions within
Block Kit's limits (50 blocks, 75-character button texts), a vote and a hide replacing the message in
place (replace_original). The questions scenario itself is shared: tests/scenarios/test_questions.py."""

from __future__ import annotations

from datetime import timedelta

import httpx

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from tests.adapters.slack.helpers import post, text_of, values_of
from tests.adapters.slack.test_e2e import block_action, slash
from tests.fakes.slack_api import FakeSlack


async def test_questions_vote_and_moderation_on_slack(
    slack: FakeSlack, client: httpx.AsyncClient, core: Core, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=2, minutes=5))  # talk 2 is running
    core.add_organizer(Address("slack", "U1ORG", "U1ORG"))
    for n in range(12):  # more than one page shows: the list stays within Block Kit's limits
        asker = f"U1ASK{n:02d}"
        answer = await post(slack, client, slash(slack, asker, f"ask 2 Question {n} about *XDP* & <offload>"))
        assert "is in" in text_of(answer) or "已向" in text_of(answer)
    listed = await post(slack, client, slash(slack, "U1BOB", "questions 2"))
    assert len(listed["blocks"]) <= 50 and "U1ASK" not in text_of(listed)
    assert "&lt;offload&gt;" in text_of(listed)
    votes = [v for v in values_of(listed) if v.startswith("vote ")]
    assert len(votes) == 10
    voted = await post(slack, client, block_action(slack, "U1BOB", votes[3]))
    assert voted.get("replace_original") is True and "👍 1" in text_of(voted)
    assert text_of(voted).index("Question 3") < text_of(voted).index("Question 0")  # ranked by votes

    question = votes[3].split()[1]
    moderated = await post(slack, client, slash(slack, "U1ORG", "questions 2"))
    assert len(moderated["blocks"]) <= 50 and "slack:U1ASK03" in text_of(moderated)
    labels = [e["text"]["text"] for b in moderated["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert all(len(label) <= 75 for label in labels)
    assert f"moderate {question} hide" in values_of(moderated)
    hidden = await post(slack, client, block_action(slack, "U1ORG", f"moderate {question} hide"))
    assert hidden.get("replace_original") is True and "Question 3 " not in text_of(hidden)
