"""A user's forwarded file (:class:`~bot.chat.messages.UserFile`) as a line of text, for a platform that
can't show the file itself: a link to it, or where it was sent."""

from __future__ import annotations

import dataclasses

from bot.chat.messages import Line, Reply, Span, UserFile, link
from bot.i18n import t

PLATFORMS = {"telegram": "Telegram", "slack": "Slack"}


def file_line(file: UserFile, lang: str) -> Line:
    """``📎 <name>`` linking to the file, or ``📎 Photo (sent on Telegram; …)`` when it has no link."""
    what = file.name or t(lang, "file.photo" if file.kind == "photo" else "file.document")
    if file.url:
        return (Span("📎 "), link(what, file.url))
    platform = PLATFORMS.get(file.platform, file.platform)
    return (Span("📎 " + t(lang, "file.elsewhere", what=what, platform=platform)),)


def forward_as_text(reply: Reply) -> Reply:
    """``reply`` with its forwarded file (if any) as a last line of text instead: for a platform that
    can't show that file itself."""
    if reply.forward is None:
        return reply
    return dataclasses.replace(reply, lines=(*reply.lines, file_line(reply.forward, reply.lang)), forward=None)
