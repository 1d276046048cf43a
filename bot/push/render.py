"""Rendering outbox pushes at send time: one renderer per kind, in :data:`RENDERERS`.

Pushes are rendered when they are sent, in the recipient's language, from the current
programme, so a reminder always states the real minutes left.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import helpdesk
from bot.content.programme import Programme
from bot.content.schema import Talk
from bot.i18n import pick, register, t
from bot.messages import Button, Reply, ReplyBuilder, bold
from bot.push import announcements, broadcasts, feedback, organizer_warnings, qa_posts
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
        "notice.reinstated": {"zh": "恢复举行：{when}，{room}", "en": "back on: {when}, {room}"},
        "notice.cancelled": {"zh": "❌ 已取消：", "en": "❌ Cancelled:"},
        "notice.was_at": {"zh": "原定 {when}，{room}", "en": "It was on {when}, {room}"},
        "notice.cancelled_hint": {"zh": "发送 /agenda 查看其他演讲。", "en": "Send /agenda to find another talk."},
        "button.open_talk": {"zh": "查看详情", "en": "Details"},
    }
)


@dataclass(frozen=True)
class PushContext:
    """What a renderer may read: the push's payload, the recipient's language, the programme, the time."""

    payload: dict[str, Any]
    lang: str
    programme: Programme
    now: datetime

    def talk(self) -> Talk | None:
        """The talk the push is about, from the current programme."""
        return self.programme.talk(int(self.payload.get("talk", 0)))


Renderer = Callable[[PushContext], Reply | None]


def _reminder(push: PushContext) -> Reply | None:
    talk = push.talk()
    if talk is None or talk.start is None:
        return None
    lang, programme = push.lang, push.programme
    minutes = max(1, round((talk.start - push.now).total_seconds() / 60))
    head = t(lang, "reminder.one_minute") if minutes == 1 else t(lang, "reminder.soon", minutes=minutes)
    b = ReplyBuilder().line(head).line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    when = format_time(talk.start, programme.tz)
    b.line(t(lang, "reminder.where", room=room_name(programme, talk.room, lang), time=when))
    buttons = (
        (
            Button(t(lang, "button.unsubscribe"), f"unsub {talk.id}"),
            Button(t(lang, "button.open_talk"), f"talk {talk.id}"),
        ),
    )
    return b.build(buttons=buttons)


def _moved(push: PushContext) -> Reply | None:
    talk = push.talk()
    if talk is None:
        return None
    lang, programme, payload, tz = push.lang, push.programme, push.payload, push.programme.tz
    old = payload.get("old_start")
    old_text = format_when(datetime.fromisoformat(old), tz, lang) if old else "—"
    new_start = datetime.fromisoformat(payload["start"]) if payload.get("start") else talk.start
    when = format_when(new_start, tz, lang) if new_start else "—"
    room = room_name(programme, payload.get("room", talk.room), lang)
    b = ReplyBuilder().line(t(lang, "notice.moved")).line(bold(f"#{talk.id} {title_of(talk, lang)}"))
    if payload.get("reinstated"):  # a cancellation was undone
        b.line(t(lang, "notice.reinstated", when=when, room=room))
    else:
        b.line(t(lang, "notice.moved_to", when=when, room=room, old=old_text))
    return b.build(buttons=((Button(t(lang, "button.open_talk"), f"talk {talk.id}"),),))


def _cancelled(push: PushContext) -> Reply | None:
    """From the programme, or from the payload when the talk was removed from the content."""
    talk, lang, payload = push.talk(), push.lang, push.payload
    title = title_of(talk, lang) if talk else pick(lang, payload.get("title") or "", payload.get("title_en"))
    b = ReplyBuilder().line(t(lang, "notice.cancelled")).line(bold(f"#{payload.get('talk')} {title}".rstrip()))
    if talk is None and payload.get("start"):  # gone from the programme: say which slot is free
        when = format_when(datetime.fromisoformat(payload["start"]), push.programme.tz, lang)
        b.line(t(lang, "notice.was_at", when=when, room=room_name(push.programme, payload.get("room"), lang)))
    return b.line(t(lang, "notice.cancelled_hint")).build()


RENDERERS: dict[str, Renderer] = {
    "broadcast": broadcasts.render,
    "broadcast_done": broadcasts.render_done,
    "reminder": _reminder,
    "moved": _moved,
    "cancelled": _cancelled,
    organizer_warnings.KIND: organizer_warnings.render,
    # room and channel announcements (bot/push/announcements.py): shared chats get no buttons
    "room_soon": announcements.render_soon,
    "up_next": announcements.render_up_next,
    "changes_moved": announcements.unbuttoned(_moved),
    "changes_cancelled": announcements.unbuttoned(_cancelled),
    feedback.KIND: feedback.render_prompt,  # "how was #12?" after the talk (bot/push/feedback.py)
    feedback.DIGEST: feedback.render_digest,
    qa_posts.KIND: qa_posts.render,  # a room chat's top questions at end-10 min (bot/push/qa_posts.py)
    helpdesk.KIND: helpdesk.render_ticket,  # a ticket message to an organizer, with Reply / Close
    helpdesk.ANSWER: helpdesk.render_answer,  # the organizers' answer or the closing, to the attendee
}
"""One renderer per push kind: a new kind of push is one entry here."""


def render_push(kind: str, payload: dict[str, Any], lang: str, programme: Programme, now: datetime) -> Reply | None:
    """The message for one push, in the recipient's language; None if it no longer makes sense."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        return None
    reply = renderer(PushContext(payload, lang, programme, now))
    return dataclasses.replace(reply, lang=lang) if reply is not None else None
