"""/audit: the last organizer actions and refused attempts."""

from __future__ import annotations

from bot import audit
from bot.chat.messages import Reply, ReplyBuilder, bold, code
from bot.chat.registry import Context, command
from bot.programme.timefmt import format_time

SHOWN = 20


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
