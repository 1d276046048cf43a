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
from bot.programme.content.loader import ContentError

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
