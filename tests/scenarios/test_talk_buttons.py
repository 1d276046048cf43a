"""Listing pages (/agenda, /track, /room) carry a button per talk, with long titles cut."""

from __future__ import annotations

import pytest

from bot.core import Core
from tests.factories import crowded_programme
from tests.scenarios.driver import Platform


@pytest.mark.parametrize("text", ["/agenda 1", "/track net", "/room A", "/room B 3"])
async def test_crowded_pages_get_a_button_per_talk_listed(platform: Platform, core: Core, text: str) -> None:
    core.replace_programme(crowded_programme())
    page = await platform.send("alice", text)  # each fake refuses what its platform would refuse
    opening = [a for a in page.actions if a.startswith("talk ")]
    assert len(opening) >= 10
    assert all(f"#{a.split()[1]}" in page.text for a in opening)  # a button for a talk on this page
    labels = [label for label, a in zip(page.labels, page.actions, strict=True) if a.startswith("talk ")]
    assert any(label.endswith("…") for label in labels)  # the long titles are cut, with an ellipsis
