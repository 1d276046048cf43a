"""``/desk/stats.csv``: the numbers ``/stats`` shows (:func:`bot.features.organizer.stats.collect`), one
per row, for a spreadsheet: ``section, id, name, measure, value``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.features.feedback.ratings import cell
from bot.features.organizer.stats import Stats
from bot.i18n import pick

FIELDS = ("section", "id", "name", "measure", "value")
Row = tuple[str, str, str, str, object]


def rows(stats: Stats, lang: str) -> Iterator[Row]:
    """Every number of ``stats``; talk titles in ``lang``."""
    yield from (("users", "", "", m, v) for m, v in (("total", stats.users), ("active", stats.active)))
    yield ("users", "", "", "blocked", stats.blocked)
    for platform in stats.platforms:
        yield ("platform", platform.platform, "", "users", platform.total)
        yield from (("platform", platform.platform, code, "users", n) for code, n in platform.languages.items())
    yield ("subscriptions", "", "", "total", stats.subscriptions)
    for talk in stats.talks:
        yield ("talk", str(talk.talk_id), pick(lang, talk.title, talk.title_en), "subscribers", talk.subscribers)
    for status in ("sent", "pending", "failed", "missed", "blocked", "unreachable"):
        yield ("reminders", "", "", status, getattr(stats.reminders, status))
    for sent in stats.broadcasts:
        for measure in ("recipients", "sent", "pending", "failed", "blocked", "unreachable"):
            yield ("broadcast", str(sent.id), sent.audience, measure, getattr(sent, measure))
    for rated in stats.ratings:
        title = pick(lang, rated.title, rated.title_en)
        yield ("rating", str(rated.talk_id), title, "count", rated.count)
        yield ("rating", str(rated.talk_id), title, "mean", round(rated.mean, 2))
        for stars, n in enumerate(rated.distribution, start=1):
            yield ("rating", str(rated.talk_id), title, f"stars_{stars}", n)
        yield ("rating", str(rated.talk_id), title, "comments", rated.comments)
    tickets = stats.tickets
    yield ("tickets", "", "", "open", tickets.open)
    yield ("tickets", "", "", "closed", tickets.closed)
    median = tickets.median_first_reply_minutes
    yield ("tickets", "", "", "median_first_reply_minutes", "" if median is None else median)
    yield from (("unanswered", "", miss.text, "asked", miss.count) for miss in stats.unanswered)


def to_csv(stats: Stats, lang: str) -> str:
    """The rows as CSV with a header (cells that look like formulas quoted as the ratings export does)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows(stats, lang):
        writer.writerow([cell(value) for value in row])
    return out.getvalue()
