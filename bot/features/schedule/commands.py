"""Schedule fixes from chat: /move, /cancel (each with undo) and /reload, for organizers.

/move and /cancel preview first; Confirm records the fix as an override on top of the content files
(``bot.programme.overrides``) and applies the new programme with ``apply_programme`` in the same transaction,
so every subscriber gets one notice, reminders are re-planned, and /agenda, /talk, /ics and search
show it once the request commits. A move that would clash (same room, or a speaker in two talks at
once) is refused naming the clashing talk, unless ``force`` is added.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.chat.confirm import on_confirm, preview
from bot.chat.confirmations import owner
from bot.chat.grammar import parse_day, parse_number
from bot.chat.messages import Line, Reply, ReplyBuilder, Span, bold, code
from bot.chat.registry import Context, UsageError, command
from bot.features.schedule.changes import (
    ChangeReport,
    ConflictRefused,
    ReloadRefused,
    apply_programme,
    reload_from_path,
)
from bot.i18n import register
from bot.programme import overrides
from bot.programme.cards import room_name, speaker_name, title_of
from bot.programme.content import conflicts
from bot.programme.content.loader import ContentError, load_content
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Talk
from bot.programme.timefmt import format_day, format_span
from bot.storage.models import Subscription

register(
    {
        "help.move": {"zh": "调整演讲时间或会场（先预览再确认）", "en": "move a talk (preview, then confirm)"},
        "help.cancel": {"zh": "取消演讲（先预览再确认）", "en": "cancel a talk (preview, then confirm)"},
        "help.reload": {"zh": "重新加载内容文件", "en": "reload the content files"},
        "move.usage": {
            "zh": "用法：/move <编号> <HH:MM | 第几天 HH:MM> [会场] [force]，例如 /move 12 2 14:00 B；"
            "撤销：/move <编号> undo",
            "en": "Usage: /move <id> <HH:MM | day HH:MM> [room] [force], e.g. /move 12 2 14:00 B; "
            "to undo: /move <id> undo",
        },
        "cancel.usage": {
            "zh": "用法：/cancel <编号> [force]；撤销：/cancel <编号> undo",
            "en": "Usage: /cancel <id> [force]; to undo: /cancel <id> undo",
        },
        "schedule.unknown_talk": {
            "zh": "没有编号为 {id} 的演讲。编号范围 {low}–{high}。",
            "en": "There is no talk {id}. Talk ids run {low}–{high}.",
        },
        "move.bad_time": {
            "zh": "“{time}” 不是时间。请用 24 小时制 HH:MM，例如 14:00。",
            "en": "“{time}” is not a time. Use 24-hour HH:MM, e.g. 14:00.",
        },
        "move.bad_day": {
            "zh": "没有这一天：{day}。请用 1 到 {count}、日期（如 {example}）、today 或 tomorrow。",
            "en": "There is no day {day}. Use 1 to {count}, a date like {example}, today or tomorrow.",
        },
        "move.unknown_room": {
            "zh": "没有会场 “{room}”。会场：{rooms}",
            "en": "There is no room “{room}”. Rooms: {rooms}",
        },
        "move.unscheduled": {
            "zh": "演讲 #{id} 在内容文件中没有时间和时长，无法调整；请在内容文件中设置。",
            "en": "Talk #{id} has no time and duration in the content files to move; set them there.",
        },
        "move.is_cancelled": {
            "zh": "演讲 #{id} 已取消。先用 /cancel {id} undo 恢复。",
            "en": "Talk #{id} is cancelled. Restore it first with /cancel {id} undo.",
        },
        "move.same": {"zh": "演讲 #{id} 已经在这个时间和会场。", "en": "Talk #{id} is already at that time and room."},
        "cancel.already": {"zh": "演讲 #{id} 已经取消了。", "en": "Talk #{id} is already cancelled."},
        "undo.nothing_move": {
            "zh": "演讲 #{id} 没有通过 /move 调整过，没有可撤销的。",
            "en": "Talk #{id} was not moved with /move: there is nothing to undo.",
        },
        "undo.nothing_cancel": {
            "zh": "演讲 #{id} 没有通过 /cancel 取消过，没有可撤销的。",
            "en": "Talk #{id} was not cancelled with /cancel: there is nothing to undo.",
        },
        "undo.files_broken": {
            "zh": "无法读取内容文件，不能恢复到文件中的安排：{error}",
            "en": "The content files can't be read, so the files' values are unknown: {error}",
        },
        "undo.not_in_files": {
            "zh": "演讲 #{id} 已不在内容文件中。",
            "en": "Talk #{id} is no longer in the content files.",
        },
        "move.preview": {"zh": "🔀 调整演讲", "en": "🔀 Move talk"},
        "move.undo_preview": {
            "zh": "↩️ 撤销调整，恢复内容文件中的安排",
            "en": "↩️ Undo the move: back to the content files",
        },
        "cancel.preview": {"zh": "❌ 取消演讲", "en": "❌ Cancel talk"},
        "cancel.undo_preview": {"zh": "↩️ 撤销取消，恢复演讲", "en": "↩️ Undo the cancellation: the talk is back on"},
        "schedule.from": {"zh": "原：{when}，{room}", "en": "from: {when}, {room}"},
        "schedule.to": {"zh": "改为：{when}，{room}", "en": "to: {when}, {room}"},
        "schedule.at": {"zh": "时间：{when}，{room}", "en": "when: {when}, {room}"},
        "schedule.notices": {
            "zh": "{count} 位订阅者将各收到一条通知。",
            "en": "{count} subscriber(s) will each get one notice.",
        },
        "schedule.forced": {"zh": "⚠️ 已加 force，保留冲突：", "en": "⚠️ Kept with force, despite:"},
        "conflict.refused": {
            "zh": "不能这样调整 #{id}：会与 {other} 冲突（{where}）。如确需如此，请在命令末尾加 force。",
            "en": "Can't do that to #{id}: it would clash with {other} ({where}). To do it anyway, add force "
            "at the end of the command.",
        },
        "conflict.room": {"zh": "同一会场 {room}", "en": "same room, {room}"},
        "conflict.speaker": {"zh": "讲者 {speaker} 同时有两场", "en": "speaker {speaker} in both"},
        "conflict.break": {"zh": "“{title}”", "en": "“{title}”"},
        "schedule.refused": {
            "zh": "已拒绝，没有做任何更改：{reason}",
            "en": "Refused, nothing was changed: {reason}",
        },
        "schedule.force_hint": {
            "zh": "如确需如此，请在命令末尾加 force 再确认。",
            "en": "If that is meant, add force at the end of the command and confirm again.",
        },
        "move.done": {
            "zh": "✅ 已调整 #{id}：{when}，{room}。已通知 {notices} 位订阅者。",
            "en": "✅ Moved #{id} to {when}, {room}. {notices} subscriber notice(s) queued.",
        },
        "move.undone": {
            "zh": "✅ 已撤销 #{id} 的调整：{when}，{room}。已通知 {notices} 位订阅者。",
            "en": "✅ Move of #{id} undone: back to {when}, {room}. {notices} subscriber notice(s) queued.",
        },
        "cancel.done": {
            "zh": "✅ 已取消 #{id}。已通知 {notices} 位订阅者。",
            "en": "✅ Cancelled #{id}. {notices} subscriber notice(s) queued.",
        },
        "cancel.undone": {
            "zh": "✅ 已恢复 #{id}：{when}，{room}。已通知 {notices} 位订阅者。",
            "en": "✅ #{id} is back on: {when}, {room}. {notices} subscriber notice(s) queued.",
        },
        "schedule.gone": {
            "zh": "演讲 #{id} 已不在日程中，没有做任何更改。",
            "en": "Talk #{id} is no longer in the programme; nothing was changed.",
        },
        "reload.done": {"zh": "✅ 内容已重新加载。", "en": "✅ Content reloaded."},
        "reload.report": {
            "zh": "调整：{moved}；取消：{cancelled}；通知：{notices} 条；重新安排提醒：{reminders} 条。",
            "en": "Moved: {moved}; cancelled: {cancelled}; notices queued: {notices}; reminders re-planned: "
            "{reminders}.",
        },
        "reload.none": {"zh": "无", "en": "none"},
        "reload.kept_conflicts": {"zh": "⚠️ 日程中仍有冲突：", "en": "⚠️ Conflicts still in the schedule:"},
        "reload.broken": {
            "zh": "❌ 内容文件有问题，保留原日程，没有做任何更改：",
            "en": "❌ The content files have problems; the previous programme is kept and nothing was changed:",
        },
        "reload.refused": {
            "zh": "⛔ 已拒绝重新加载，没有做任何更改：",
            "en": "⛔ Reload refused; nothing was changed:",
        },
        "reload.force_hint": {"zh": "如确需如此，请发送 ", "en": "If that is meant, send "},
        "reload.synced": {
            "zh": "日程每 {minutes} 分钟从 {url} 同步一次，不读取内容文件。立即同步：",
            "en": "The schedule is synced from {url} every {minutes} minutes, not read from the content files. "
            "To sync now:",
        },
    }
)


class _Refused(Exception):
    """A refusal answered as a normal reply, so the audit log records its own outcome (``conflict``)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("refused")
        self.reply = reply


def _refusing(handler: Callable[..., Reply]) -> Callable[..., Reply]:
    """Answer a :class:`_Refused` with its reply."""

    @functools.wraps(handler)
    def run(*args: Any) -> Reply:
        try:
            return handler(*args)
        except _Refused as refused:
            return refused.reply

    return run


def _refuse(ctx: Context, outcome: str, key: str, **params: object) -> _Refused:
    ctx.outcome = outcome
    return _Refused(ReplyBuilder().line(ctx.t(key, **params)).build())


_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
SHOWN_PROBLEMS = 5


def _talk(ctx: Context, token: str, usage: str) -> Talk:
    """The talk named by ``token`` in the current programme (usage answer if none)."""
    talk_id = parse_number(unicodedata.normalize("NFKC", token).strip().lstrip("#"))
    if talk_id is None:
        raise UsageError(usage)
    talk = ctx.programme.talk(talk_id)
    if talk is None:
        ids = [t.id for t in ctx.programme.talks] or [0]
        raise UsageError("schedule.unknown_talk", id=talk_id, low=min(ids), high=max(ids))
    return talk


def _split(ctx: Context, usage: str) -> tuple[Talk, list[str], bool]:
    """``<id> rest... [force]`` → (talk, rest, force)."""
    tokens = unicodedata.normalize("NFKC", ctx.args).split()
    if not tokens:
        raise UsageError(usage)
    talk = _talk(ctx, tokens[0], usage)
    rest = tokens[1:]
    force = bool(rest) and rest[-1].lower() == "force"
    return talk, rest[:-1] if force else rest, force


def _room(ctx: Context, text: str) -> str:
    """A room by id or name (any case)."""
    wanted = text.strip().casefold()
    for room in ctx.programme.conference.rooms:
        if wanted in (room.id.casefold(), room.name.casefold(), (room.name_en or "").casefold()):
            return room.id
    rooms = ", ".join(r.id for r in ctx.programme.conference.rooms) or "—"
    raise UsageError("move.unknown_room", room=text[:40], rooms=rooms)


def _new_slot(ctx: Context, talk: Talk, rest: list[str]) -> tuple[datetime, datetime, str | None]:
    """Parse ``[day] HH:MM [room]`` into the talk's new start, end (same duration) and room."""
    if talk.start is None or talk.end is None:
        raise UsageError("move.unscheduled", id=talk.id)
    at = next((i for i, tok in enumerate(rest) if _TIME.fullmatch(tok)), None)
    if at is None:
        if rest and re.search(r"\d", rest[-1]):
            raise UsageError("move.bad_time", time=rest[-1][:20])
        raise UsageError("move.usage")
    m = _TIME.fullmatch(rest[at])
    assert m is not None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise UsageError("move.bad_time", time=rest[at][:20])
    tz = ctx.programme.tz
    day_text = " ".join(rest[:at])
    if day_text:
        try:
            day = parse_day(ctx, day_text)
        except UsageError:
            day = None
        if day is None:
            days = ctx.programme.days()
            example = days[0].isoformat() if days else "2026-12-12"
            raise UsageError("move.bad_day", day=day_text[:20], count=len(days), example=example)
    else:
        day = talk.start.astimezone(tz).date()
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    room = _room(ctx, " ".join(rest[at + 1 :])) if rest[at + 1 :] else None
    return start, start + (talk.end - talk.start), room


def _replaced(programme: Programme, talk: Talk) -> Programme:
    """``programme`` with ``talk`` in place of the talk with its id."""
    return overrides.rebuild(programme, (talk if t.id == talk.id else t for t in programme.talks))


def _where(ctx: Context, talk: Talk) -> dict[str, str]:
    programme = ctx.programme
    when = "—"
    if talk.start is not None:
        day = format_day(talk.start.astimezone(programme.tz).date(), ctx.lang)
        when = f"{day} {format_span(talk.start, talk.end, programme.tz)}"
    return {"when": when, "room": room_name(programme, talk.room, ctx.lang)}


def _subscribers(ctx: Context, talk_id: int) -> int:
    return ctx.session.scalar(select(func.count()).where(Subscription.talk_id == talk_id)) or 0


def _clash_text(ctx: Context, clash: conflicts.Conflict, talk_id: int) -> tuple[str, str]:
    """(the clashing item named, where they clash) for the organizer."""
    other = clash.other(talk_id)
    if other is None:  # a single-talk conflict (a missing room, a day off the conference): as the check says it
        return str(clash), clash.detail
    if isinstance(other, Talk):
        name = f"#{other.id} “{title_of(other, ctx.lang)}”"
    else:
        name = ctx.t("conflict.break", title=title_of(other, ctx.lang))
    if clash.kind == "room":
        where = ctx.t("conflict.room", room=room_name(ctx.programme, clash.where, ctx.lang))
    else:
        speaker = ctx.programme.speaker(clash.where)
        where = ctx.t("conflict.speaker", speaker=speaker_name(speaker, ctx.lang) if speaker else clash.where)
    return name, where


def _check_clashes(ctx: Context, new: Programme, talk_id: int, force: bool) -> list[Line]:
    """Refuse a clash the current schedule doesn't have (unless ``force``); lines naming kept ones."""
    # /move names only real rooms and conference days: the clashes it can add are with other items
    clashes = [c for c in conflicts.added(new, ctx.programme) if c.involves(talk_id) and c.second is not None]
    if clashes and not force:
        name, where = _clash_text(ctx, clashes[0], talk_id)
        raise _refuse(ctx, "conflict", "conflict.refused", id=talk_id, other=name, where=where)
    lines: list[Line] = []
    if clashes:
        lines.append((Span(ctx.t("schedule.forced")),))
        for clash in clashes:
            name, where = _clash_text(ctx, clash, talk_id)
            lines.append((Span(f"• {name} ({where})"),))
    return lines


def _head(ctx: Context, key: str, talk: Talk) -> list[Line]:
    return [(bold(ctx.t(key)),), (bold(f"#{talk.id} {title_of(talk, ctx.lang)}"),)]


def _content_talk(ctx: Context, talk_id: int) -> Talk:
    """The talk as the content files have it (for undo)."""
    try:
        files = load_content(ctx.settings.content)
    except ContentError as err:
        raise UsageError("undo.files_broken", error=str(err.problems[0])[:300]) from None
    talk = files.talk(talk_id)
    if talk is None:
        raise UsageError("undo.not_in_files", id=talk_id)
    return talk


def _undone(ctx: Context, talk_id: int, part: str) -> Talk:
    """The talk as it will be once ``part`` of its override is undone."""
    current = overrides.get(ctx.session, talk_id)
    if current is None or (part == "move" and not current.moves) or (part == "cancel" and not current.cancelled):
        raise UsageError("undo.nothing_move" if part == "move" else "undo.nothing_cancel", id=talk_id)
    content = _content_talk(ctx, talk_id)
    kept = (
        overrides.Override(talk_id, None, None, None, current.cancelled, current.set_by, current.set_at)
        if part == "move"
        else overrides.Override(
            talk_id, current.start, current.end, current.room, False, current.set_by, current.set_at
        )
    )
    return overrides.applied(content, kept)


def _undo_preview(ctx: Context, talk: Talk, part: str, force: bool) -> Reply:
    restored = _undone(ctx, talk.id, part)
    lines = _head(ctx, "move.undo_preview" if part == "move" else "cancel.undo_preview", talk)
    if part == "move":
        lines.append((Span(ctx.t("schedule.from", **_where(ctx, talk))),))
        lines.append((Span(ctx.t("schedule.to", **_where(ctx, restored))),))
    else:
        lines.append((Span(ctx.t("schedule.at", **_where(ctx, restored))),))
    lines += _check_clashes(ctx, _replaced(ctx.programme, restored), talk.id, force)
    lines.append((Span(ctx.t("schedule.notices", count=_subscribers(ctx, talk.id))),))
    return preview(ctx, f"{part}_undo", {"talk": talk.id, "force": force}, lines)


@command(
    "move",
    help_key="help.move",
    usage="<id> <HH:MM | day HH:MM> [room] [force] | <id> undo",
    organizer_only=True,
    order=86,
)
@_refusing
def move(ctx: Context) -> Reply:
    """Preview moving a talk (keeping its duration), or undoing a move."""
    talk, rest, force = _split(ctx, "move.usage")
    if [r.lower() for r in rest] == ["undo"]:
        return _undo_preview(ctx, talk, "move", force)
    if talk.cancelled:
        raise UsageError("move.is_cancelled", id=talk.id)
    start, end, room = _new_slot(ctx, talk, rest)
    moved = talk.model_copy(update={"start": start, "end": end, "room": room or talk.room})
    if (moved.start, moved.room) == (talk.start, talk.room):
        raise UsageError("move.same", id=talk.id)
    lines = _head(ctx, "move.preview", talk)
    lines.append((Span(ctx.t("schedule.from", **_where(ctx, talk))),))
    lines.append((Span(ctx.t("schedule.to", **_where(ctx, moved))),))
    lines += _check_clashes(ctx, _replaced(ctx.programme, moved), talk.id, force)
    lines.append((Span(ctx.t("schedule.notices", count=_subscribers(ctx, talk.id))),))
    payload = {"talk": talk.id, "start": start.isoformat(), "end": end.isoformat(), "room": room, "force": force}
    return preview(ctx, "move", payload, lines)


@command("cancel", help_key="help.cancel", usage="<id> [force] | <id> undo", organizer_only=True, order=87)
@_refusing
def cancel(ctx: Context) -> Reply:
    """Preview cancelling a talk, or undoing a cancellation."""
    talk, rest, force = _split(ctx, "cancel.usage")
    if [r.lower() for r in rest] == ["undo"]:
        return _undo_preview(ctx, talk, "cancel", force)
    if rest:
        raise UsageError("cancel.usage")
    if talk.cancelled:
        raise UsageError("cancel.already", id=talk.id)
    lines = _head(ctx, "cancel.preview", talk)
    lines.append((Span(ctx.t("schedule.at", **_where(ctx, talk))),))
    lines.append((Span(ctx.t("schedule.notices", count=_subscribers(ctx, talk.id))),))
    return preview(ctx, "cancel", {"talk": talk.id, "force": force}, lines)


def _apply(ctx: Context, talk: Talk, force: bool) -> ChangeReport:
    """Apply the programme with ``talk`` changed, in this request's transaction.

    A refusal (a clash, or the quarter rule, that appeared since the preview) is a usage error, so
    Confirm leaves the preview pending and nothing is written.
    """
    try:
        return apply_programme(
            ctx.host, _replaced(ctx.programme, talk), force=force, source="chat", session=ctx.session
        )
    except ConflictRefused as err:
        name, where = _clash_text(ctx, err.conflicts[0], talk.id)
        raise UsageError("conflict.refused", id=talk.id, other=name, where=where) from None
    except ReloadRefused as err:
        reason = f"{str(err).split('. Nothing')[0]}. {ctx.t('schedule.force_hint')}"
        raise UsageError("schedule.refused", reason=reason) from None


def _current(ctx: Context, payload: dict[str, Any]) -> Talk:
    talk = ctx.programme.talk(int(payload["talk"]))
    if talk is None:
        raise UsageError("schedule.gone", id=payload["talk"])
    return talk


def _done(ctx: Context, key: str, talk: Talk, report: ChangeReport) -> Reply:
    return ReplyBuilder().line(ctx.t(key, id=talk.id, notices=report.notices, **_where(ctx, talk))).build()


@on_confirm("move")
def confirm_move(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Record the move and apply it: one "moved" notice per subscriber."""
    talk = _current(ctx, payload)
    start, end = datetime.fromisoformat(payload["start"]), datetime.fromisoformat(payload["end"])
    moved = talk.model_copy(update={"start": start, "end": end, "room": payload["room"] or talk.room})
    report = _apply(ctx, moved, bool(payload.get("force")))
    now = ctx.now
    who = owner(ctx.request.address)
    overrides.set_move(ctx.session, talk.id, start=start, end=end, room=moved.room, who=who, now=now)  # room pinned too
    return _done(ctx, "move.done", moved, report)


@on_confirm("cancel")
def confirm_cancel(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Record the cancellation and apply it: one "cancelled" notice per subscriber."""
    talk = _current(ctx, payload)
    report = _apply(ctx, talk.model_copy(update={"cancelled": True}), bool(payload.get("force")))
    overrides.set_cancelled(ctx.session, talk.id, who=owner(ctx.request.address), now=ctx.now)
    return _done(ctx, "cancel.done", talk, report)


def _confirm_undo(ctx: Context, payload: dict[str, Any], part: str) -> Reply:
    talk = _current(ctx, payload)
    restored = _undone(ctx, talk.id, part)
    report = _apply(ctx, restored, bool(payload.get("force")))
    overrides.clear(ctx.session, talk.id, part, who=owner(ctx.request.address), now=ctx.now)
    return _done(ctx, "move.undone" if part == "move" else "cancel.undone", restored, report)


@on_confirm("move_undo")
def confirm_move_undo(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Drop the move: back to the content files' time and room, one notice per subscriber."""
    return _confirm_undo(ctx, payload, "move")


@on_confirm("cancel_undo")
def confirm_cancel_undo(ctx: Context, payload: dict[str, Any]) -> Reply:
    """Drop the cancellation: the talk is back on, one notice per subscriber."""
    return _confirm_undo(ctx, payload, "cancel")


def _ids(ctx: Context, ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids) or ctx.t("reload.none")


@command("reload", help_key="help.reload", usage="[force]", organizer_only=True, order=88)
def reload(ctx: Context) -> Reply:
    """Reload the content files now, with the same rules as ``confbot content reload``."""
    args = ctx.args.strip().lower()
    if args not in ("", "force"):
        raise UsageError("schedule.refused", reason="/reload [force]")
    force = args == "force"
    b = ReplyBuilder()
    url = ctx.settings.schedule_url
    if url:  # reloading the files would replace the published schedule with them
        ctx.outcome = "refused"
        minutes = f"{ctx.settings.schedule_sync_minutes:g}"
        b.line(ctx.t("reload.synced", url=url, minutes=minutes))
        return b.line(code(f"confbot content sync {url}")).build()
    try:
        report = reload_from_path(ctx.host, ctx.settings.content, force=force, session=ctx.session)
    except ContentError as err:
        ctx.outcome = "rejected"
        b.line(ctx.t("reload.broken"))
        for problem in err.problems[:SHOWN_PROBLEMS]:
            b.line(f"• {problem}")
        return b.build()
    except ReloadRefused as err:
        ctx.outcome = "refused"
        b.line(ctx.t("reload.refused")).line(str(err).split(". Nothing was changed")[0] + ".")
        return b.line(ctx.t("reload.force_hint"), code("/reload force")).build()
    ctx.outcome = "forced" if force else "ok"
    b.line(ctx.t("reload.done"))
    b.line(
        ctx.t(
            "reload.report",
            moved=_ids(ctx, report.moved),
            cancelled=_ids(ctx, report.cancelled),
            notices=report.notices,
            reminders=report.reminders,
        )
    )
    if report.conflicts:
        b.line(ctx.t("reload.kept_conflicts"))
        for clash in report.conflicts[:SHOWN_PROBLEMS]:
            b.line(f"• {clash}")
    return b.build()
