"""/mydata shows a person what the bot stores about them; /forget, after its Erase button, leaves no
trace of them in any table, and the bot then greets them as a new user."""

from __future__ import annotations

from sqlalchemy import select

from bot.core import Core
from bot.storage.models import User
from tests.features.privacy.traces import traces
from tests.scenarios.driver import Platform


def _ids(platform: Platform, core: Core, person: str) -> tuple[set[str], int]:
    user_id = platform.who(person).split(":", 1)[1]
    with core.db.session() as session:
        internal = session.scalar(select(User.id).where(User.platform_user_id == user_id))
    assert internal is not None
    return {user_id, platform.chat(person).split(":", 1)[1]}, internal


async def test_mydata_then_forget(platform: Platform, core: Core) -> None:
    await platform.send("alice", "/subscribe 2")
    await platform.send("alice", "/helpdesk Where is <room> B & C?")
    data = await platform.send("alice", "/mydata")
    assert platform.well_formed(data)
    assert "What the bot stores about you" in data.text and platform.who("alice").split(":")[1] in data.text
    assert "Starred talks (1)" in data.text and "#2 XDP <fast> & furious" in data.text
    assert "Where is <room> B & C?" in data.text and "Send /forget to erase all of it." in data.text

    asked = await platform.send("alice", "/forget")
    assert "Erase everything the bot stores about you?" in asked.text and platform.well_formed(asked)
    assert asked.actions[1] == "forget keep" and asked.actions[0].startswith("forget confirm ")
    kept = await platform.press("alice", "forget keep")
    assert "nothing was erased" in kept.text
    texts, internal = _ids(platform, core, "alice")
    assert traces(core.db, texts, internal) != []

    done = await platform.press("alice", asked.actions[0])
    assert "Everything the bot stored about you is erased" in done.text
    assert traces(core.db, texts, internal) == []

    again = await platform.send("alice", "/mydata")  # a new user
    assert "Starred talks (0)" in again.text and "Helpdesk tickets (0)" in again.text
