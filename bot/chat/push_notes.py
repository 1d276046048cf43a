"""What a platform's pushes cannot promise, said when someone asks for one.

Most platforms deliver a reminder whenever it is due. WeChat delivers one only inside a window after
the person's last message; its adapter registers a note here, and /subscribe adds it to the answer
on that platform, so the attendee knows up front and can use the calendar feed instead. A platform
where the person can allow one message outside the window (WeChat's one-time subscription) also
registers an ``offer``: the link that asks for it, per starred talk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# (the person's platform user id, the talk id, the language) -> (the link's label, its address), or None
Offer = Callable[[str, int, str], tuple[str, str] | None]


@dataclass(frozen=True)
class PushNote:
    """The catalog key of the note, and the offer of a per-talk opt-in, if the platform has one."""

    key: str
    offer: Offer | None = None


_NOTES: dict[str, PushNote] = {}


def register(platform: str, key: str, offer: Offer | None = None) -> None:
    """On ``platform``, a new subscription's answer carries the catalog string ``key`` (and ``offer``'s link)."""
    _NOTES[platform] = PushNote(key, offer)


def note_for(platform: str) -> PushNote | None:
    """``platform``'s note, if it has one."""
    return _NOTES.get(platform)
