"""A bot built like `confbot run` from content files, on SQLite and the fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.core import Core
from tests.features.media.files import write
from tests.helpers import live_core


@pytest.fixture
def content(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    write(directory)
    return directory


@pytest.fixture
def live(tmp_path: Path, content: Path, clock: FakeClock) -> Core:
    """A core built like `confbot run` builds it, its schedule announced."""
    return live_core(tmp_path, content, clock)
