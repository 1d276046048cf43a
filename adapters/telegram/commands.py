"""The command menu registered with ``setMyCommands``, in Chinese, English and a default."""

from __future__ import annotations

import re

from telegram import Bot, BotCommand

from bot.commands import listed
from bot.i18n import t

_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


def menu(lang: str) -> list[BotCommand]:
    """Public commands with their one-line descriptions in ``lang``."""
    return [BotCommand(c.name, t(lang, c.help_key or "")[:256]) for c in listed() if _NAME.match(c.name)]


async def register_commands(bot: Bot) -> None:
    """Register the menu: default (Chinese), ``zh`` and ``en``."""
    await bot.set_my_commands(menu("zh"))
    await bot.set_my_commands(menu("zh"), language_code="zh")
    await bot.set_my_commands(menu("en"), language_code="en")
