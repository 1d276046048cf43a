"""Organizer commands: refusals are audited; previews are confirmed once, by their owner, in time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.chat.confirm import on_confirm, preview
from bot.chat.messages import Address, Reply, ReplyBuilder, Span
from bot.chat.registry import Context, UsageError, command
from bot.clock import FakeClock
from bot.core import Core
from tests.helpers import actions, ask, press

ORGANIZER = Address("console", "organizer", "organizer")  # listed in the test settings
ATTENDEE = Address("console", "mallory", "mallory")
DONE: list[dict[str, Any]] = []
REFUSED: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def _a_previewed_command() -> Iterator[None]:
    """A tiny organizer command with a preview, as /broadcast and /move have."""

    @command("testchange", organizer_only=True)
    def testchange(ctx: Context) -> Reply:
        return preview(ctx, "testchange", {"what": ctx.args}, [(Span(f"change {ctx.args}"),)])

    @on_confirm("testchange")
    def apply(ctx: Context, payload: dict[str, Any]) -> Reply:
        if payload["what"] == "refused" and not REFUSED:
            REFUSED.append(payload)
            raise UsageError("confirm.gone")  # e.g. a clash appeared since the preview
        DONE.append(payload)
        return ReplyBuilder().line(f"done {payload['what']}").build()

    DONE.clear()
    REFUSED.clear()
    yield
    from bot.chat import confirm as confirm_module
    from bot.chat.registry import REGISTRY

    REGISTRY.pop("testchange", None)
    confirm_module._CONFIRMERS.pop("testchange", None)


def _audit(core: Core) -> str:
    return ask(core, "/audit", who=ORGANIZER, locale="en").plain_text


def test_a_non_organizer_is_refused_politely_and_the_attempt_is_audited(core: Core) -> None:
    text = ask(core, "/audit", who=ATTENDEE, locale="en").plain_text
    assert text == "Only conference organizers can use /audit."
    assert "console:mallory" in _audit(core) and "refused" in _audit(core)


def test_nothing_happens_before_confirm_and_confirm_runs_once(core: Core) -> None:
    shown = ask(core, "/testchange x", who=ORGANIZER, locale="en")
    assert DONE == [] and "until you confirm" in shown.plain_text
    confirm_action = next(a for a in actions(shown) if a.startswith("confirm "))
    assert len(confirm_action.encode()) <= 64
    assert press(core, confirm_action, who=ORGANIZER, locale="en").plain_text == "done x"
    again = press(core, confirm_action, who=ORGANIZER, locale="en").plain_text
    assert DONE == [{"what": "x"}] and "already handled" in again
    log = _audit(core)
    assert "previewed" in log and "confirmed testchange" in log


def test_cancel_discards_the_preview(core: Core) -> None:
    shown = ask(core, "/testchange y", who=ORGANIZER, locale="en")
    drop_action = next(a for a in actions(shown) if a.startswith("drop "))
    dropped = press(core, drop_action, who=ORGANIZER, locale="en")
    assert "Nothing was changed" in dropped.plain_text and dropped.edit
    confirm_action = drop_action.replace("drop", "confirm", 1)
    assert "already handled" in press(core, confirm_action, who=ORGANIZER, locale="en").plain_text
    assert DONE == []


def test_a_preview_expires_after_ten_minutes(core: Core, clock: FakeClock) -> None:
    shown = ask(core, "/testchange z", who=ORGANIZER, locale="en")
    clock.advance(timedelta(minutes=10, seconds=1))
    confirm_action = next(a for a in actions(shown) if a.startswith("confirm "))
    assert "expired" in press(core, confirm_action, who=ORGANIZER, locale="en").plain_text
    assert DONE == []


def test_only_the_organizer_who_asked_can_confirm(core: Core) -> None:
    core.add_organizer(Address("console", "other", "other"))
    shown = ask(core, "/testchange w", who=ORGANIZER, locale="en")
    confirm_action = next(a for a in actions(shown) if a.startswith("confirm "))
    other = Address("console", "other", "other")
    assert "already handled" in press(core, confirm_action, who=other, locale="en").plain_text
    assert "Only conference organizers" in press(core, confirm_action, who=ATTENDEE, locale="en").plain_text
    assert DONE == []


def test_a_refused_confirm_leaves_the_preview_usable(core: Core) -> None:
    shown = ask(core, "/testchange refused", who=ORGANIZER, locale="en")
    confirm_action = next(a for a in actions(shown) if a.startswith("confirm "))
    assert "already handled" in press(core, confirm_action, who=ORGANIZER, locale="en").plain_text
    assert DONE == [] and len(REFUSED) == 1
    assert press(core, confirm_action, who=ORGANIZER, locale="en").plain_text == "done refused"
