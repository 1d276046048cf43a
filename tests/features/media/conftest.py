"""A bot built like `confbot run` from content files, on SQLite and the fake clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clock import FakeClock
from bot.core import Core
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme
from bot.settings import Settings
from tests.factories import content_data

STREAM = "https://live.example.org/hall-a"
RECORDING = "https://media.example.org/v/testconf-2-xdp"
SLIDES = "https://slides.example.org/xdp.pdf"


def write(directory: Path, *, stream: str | None = STREAM, **talk2: Any) -> None:
    """The small programme's files; Hall A streams at ``stream``; ``talk2`` adds fields to talk 2."""
    data = content_data()
    if stream:
        data["conference"]["rooms"][0]["stream"] = stream
    next(t for t in data["talks"] if t["id"] == 2).update(talk2)
    directory.mkdir(exist_ok=True)
    (directory / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


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
