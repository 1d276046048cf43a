"""/faq and plain text: everyday questions answered from the FAQ first, then the talk search.

A message that clearly asks an FAQ entry ("wifi", "where is lunch", "午饭在哪") gets the entry's
answer (with a button to the talks when the search finds some too); one that merely mentions an
entry gets the talk results with a button to it; one that finds nothing at all is counted for the
organizers (:mod:`bot.features.faq.misses`).
"""

from __future__ import annotations

import dataclasses

from bot.chat.labels import fit
from bot.chat.messages import Button, Place, Reply, ReplyBuilder, Span, bold, italic
from bot.chat.registry import Context, command
from bot.features.browse.talks import MAX_ACTION_BYTES, run_search, search_hits
from bot.features.faq import misses
from bot.features.faq.entries import Entry
from bot.features.faq.recognise import index_for
from bot.i18n import pick
from bot.programme.cards import room_line
from bot.programme.content.language import in_lang

MAX_LISTED = 40  # entries /faq lists as buttons (one page)


_HEADINGS = {
    "wifi": "venue.wifi",
    "food": "venue.food",
    "transport": "venue.transport",
    "registration": "venue.registration",
    "address": "faq.address",
}


def answer(ctx: Context, entry: Entry, *, talks: str | None = None) -> Reply:
    """The entry's answer in the reader's language; ``talks``: the query whose talk results to offer."""
    lang, programme = ctx.lang, ctx.programme
    heading = ctx.t(_HEADINGS[entry.note]) if entry.note in _HEADINGS else f"💡 {entry.question(lang)}"
    b = ReplyBuilder().line(bold(heading.strip()))
    text, fallback = in_lang(lang, entry.answer, entry.answer_en)
    if text.strip() and fallback:
        b.line(italic(ctx.t("content.in_chinese")))
    for line in text.strip().splitlines():
        b.line(line)
    if entry.place and entry.place != "venue" and programme.room(entry.place) is not None:
        b.lines.append(room_line(programme, entry.place, lang))
    if entry.link:
        b.line(entry.link)
    row: list[Button] = []
    if talks is not None and len(f"search {talks}".encode()) <= MAX_ACTION_BYTES:
        row.append(Button(ctx.t("faq.talks"), f"search {talks}"))
    venue = programme.conference.venue
    if venue is not None and (entry.note in _HEADINGS or entry.place == "venue"):
        row.append(Button(ctx.t("faq.venue"), "venue"))
    row.append(Button(ctx.t("faq.more"), "faq"))
    reply = b.build(buttons=(tuple(row),))
    if entry.place == "venue" and venue is not None and venue.latitude is not None and venue.longitude is not None:
        name = pick(lang, venue.name, venue.name_en)
        address = pick(lang, venue.address, venue.address_en) or name
        reply = dataclasses.replace(reply, place=Place(name, address, venue.latitude, venue.longitude))
    return reply


def _offer(ctx: Context, reply: Reply, entry: Entry) -> Reply:
    """The talk results with the entry the message mentions, as a button before them."""
    question = entry.question(ctx.lang)
    lines = (*reply.lines, (), (italic(ctx.t("faq.maybe")), Span(question)))
    button = Button(fit(f"💡 {question}"), f"faq {entry.id}")
    return dataclasses.replace(reply, lines=lines, buttons=((button,), *reply.buttons))


@command("plain", plain_text=True)
def plain(ctx: Context) -> Reply:
    """Plain text: the FAQ entry it asks, else the talks (offering an entry it mentions); nothing is counted."""
    query = ctx.args.strip()
    found = index_for(ctx.programme).match(query)
    hits = search_hits(ctx, query)
    if found is not None and found.strong:
        return answer(ctx, found.entry, talks=query if hits else None)
    reply = run_search(ctx, query, 1, hits)
    if found is not None:
        return _offer(ctx, reply, found.entry)
    if not hits:
        misses.record(ctx.session, query, ctx.now)
    return reply


@command(
    "faq", help_key="help.faq", usage="[question]", aliases=("常见问题",), order=36, words=("faq", "常见问题", "问答")
)
def faq(ctx: Context) -> Reply:
    """Every entry as a button; ``/faq <id>`` (a button) or ``/faq <question>`` one answer."""
    index = index_for(ctx.programme)
    wanted = ctx.args.strip()
    if wanted:
        entry = index.entry(wanted.lower())
        if entry is None:
            found = index.match(wanted)
            entry = found.entry if found is not None else None
        if entry is not None:
            return answer(ctx, entry)
        return ReplyBuilder().line(ctx.t("faq.unknown", query=wanted[:60])).build()
    if not index.entries:
        return ReplyBuilder().line(ctx.t("faq.none")).build()
    b = ReplyBuilder().line(bold(ctx.t("faq.title"))).line(ctx.t("faq.pick"))
    shown = index.entries[:MAX_LISTED]
    buttons = tuple((Button(fit(e.question(ctx.lang)), f"faq {e.id}"),) for e in shown)
    return b.build(buttons=buttons)
