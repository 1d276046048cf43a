"""A personal home screen (Slack's App Home): your agenda, then now and next.

Composed from the same commands every platform runs (``/my`` and ``/now``, which the core answers),
so nothing is computed twice.
"""

from __future__ import annotations

from bot.chat.messages import Button, Reply


def home_view(mine: Reply, now: Reply) -> Reply:
    """The user's agenda (``/my``) followed by ``/now``, with an .ics button."""
    rows: list[tuple[Button, ...]] = [row for row in mine.buttons if row]
    rows += [row for row in now.buttons if row]
    if not any(b.action == "ics" for row in rows for b in row):
        rows.append((Button("📅 .ics", "ics"),))
    return Reply(lines=(*mine.lines, (), *now.lines), buttons=tuple(rows), lang=mine.lang)
