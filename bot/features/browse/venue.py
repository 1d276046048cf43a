"""/venue: where the conference is, how to get there and in, with the place on a map."""

from __future__ import annotations

import dataclasses

from bot.chat.messages import Place, Reply, ReplyBuilder, Span, bold, italic
from bot.chat.registry import Context, command
from bot.i18n import pick
from bot.programme.cards import room_line
from bot.programme.content.language import in_lang
from bot.programme.content.schema import Venue

NOTES = ("wifi", "transport", "registration", "food")


def venue_reply(ctx: Context, venue: Venue) -> Reply:
    """Name, address, the notes in the user's language, the rooms; a map pin when placed."""
    lang = ctx.lang
    name = pick(lang, venue.name, venue.name_en)
    b = ReplyBuilder().line(bold(ctx.t("venue.title", name=name)))
    if venue.draft:
        b.line(italic(ctx.t("venue.draft")))
    address, _ = in_lang(lang, venue.address, venue.address_en)
    if address:
        b.line(address)
    for note in NOTES:
        text, fallback = in_lang(lang, getattr(venue, note) or "", getattr(venue, f"{note}_en"))
        if text:
            marker = [italic(ctx.t("content.in_chinese")), Span(" ")] if fallback else []
            b.line(bold(ctx.t(f"venue.{note}")), *marker, Span(text.strip()))
    rooms = [room_line(ctx.programme, r.id, lang) for r in ctx.programme.conference.rooms]
    if rooms:
        b.blank().line(bold(ctx.t("venue.rooms")))
        b.lines.extend(rooms)
    reply = b.build()
    if venue.latitude is None or venue.longitude is None:
        return reply
    place = Place(name, address or name, venue.latitude, venue.longitude)
    return dataclasses.replace(reply, place=place)


@command(
    "venue",
    help_key="help.venue",
    aliases=("where", "map", "地址", "场地"),
    order=35,
    words=("venue", "map", "场地", "地址", "地图", "会场地址", "场地地址"),
)
def venue(ctx: Context) -> Reply:
    """The venue, or that it is not published yet."""
    found = ctx.programme.conference.venue
    if found is None:
        return ReplyBuilder().line(ctx.t("venue.none")).build()
    return venue_reply(ctx, found)
