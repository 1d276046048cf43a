"""Reading talks and speakers, and search: /talk, /speaker, /search (and plain text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.chat.grammar import all_numbers, parse_number, talk_id_arg
from bot.chat.labels import fit
from bot.chat.messages import Button, Reply, ReplyBuilder, Span, bold, code, italic
from bot.chat.registry import Context, UsageError, command
from bot.features.personal import subscriptions
from bot.i18n import join_names, t
from bot.programme import history
from bot.programme.cards import affiliation_of, speaker_card, speaker_name, talk_card, title_of, when_where
from bot.programme.content.programme import Programme
from bot.programme.content.schema import Speaker
from bot.programme.search import SearchIndex
from bot.programme.search.hit import Hit
from bot.programme.topics import popular_topics

SEARCH_PAGE = 8
MAX_ACTION_BYTES = 64  # a button's action (Telegram's callback_data limit)


def show_talk(ctx: Context, talk_id: int) -> Reply:
    """The talk card with the user's subscribe toggle."""
    talk = ctx.programme.talk(talk_id)
    assert talk is not None
    subscribed = subscriptions.is_subscribed(ctx.session, ctx.user, talk_id)
    moved = history.moves(ctx.session, ctx.programme).get(talk_id)
    return talk_card(ctx.programme, talk, ctx.lang, subscribed=subscribed, moved=moved, now=ctx.now)


@command("talk", help_key="help.talk", usage="<id>", aliases=("t", "演讲"), order=20)
def talk(ctx: Context) -> Reply:
    """One talk; words are taken as a search, but numbers are ids (``-1`` or ``3 4`` get a usage)."""
    args = ctx.args.strip()
    if args and not all_numbers(args):
        return run_search(ctx, args, 1)
    return show_talk(ctx, talk_id_arg(ctx, args))


@command("speaker", help_key="help.speaker", usage="<name>", aliases=("s", "讲者"), order=21)
def speaker(ctx: Context) -> Reply:
    """A speaker's bio and talks; several matches give a choice."""
    programme = ctx.programme
    name = ctx.args.strip()
    if not name:
        raise UsageError("speaker.usage")
    exact = programme.speaker(name)
    found = [exact] if exact else ctx.search.find_speakers(name)
    if not found:
        b = ReplyBuilder().line(ctx.t("speaker.unknown", name=name[:60]))
        _suggestions(ctx, b, name)
        return b.build(buttons=_suggestion_buttons(ctx, name))
    if len(found) == 1 or _clear_winner(found, name):
        return speaker_card(programme, found[0], ctx.lang)
    b = ReplyBuilder().line(ctx.t("speaker.many"))
    buttons = tuple((Button(fit(speaker_name(s, ctx.lang)), f"speaker {s.id}"),) for s in found[:8])
    return b.build(buttons=buttons)


def _clear_winner(found: list[Speaker], name: str) -> bool:
    """The first match is the speaker's exact name (or pinyin), and the second is not: two people
    with one name ("mo" and "Mo") are a choice."""
    key = name.replace(" ", "").casefold()

    def named(s: Speaker) -> bool:
        return key in {s.name.replace(" ", "").casefold(), (s.name_en or "").replace(" ", "").casefold()}

    return named(found[0]) and not (len(found) > 1 and named(found[1]))


@command("search", help_key="help.search", usage="<words>", aliases=("find", "搜索"), order=22)
def search(ctx: Context) -> Reply:
    """Ranked search results; ``#2 words`` asks for page 2 (the "more" button)."""
    args = ctx.args.strip()
    page = 1
    if args.startswith("#"):
        head, _, rest = args.partition(" ")
        wanted = parse_number(head[1:])
        if wanted is not None:
            page, args = max(1, wanted), rest.strip()
    if not args:
        topic = popular_topics(ctx.programme, ctx.lang, limit=1)
        raise UsageError("search.usage", topic=topic[0]) if topic else UsageError("search.usage_words")
    return run_search(ctx, args, page)


def search_hits(ctx: Context, query: str) -> list[Hit]:
    """Every hit :func:`run_search` pages through."""
    return ctx.search.search(query, limit=SEARCH_PAGE * 5)


def run_search(ctx: Context, query: str, page: int, hits: list[Hit] | None = None) -> Reply:
    """Render one page of results (``hits``, when the caller searched already), or a helpful "nothing found"."""
    hits = search_hits(ctx, query) if hits is None else hits
    return search_reply(ctx.programme, ctx.search, ctx.lang, query, page, hits, edit=ctx.from_button and page > 1)


def search_reply(
    programme: Programme,
    index: SearchIndex,
    lang: str,
    query: str,
    page: int,
    hits: list[Hit] | None = None,
    *,
    edit: bool = False,
) -> Reply:
    """One page of results for ``query`` in ``lang`` (searched in ``index`` unless ``hits`` are given), or a
    helpful "nothing found": what /search answers, and what the web's search page shows."""
    ctx = _Say(programme, index, lang)
    hits = index.search(query, limit=SEARCH_PAGE * 5) if hits is None else hits
    if not hits:
        b = ReplyBuilder().line(ctx.t("search.nothing", query=query[:60]))
        _suggestions(ctx, b, query)
        b.line(ctx.t("search.browse"))
        return b.build(buttons=_suggestion_buttons(ctx, query))
    start = (page - 1) * SEARCH_PAGE
    shown = hits[start : start + SEARCH_PAGE] or hits[:SEARCH_PAGE]
    b = ReplyBuilder().line(bold(ctx.t("search.title", query=query[:60])))
    buttons: list[tuple[Button, ...]] = []
    for hit in shown:
        if hit.talk is not None:
            t = hit.talk
            names = join_names((speaker_name(s, ctx.lang) for s in programme.speakers_of(t)), ctx.lang)
            gone = (Span(" ❌ "), italic(ctx.t("item.cancelled"))) if t.cancelled else ()
            b.line(
                Span(f"{when_where(programme, t, ctx.lang)} "),
                code(f"#{t.id}"),
                Span(" "),
                bold(title_of(t, ctx.lang)),
                *gone,
                Span(f" — {names}" if names else ""),
            )
            buttons.append((Button(fit(f"#{t.id} {title_of(t, ctx.lang)}"), f"talk {t.id}"),))
        elif hit.speaker is not None:
            s = hit.speaker
            org = affiliation_of(s, ctx.lang)
            b.line(f"👤 {speaker_name(s, ctx.lang)}", italic(f" {org}" if org else ""))
            buttons.append((Button(fit(f"👤 {speaker_name(s, ctx.lang)}"), f"speaker {s.id}"),))
    more = f"search #{page + 1} {query}"
    if start + SEARCH_PAGE < len(hits) and len(more.encode()) <= MAX_ACTION_BYTES:
        buttons.append((Button(ctx.t("button.more"), more),))
    elif start + SEARCH_PAGE < len(hits):  # a query too long for a button: say how to ask for more
        b.blank().line(italic(ctx.t("search.more_typed")), code(f"/{more}"))
    return b.build(buttons=tuple(buttons), edit=edit)


@dataclass(frozen=True)
class _Say:
    """What rendering search results reads of a request: the programme, the index and the language."""

    programme: Programme
    search: SearchIndex
    lang: str

    def t(self, key: str, **params: object) -> str:
        return t(self.lang, key, **params)


class _Reader(Protocol):
    """What the suggestions read of a request (a :class:`Context` or a :class:`_Say`)."""

    @property
    def search(self) -> SearchIndex: ...

    @property
    def lang(self) -> str: ...

    def t(self, key: str, **params: object) -> str: ...


def _suggestions(ctx: _Reader, b: ReplyBuilder, query: str) -> None:
    ideas = ctx.search.suggest(query, lang=ctx.lang)
    if ideas:
        b.line(ctx.t("search.try"), *[Span(f"“{idea}” ") for idea in ideas])


def _suggestion_buttons(ctx: _Reader, query: str) -> tuple[tuple[Button, ...], ...]:
    ideas = [i for i in ctx.search.suggest(query, lang=ctx.lang) if len(f"search {i}".encode()) <= MAX_ACTION_BYTES]
    return (tuple(Button(fit(i), f"search {i}") for i in ideas),) if ideas else ()
