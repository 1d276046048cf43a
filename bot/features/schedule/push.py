"""The notices subscribers get when their talk moves or is cancelled (queued by :mod:`.changes`)."""

from __future__ import annotations

from datetime import datetime

from bot.chat.messages import Button, Reply, ReplyBuilder, bold
from bot.delivery.renderers import PushContext, renderer
from bot.i18n import pick, t
from bot.programme.cards import room_name, title_of
from bot.programme.timefmt import format_when


@renderer("moved")
def render_moved(push: PushContext) -> Reply | None:
    """A talk moved (or a cancellation undone): its new time and room, and the old ones."""
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


@renderer("cancelled")
def render_cancelled(push: PushContext) -> Reply | None:
    """From the programme, or from the payload when the talk was removed from the content."""
    talk, lang, payload = push.talk(), push.lang, push.payload
    title = title_of(talk, lang) if talk else pick(lang, payload.get("title") or "", payload.get("title_en"))
    b = ReplyBuilder().line(t(lang, "notice.cancelled")).line(bold(f"#{payload.get('talk')} {title}".rstrip()))
    # removed from the content: say which slot is free (also when this process renders it before it
    # has swapped the new programme in, and still sees the talk)
    if payload.get("start") and (talk is None or payload.get("removed")):
        when = format_when(datetime.fromisoformat(payload["start"]), push.programme.tz, lang)
        b.line(t(lang, "notice.was_at", when=when, room=room_name(push.programme, payload.get("room"), lang)))
    return b.line(t(lang, "notice.cancelled_hint")).build()
