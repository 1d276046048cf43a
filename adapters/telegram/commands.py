"""The command menus registered with ``setMyCommands``.

Everyone gets the public commands, in Chinese (the default and ``zh``) and English. Each organizer
listed as ``telegram:<id>`` in ``CONFBOT_ORGANIZERS`` also gets the organizer commands, in the menu
of their own private chat only (``BotCommandScopeChat``), so attendees never see them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden

from bot.chat.registry import listed
from bot.i18n import t
from bot.settings import Account

log = logging.getLogger(__name__)
_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
PLATFORM = "telegram"
_USER_ID = re.compile(r"^\d{1,20}$")


def menu(lang: str, *, organizer: bool = False) -> list[BotCommand]:
    """The public commands with their one-line descriptions in ``lang``; ``organizer`` appends the
    organizer commands after them, as /help lists them."""
    commands = listed() + ([c for c in listed(organizer=True) if c.organizer_only] if organizer else [])
    return [BotCommand(c.name, t(lang, c.help_key or "")[:256]) for c in commands if _NAME.match(c.name)]


def organizer_chats(organizers: Iterable[Account]) -> list[int]:
    """The private chats of the Telegram organizers (``telegram:<user id>``; a user's chat id is their id)."""
    chats = []
    for account in organizers:
        if account.platform != PLATFORM:
            continue
        if _USER_ID.match(account.user_id):
            chats.append(int(account.user_id))
        else:
            entry = str(account)
            log.warning("CONFBOT_ORGANIZERS entry %r is not telegram:<numeric user id>; no organizer menu", entry)
    return sorted(set(chats))


async def register_commands(bot: Bot, organizers: Iterable[Account] = ()) -> None:
    """Register the public menus (default, ``zh``, ``en``), then each Telegram organizer's own menu."""
    await bot.set_my_commands(menu("zh"))
    await bot.set_my_commands(menu("zh"), language_code="zh")
    await bot.set_my_commands(menu("en"), language_code="en")
    for chat_id in organizer_chats(organizers):
        await _organizer_menu(bot, chat_id)


async def _organizer_menu(bot: Bot, chat_id: int) -> None:
    """One organizer's menu. Telegram refuses a chat the bot has never talked in: that is logged, not fatal."""
    scope = BotCommandScopeChat(chat_id)
    try:
        await bot.set_my_commands(menu("zh", organizer=True), scope=scope)
        await bot.set_my_commands(menu("zh", organizer=True), scope=scope, language_code="zh")
        await bot.set_my_commands(menu("en", organizer=True), scope=scope, language_code="en")
    except (BadRequest, Forbidden) as error:
        log.warning(
            "no organizer command menu for telegram:%s (%s): they must start a chat with the bot first; "
            "it is set at the next start",
            chat_id,
            error.message,
        )
