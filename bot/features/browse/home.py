"""A personal home screen (Slack's App Home): your agenda, then now and next.

Composed from the same commands every platform runs (``/my`` and ``/now``, which the core answers),
so nothing is computed twice.
"""

from __future__ import annotations

import re

from bot.chat.messages import Button, Reply

_PAGER = re.compile(r"^(my|now) \d+$")  # a page of /my or /now: the Home shows the first ("page 1/3" says so)


def home_view(mine: Reply, now: Reply) -> Reply:
    """The user's agenda (``/my``) followed by ``/now``, with an .ics button. The Home shows the first
    page of each, without their previous/next buttons (a page can't replace the Home): /my 2 and /now 2
    in a DM show the rest."""
    rows: list[tuple[Button, ...]] = [row for row in mine.buttons if row]
    rows += [row for row in now.buttons if row]
    rows = [kept for row in rows if (kept := tuple(b for b in row if not _PAGER.match(b.action)))]
    if not any(b.action == "ics" for row in rows for b in row):
        rows.append((Button("📅 .ics", "ics"),))
    return Reply(lines=(*mine.lines, (), *now.lines), buttons=tuple(rows), lang=mine.lang)
