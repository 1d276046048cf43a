"""/audit: the last organizer actions and refused attempts."""

from __future__ import annotations

from bot import audit
from bot.chat.messages import Reply, ReplyBuilder, bold, code
from bot.chat.registry import Context, command
from bot.i18n import register
from bot.programme.timefmt import format_time

SHOWN = 20

register(
    {
        "help.audit": {
            "zh": "最近 20 条组织者操作与被拒绝的尝试",
            "en": "the last 20 organizer actions and refused attempts",
        },
        "audit.title": {"zh": "🗂 审计记录（最近 {count} 条）", "en": "🗂 Audit log (last {count})"},
        "audit.empty": {"zh": "还没有记录。", "en": "Nothing recorded yet."},
    }
)


@command("audit", help_key="help.audit", organizer_only=True, order=95)
def show_audit(ctx: Context) -> Reply:
    """Newest first: when, who, what, outcome."""
    entries = audit.latest(ctx.session, SHOWN)
    b = ReplyBuilder().line(bold(ctx.t("audit.title", count=len(entries))))
    if not entries:
        return b.line(ctx.t("audit.empty")).build()
    tz = ctx.programme.tz
    for entry in entries:
        detail = f" {entry.detail[:60]}" if entry.detail else ""
        when = f"{entry.at.astimezone(tz):%m-%d} {format_time(entry.at, tz)}"
        times = f" ×{entry.count}" if entry.count > 1 else ""  # refusals within a minute share a row
        b.line(
            f"{when} · {entry.platform}:{entry.user_id} · ",
            code(f"/{entry.action}{detail}"),
            f" → {entry.outcome}{times}",
        )
    return b.build()
