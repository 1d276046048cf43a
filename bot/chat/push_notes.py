"""What a platform's pushes cannot promise, said when someone asks for one.

Most platforms deliver a reminder whenever it is due. WeChat delivers one only inside a window after
the person's last message; its adapter registers a note here, and /subscribe adds it to the answer
on that platform, so the attendee knows up front and can use the calendar feed instead.
"""

from __future__ import annotations

_NOTES: dict[str, str] = {}  # platform -> catalog key of the note


def register(platform: str, key: str) -> None:
    """On ``platform``, a new subscription's answer carries the catalog string ``key``."""
    _NOTES[platform] = key


def note_for(platform: str) -> str | None:
    """The catalog key of ``platform``'s note, if it has one."""
    return _NOTES.get(platform)
