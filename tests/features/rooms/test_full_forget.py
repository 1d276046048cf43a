"""A room host who marked a room full and then uses /forget leaves the mark on record without them."""

from __future__ import annotations

from bot.core import Core
from tests.features.privacy.traces import traces
from tests.features.rooms.conftest import HOST
from tests.helpers import actions, ask, press


def test_a_forgotten_host_leaves_the_mark_without_their_account(core: Core) -> None:
    ask(core, "/full A", who=HOST, locale="en")
    assert traces(core.db, {"console:host"}, -1) == ["full_rooms.marked_by = 'console:host'"]
    asked = ask(core, "/forget", who=HOST, locale="en")
    (erase,) = [a for a in actions(asked) if a.startswith("forget confirm")]
    assert "erased" in press(core, erase, who=HOST, locale="en").plain_text
    assert traces(core.db, {"console:host"}, -1) == []
    assert "🈵 Full" in ask(core, "/room A", locale="en").plain_text  # the room is still full
