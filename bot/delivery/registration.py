"""The one rule of every registry features fill: a name is registered once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

V = TypeVar("V")


def once(table: dict[str, V], name: str, what: str) -> Callable[[V], V]:
    """A decorator that puts its target in ``table`` under ``name``; a second, different one is an error
    (``what`` names the registry in the message)."""

    def register(value: V) -> V:
        if table.get(name, value) is not value:
            raise ValueError(f"{what} {name!r} registered twice")
        table[name] = value
        return value

    return register
