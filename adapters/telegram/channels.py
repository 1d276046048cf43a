"""/announce for Telegram channels, set up from the organizer's private chat with the bot.

A channel's posts reach the bot as ``channel_post`` updates without their author: ``from`` is
absent, ``sender_chat`` is the channel itself, and ``author_signature`` is a display name that any
admin can give themselves. So ``/announce`` typed in a channel can't be honoured: the bot can't tell
that an organizer sent it. Instead an organizer sends, in their private chat with the bot::

    /announce here [room | all | changes] in @channel      (or the channel's id, -100…)
    /announce off in @channel

The bot then asks Telegram: ``getChat`` (the channel exists and the bot can see it),
``getChatMember`` for the sender (its owner or an administrator) and for the bot (an administrator
allowed to post). Only then the core sets the channel up, as if the command had been sent there;
otherwise the core answers with the reason (``Request.channel_problem``), audited as a refusal.
The organizer check itself stays the core's: the platform is asked only for organizers.
"""

from __future__ import annotations

import dataclasses
import re

from telegram import Bot, ChatMemberAdministrator, ChatMemberOwner
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden

from bot.chat.messages import Request

# "/announce here B in @confnews", "/announce off in -1001234567890" (a bot command may carry @bot)
_REMOTE = re.compile(
    r"^(?P<command>/announce(?:@\w+)?\s+(?:here|off)\b.*?)\s+in\s+(?P<target>@[A-Za-z]\w{3,31}|-\d+)\s*$",
    re.IGNORECASE | re.DOTALL,
)


def remote_target(text: str) -> tuple[str, str] | None:
    """``(command without "in …", channel)`` for an /announce naming a channel, else None."""
    match = _REMOTE.match(text.strip())
    return (match["command"], match["target"]) if match else None


async def checked(bot: Bot, request: Request, command: str, target: str) -> Request:
    """``request`` for ``command`` in the channel ``target``, if its sender administers it and the
    bot can post there; else with the reason in ``channel_problem`` (and no channel)."""
    problem, chat_id = await _problem(bot, int(request.address.user_id), target)
    return dataclasses.replace(request, text=command, channel=chat_id, is_group=False, channel_problem=problem)


async def _problem(bot: Bot, user_id: int, target: str) -> tuple[str | None, str | None]:
    try:
        chat = await bot.get_chat(target)
        if chat.type != ChatType.CHANNEL:
            return "not_found", None  # a group is set up from inside it, where its members are known
        sender = await bot.get_chat_member(chat.id, user_id)
        if not isinstance(sender, ChatMemberOwner | ChatMemberAdministrator):
            return "not_admin", None
        me = await bot.get_chat_member(chat.id, bot.id)
    except (BadRequest, Forbidden):  # "chat not found", "member list is inaccessible"...
        return "not_found", None
    if not (isinstance(me, ChatMemberAdministrator) and me.can_post_messages):
        return "bot_cannot_post", None
    return None, str(chat.id)
