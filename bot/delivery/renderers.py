"""Rendering outbox pushes at send time: one renderer per kind, registered by the feature that owns it.

Pushes are rendered when they are sent, in the recipient's language, from the current
programme, so a reminder always states the real minutes left. A feature registers a kind with
``@renderer("kind")``; delivery never imports a feature.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.chat.messages import Reply
from bot.delivery.registration import once
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk


@dataclass(frozen=True)
class PushContext:
    """What a renderer may read: the push's payload, the recipient's language, the programme, the time."""

    payload: dict[str, Any]
    lang: str
    programme: Programme
    now: datetime

    def talk(self) -> Talk | None:
        """The talk the push is about, from the current programme."""
        return self.programme.talk(int(self.payload.get("talk", 0)))


Renderer = Callable[[PushContext], Reply | None]

RENDERERS: dict[str, Renderer] = {}
"""One renderer per push kind, filled by :func:`renderer` as the enabled features are imported."""


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the renderer of pushes of ``kind`` (one per kind)."""
    return once(RENDERERS, kind, "the renderer of push kind")


def render_push(kind: str, payload: dict[str, Any], lang: str, programme: Programme, now: datetime) -> Reply | None:
    """The message for one push, in the recipient's language; None if it no longer makes sense."""
    render = RENDERERS.get(kind)
    if render is None:
        return None
    reply = render(PushContext(payload, lang, programme, now))
    return dataclasses.replace(reply, lang=lang) if reply is not None else None
