"""What every adapter offers the runner."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.delivery.sender import Sender


class Adapter(Protocol):
    """A platform adapter: translates updates into core requests and renders replies.

    It never holds delivery logic: pushes go through the core outbox, which calls
    :meth:`sender`'s ``send``.
    """

    name: str

    def routes(self) -> list[BaseRoute]:
        """HTTP endpoints to mount on the shared ASGI server (empty if none)."""
        ...

    def sender(self) -> Sender:
        """The sender the outbox dispatcher uses for this platform."""
        ...

    async def start(self) -> None:
        """Connect (polling, socket mode, webhook registration...)."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly."""
        ...
