"""The account's custom menu (自定义菜单): taps send commands, links open the web companion.

A ``click`` entry sends its key to the server as a CLICK event, which the adapter runs as the
command typed; a ``view`` entry opens a page. Limits: at most 3 entries of at most 5 sub-entries,
names of at most 16 bytes (60 in a sub-menu), keys of at most 128 bytes, links of at most 1 024.
Docs: developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Creating_Custom-Defined_Menu.html
"""

from __future__ import annotations

from typing import Any

from bot.settings import Settings

CREATE = "/cgi-bin/menu/create"


def _click(name: str, command: str) -> dict[str, str]:
    return {"type": "click", "name": name, "key": command}


def of(settings: Settings) -> dict[str, Any]:
    """The menu: the programme, now and next, and "mine" (my agenda, help, and the web pages when
    the bot serves them at ``CONFBOT_PUBLIC_URL``)."""
    mine: list[dict[str, str]] = [_click("我的议程 My agenda", "/my"), _click("帮助 Help", "/help")]
    if settings.web and settings.public_url:
        mine.insert(1, {"type": "view", "name": "网页版 Web", "url": settings.public_url.rstrip("/") + "/"})
        mine.insert(2, _click("我的网页 My page", "/web"))
    return {
        "button": [
            _click("议程", "/agenda"),
            _click("现在", "/now"),
            {"name": "我的", "sub_button": mine},
        ]
    }
