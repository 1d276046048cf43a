"""The Telegram answer to "may this user have the bot post in that channel?" (the core's
:class:`~bot.chat.ports.ChatRights`), for ``/announce … in @channel`` sent from a private chat.

``getChat`` (the channel exists and the bot can see it), ``getChatMember`` for the user (its owner
or an administrator) and for the bot (an administrator allowed to post). The core parses the command
and asks only for organizers.
"""

from __future__ import annotations

from telegram import Bot, ChatMemberAdministrator, ChatMemberOwner
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden

from bot.chat.ports import ChatCheck


class TelegramChatRights:
    """Asks the Bot API about a channel named by ``@username`` or id (``-100…``)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def may_post(self, user_id: str, chat: str) -> ChatCheck:
        """The channel's id if ``user_id`` administers it and the bot may post there, else the problem."""
        bot = self._bot
        try:
            found = await bot.get_chat(chat)
            if found.type != ChatType.CHANNEL:
                return ChatCheck(problem="not_found")  # a group is set up from inside it, where its members are known
            sender = await bot.get_chat_member(found.id, int(user_id))
            if not isinstance(sender, ChatMemberOwner | ChatMemberAdministrator):
                return ChatCheck(problem="not_admin")
            me = await bot.get_chat_member(found.id, bot.id)
        except (BadRequest, Forbidden):  # "chat not found", "member list is inaccessible"...
            return ChatCheck(problem="not_found")
        if not (isinstance(me, ChatMemberAdministrator) and me.can_post_messages):
            return ChatCheck(problem="bot_cannot_post")
        return ChatCheck(chat_id=str(found.id))
