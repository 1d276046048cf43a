"""A bot built like `confbot run` from content files, on SQLite and the fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.core import Core
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme
from bot.settings import Settings
from tests.features.media.files import write


@pytest.fixture
def content(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    write(directory)
    return directory


@pytest.fixture
def live(tmp_path: Path, content: Path, clock: FakeClock) -> Core:
    """A core built like `confbot run` builds it, its schedule announced."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        organizers=["console:organizer"],
        content=content,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    core = create_core(settings, clock)
    apply_programme(core, core.programme)  # what the runtime does at start-up
    return core
