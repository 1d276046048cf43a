"""/reload: organizers reload the content files from chat, with the rules of ``confbot content reload``.

Broken files are rejected and a reload the safety rules refuse (too many talks cancelled, or
conflicts added; ``ReloadRefused``) changes nothing unless ``force`` is added. With a schedule
URL set, the files are not read: the answer says how to sync instead.
"""

from __future__ import annotations

from bot.chat.messages import Reply, ReplyBuilder, code
from bot.chat.registry import Context, command
from bot.features.schedule.changes import ReloadRefused, reload_from_path
from bot.features.schedule.refusals import refused
from bot.i18n import register
from bot.programme.content.loader import ContentError

register(
    {
        "help.reload": {"zh": "重新加载内容文件", "en": "reload the content files"},
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

SHOWN_PROBLEMS = 5


def _ids(ctx: Context, ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids) or ctx.t("reload.none")


@command("reload", help_key="help.reload", usage="[force]", organizer_only=True, order=88, exclusive=True)
def reload(ctx: Context) -> Reply:
    """Reload the content files now, with the same rules as ``confbot content reload``."""
    args = ctx.args.strip().lower()
    if args not in ("", "force"):
        raise refused("/reload [force]")
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
        b.line(ctx.t("reload.refused")).line(f"{err.reason}.")
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
