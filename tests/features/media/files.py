"""The small programme's content files with a stream, slides or a recording: shared by the media
tests and the Telegram end-to-end test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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
