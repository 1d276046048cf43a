"""One search result: a talk or a speaker, its score, and the field that matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.programme.content.schema import Speaker, Talk


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: Literal["talk", "speaker"]
    score: float
    talk: Talk | None = None
    speaker: Speaker | None = None
    matched: str = ""  # the field that matched best: title, speaker, pinyin, initials, tag, track, ...
