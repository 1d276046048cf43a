"""Which messages in a group or channel the bot takes, the rest being the members' own chatter.

Every adapter reads the facts its platform gives (is it a group, a command, addressed to this bot)
and asks :func:`takes_message`; the rule itself is decided here once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable


async def takes_message(
    *, is_group: bool, command: bool, addressed: bool, awaited: Callable[[], Awaitable[bool]]
) -> bool:
    """Whether the core should see a typed message.

    In a private chat: always. In a group or channel: a command (or mention) addressed to this bot;
    never a command meant for another bot; any other text only when a prompt awaits it from its
    sender there (``awaited`` is asked only then: it reads the database, off the event loop).
    """
    if not is_group or addressed:
        return True
    if command:
        return False
    return await awaited()
