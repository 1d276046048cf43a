"""What "nothing found" proposes: close tags, names, tracks, title words and titles, else popular tags.

Latin entries are compared with the query as typed, Chinese ones also by their pinyin (so 容气
proposes 容器 and "chenlijnu" proposes 陈莉君); whole titles only when the query is close to all
of it. Only what does find something is proposed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rapidfuzz import fuzz, process

from bot.programme.content.programme import Programme
from bot.programme.search.speaker_index import SpeakerIndex
from bot.programme.search.talk_index import TalkIndex, search_terms
from bot.programme.search.text import CJK, fold, pinyin_of

CACHED_AT_MOST = 256  # suggestion lists kept ("nothing found" asks twice: for the text and for the buttons)


class Suggestions:
    """Alternatives for a query that found nothing, drawn from one programme's talks and speakers."""

    def __init__(self, programme: Programme, talks: TalkIndex, speakers: SpeakerIndex) -> None:
        self._talks, self._speakers = talks, speakers
        self._tag_counts = Counter(tag for t in talks.talks for tag in t.tags)
        self._tag_zh_counts = Counter(tag for t in talks.talks for tag in t.tags_zh)
        tracks = programme.conference.tracks
        candidates = [
            *self._tag_counts,
            *self._tag_zh_counts,
            *(s.name for s in speakers.speakers),
            *(t.name for t in tracks),
            *(t.name_en or "" for t in tracks),
            *(s.name_en or "" for s in speakers.speakers if not CJK.search(s.name)),
        ]
        candidates += talks.matcher.words_in("title", "tag")  # Latin words of titles and tags
        latin: dict[str, str] = {}  # normalized → as shown (the first spelling wins: tags first)
        chinese: dict[str, str] = {}
        for candidate in candidates:
            if candidate.strip():
                (chinese if CJK.search(candidate) else latin).setdefault(fold(candidate), candidate)
        self._latin_pool = list(latin.items())
        self._chinese_pool = list(chinese.items())
        self._chinese_sounds = [pinyin_of(norm) for norm, _ in self._chinese_pool]
        titles: dict[str, str] = {}
        for talk in talks.talks:
            for title in (talk.title, talk.title_en):
                if title:
                    titles.setdefault(fold(title), title)
        self._title_pool = list(titles.items())
        self._suggested: dict[tuple[str, int, str | None], list[str]] = {}

    def clear_cache(self) -> None:
        """Forget the suggestions given so far (so a benchmark measures the real work)."""
        self._suggested.clear()

    def suggest(self, query: str, limit: int = 3, *, lang: str | None = None) -> list[str]:
        """Alternatives that do find something: close tags, names, tracks and titles, else popular tags.

        The popular tags are in ``lang`` (the user's language; by default the query's script).
        """
        key = fold(query).strip()[:40]
        cached = self._suggested.get((key, limit, lang))
        if cached is not None:  # "nothing found" asks twice: for the text and for the buttons
            return list(cached)
        chinese = bool(CJK.search(key))
        scored: dict[str, float] = {}

        def consider(
            pool: list[tuple[str, str]], choices: list[str], q: str, scorer: Callable[..., float], cutoff: float
        ) -> None:
            for choice, score, at in process.extract(q, choices, scorer=scorer, score_cutoff=cutoff, limit=limit * 3):
                norm, shown = pool[at]
                # WRatio scores a short entry by the part of the query it resembles ("lmp" in
                # "seccomp"): an entry shorter than the query must resemble all of it
                if len(choice) < len(q) and fuzz.ratio(q, choice) < cutoff:
                    continue
                if norm != key and score > scored.get(shown, 0):
                    scored[shown] = score

        if key:
            sound = pinyin_of(key) if chinese else key
            if chinese:
                consider(self._chinese_pool, [n for n, _ in self._chinese_pool], key, fuzz.WRatio, 60)
            else:
                consider(self._latin_pool, [n for n, _ in self._latin_pool], key, fuzz.WRatio, 70)
            consider(self._chinese_pool, self._chinese_sounds, sound, fuzz.ratio, 75)
            consider(self._title_pool, [n for n, _ in self._title_pool], key, fuzz.ratio, 70)
        ideas = sorted(scored, key=lambda idea: -scored[idea])
        if not ideas:
            popular = self._tag_zh_counts if (lang.startswith("zh") if lang else chinese) else self._tag_counts
            ideas = [tag for tag, _ in popular.most_common(limit * 2)]
        unique: list[str] = []
        for idea in ideas:
            if idea not in unique and self._finds_something(idea):
                unique.append(idea)
            if len(unique) == limit:
                break
        if len(self._suggested) > CACHED_AT_MOST:
            self._suggested.clear()
        self._suggested[(key, limit, lang)] = unique
        return list(unique)

    def _finds_something(self, text: str) -> bool:
        """Whether searching ``text`` gives a result (talks first: cheaper than a speaker lookup)."""
        return self._talks.matches_something(search_terms(text)) or bool(self._speakers.hits(text))
