"""Rendering outbox pushes (reminders, move and cancel notices) at send time.

Pushes are rendered when they are sent, in the recipient's language, from the current
programme, so a reminder always states the real minutes left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.content.programme import Programme
from bot.i18n import register, t
from bot.messages import Button, Reply, ReplyBuilder, bold
from bot.render import room_name, title_of
from bot.timefmt import format_time, format_when

register(
    {
        "reminder.soon": {
            "zh": "⏰ {minutes} 分钟后开始：",
            "en": "⏰ Starting in {minutes} minutes:",
        },
        "reminder.one_minute": {"zh": "⏰ 1 分钟后开始：", "en": "⏰ Starting in 1 minute:"},
        "reminder.where": {"zh": "📍 {room} · {time}", "en": "📍 {room} · {time}"},
        "notice.moved": {"zh": "🔀 日程调整：", "en": "🔀 Schedule change:"},
        "notice.moved_to": {"zh": "改到 {when}，{room}（原定 {old}）", "en": "moved to {when}, {room} (was {old})"},
        "notice.cancelled": {"zh": "❌ 已取消：", "en": "❌ Cancelled:"},
        "notice.cancelled_hint": {"zh": "发送 /agenda 查看其他演讲。", "en": "Send /agenda to find another talk."},
        "button.open_talk": {"zh": "查看详情", "en": "Details"},
    }
)


def render_push(kind: str, payload: dict[str, Any], lang: str, programme: Programme, now: datetime) -> Reply | None:
    """The message for one push, or None if it no longer makes sense (talk gone)."""
    if kind == "broadcast":
        return ReplyBuilder().line(str(payload.get("text", ""))).build()
    talk = programme.talk(int(payload.get("talk", 0)))
    if talk is None:
        return None
    tz = programme.tz
    title = title_of(talk, lang)
    if kind == "reminder":
        if talk.start is None:
            return None
        minutes = max(1, round((talk.start - now).total_seconds() / 60))
        head = t(lang, "reminder.one_minute") if minutes == 1 else t(lang, "reminder.soon", minutes=minutes)
        b = ReplyBuilder().line(head).line(bold(f"#{talk.id} {title}"))
        b.line(t(lang, "reminder.where", room=room_name(programme, talk.room, lang), time=format_time(talk.start, tz)))
        buttons = (
            (
                Button(t(lang, "button.unsubscribe"), f"unsub {talk.id}"),
                Button(t(lang, "button.open_talk"), f"talk {talk.id}"),
            ),
        )
        return b.build(buttons=buttons)
    if kind == "moved":
        old = payload.get("old_start")
        old_text = format_when(datetime.fromisoformat(old), tz, lang) if old else "—"
        new_start = datetime.fromisoformat(payload["start"]) if payload.get("start") else talk.start
        when = format_when(new_start, tz, lang) if new_start else "—"
        room = room_name(programme, payload.get("room", talk.room), lang)
        b = ReplyBuilder().line(t(lang, "notice.moved")).line(bold(f"#{talk.id} {title}"))
        b.line(t(lang, "notice.moved_to", when=when, room=room, old=old_text))
        return b.build(buttons=((Button(t(lang, "button.open_talk"), f"talk {talk.id}"),),))
    if kind == "cancelled":
        b = ReplyBuilder().line(t(lang, "notice.cancelled")).line(bold(f"#{talk.id} {title}"))
        return b.line(t(lang, "notice.cancelled_hint")).build()
    return None
