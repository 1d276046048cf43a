"""/audit: the last organizer actions and refused attempts; the desk's audit page, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import audit
from bot.chat.messages import Line, Reply, ReplyBuilder, Span, bold, code
from bot.chat.registry import Context, command
from bot.programme.timefmt import format_time
from bot.storage.models import AuditEntry

SHOWN = 20


@command("audit", help_key="help.audit", organizer_only=True, order=95)
def show_audit(ctx: Context) -> Reply:
    """Newest first: when, who, what, outcome."""
    entries = audit.latest(ctx.session, SHOWN)
    b = ReplyBuilder().line(bold(ctx.t("audit.title", count=len(entries))))
    if not entries:
        return b.line(ctx.t("audit.empty")).build()
    for entry in entries:
        b.lines.append(entry_line(entry, ctx.programme.tz))
    return b.build()


def entry_line(entry: AuditEntry, tz: ZoneInfo) -> Line:
    """One entry as /audit and the desk show it: when · who · /command args → outcome ×count."""
    detail = f" {entry.detail[:60]}" if entry.detail else ""
    when = f"{entry.at.astimezone(tz):%m-%d} {format_time(entry.at, tz)}"
    times = f" ×{entry.count}" if entry.count > 1 else ""  # refusals within a minute share a row
    return (
        Span(f"{when} · {entry.platform}:{entry.user_id} · "),
        code(f"/{entry.action}{detail}"),
        Span(f" → {entry.outcome}{times}"),
    )


@dataclass(frozen=True)
class AuditPage:
    """The desk's audit page: the entries chosen, as lines, and what its filters offer."""

    lines: tuple[Line, ...]
    people: tuple[str, ...]
    actions: tuple[str, ...]
    outcomes: tuple[str, ...]


def audit_page(
    session: Session, tz: ZoneInfo, limit: int, who: str | None, action: str | None, outcome: str | None
) -> AuditPage:
    """The newest ``limit`` entries of ``who``, ``action`` and ``outcome`` (each when given)."""
    entries = audit.latest(session, limit, who=who, action=action, outcome=outcome)
    people, actions, outcomes = audit.kinds(session)
    return AuditPage(tuple(entry_line(e, tz) for e in entries), tuple(people), tuple(actions), tuple(outcomes))
