"""Ranking talks for a query: each term's matches, weighted by rarity, summed per talk (AND-ish)."""

from __future__ import annotations

from collections.abc import Set
from math import log
from operator import itemgetter

from bot.programme.content.programme import Programme
from bot.programme.search.english import PHRASES
from bot.programme.search.hit import Hit
from bot.programme.search.matching import TermMatcher
from bot.programme.search.postings import Match
from bot.programme.search.text import is_cjk, query_terms

CANCELLED = 0.5
COMMON = 0.8  # in a query of three or more terms, a term in more of the talks is skipped
SHORT = 0.3  # a one-character Chinese term or a one- or two-letter word in a longer query
MAX_TERMS = 8


def search_terms(query: str, phrases: Set[str] = PHRASES) -> list[str]:
    """The query's terms; two adjacent words that are a synonym-table phrase (or a company's name) are one term."""
    terms: list[str] = []
    for term in query_terms(query):
        if terms and (f"{terms[-1]} {term}" in PHRASES or f"{terms[-1]} {term}" in phrases):
            terms[-1] = f"{terms[-1]} {term}"
        elif term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


class TalkIndex:
    """The talks of one programme ranked for a query's terms."""

    def __init__(self, programme: Programme) -> None:
        self.matcher = TermMatcher(programme)
        self.talks = self.matcher.talks
        self._factor = [CANCELLED if t.cancelled else 1.0 for t in self.talks]

    def terms(self, query: str) -> list[str]:
        """The query's terms (:func:`search_terms`), a company's name of two words ("red hat") as one."""
        return search_terms(query, self.matcher.aliases.phrases)

    def matches_something(self, terms: list[str]) -> bool:
        """Whether any of the terms matches a talk."""
        return any(self.matcher.match(term) for term in terms)

    def hits(self, terms: list[str], limit: int) -> list[Hit]:
        """The talks matching ``terms`` (from :func:`search_terms`), best first."""
        per_term = [self.matcher.match(term) for term in terms]
        if len(terms) > 1 and not all(per_term) and not any(is_cjk(t) or " " in t for t in terms):
            whole = self.matcher.match_latin("".join(terms), fuzzy=False)  # "wang luo": pinyin of one word
            if whole:
                terms, per_term = ["".join(terms)], [whole]
        if len(per_term) > 2:  # a long query: words nearly every talk has tell nothing, skip them
            rare = [k for k, matches in enumerate(per_term) if len(matches) <= COMMON * len(self.talks)]
            if len(rare) < 2:
                rare = sorted(range(len(per_term)), key=lambda k: len(per_term[k]))[:2]
            terms, per_term = [terms[k] for k in sorted(rare)], [per_term[k] for k in sorted(rare)]
        return self._ranked(per_term, self._term_weights(terms, per_term), limit)

    def _term_weights(self, terms: list[str], per_term: list[Match]) -> list[float]:
        """How much each term of a multi-word query counts: rare terms and real words more (IDF).

        "于 eBPF 的整机监控工具如何实现容器化" should rank by the long phrase, not by the
        single character and the word every talk has.
        """
        if len(terms) == 1:
            return [1.0]
        n = len(self.talks) + 1
        return [
            log(n / max(1, len(matches))) * (SHORT if len(term) < (2 if is_cjk(term) else 3) else 1.0)
            for term, matches in zip(terms, per_term, strict=True)
        ]

    def _ranked(self, per_term: list[Match], term_weights: list[float], limit: int) -> list[Hit]:
        """Sum the terms' weighted matches per talk, times the share of terms matched, squared (AND-ish).

        So a talk with every term in its title, tags or speakers (weights 7-10) outranks any talk
        missing a term: with n terms it scores at least 7·Σw, a talk with k < n of them at most
        10·Σw·(k/n)², under 7·Σw.
        """
        factor = self._factor
        if len(per_term) == 1:
            best = per_term[0]
            scores = {i: found[0] * factor[i] for i, found in best.items()}
        else:
            totals: dict[int, float] = {}
            counts: dict[int, int] = {}
            best = {}
            for matches, term_weight in zip(per_term, term_weights, strict=True):
                for index, found in matches.items():
                    if index in totals:
                        totals[index] += found[0] * term_weight
                        counts[index] += 1
                        if found[0] > best[index][0]:
                            best[index] = found
                    else:
                        totals[index] = found[0] * term_weight
                        counts[index] = 1
                        best[index] = found
            n = len(per_term)
            scores = {i: total * factor[i] * (counts[i] / n) ** 2 for i, total in totals.items()}
        # sorted() is stable and C-fast: ties keep the programme's (time) order of the postings
        top = sorted(scores.items(), key=itemgetter(1), reverse=True)[:limit]
        return [
            Hit("talk", score, talk=self.talks[i], matched=self.matcher.fields[best[i][1]].label) for i, score in top
        ]
