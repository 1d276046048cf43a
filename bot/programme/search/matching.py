"""Which talks one query term matches, and how well: the talk postings, built once per programme.

A query term is looked up, never scanned for: a Latin word by its postings (plus the vocabulary
words that contain it or share its stem, its pinyin syllables or initials, and its synonyms), a
run of Chinese characters by intersecting the postings of its character pairs and checking the
few candidates. Spelling variants (Taiwanese phrasing, one character off) and rapidfuzz run only
when a term finds nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.programme.content.programme import Programme
from bot.programme.search.aliases import Aliases
from bot.programme.search.chinese import mainland_forms
from bot.programme.search.english import SYNONYMS, parts, stem
from bot.programme.search.fields import chinese_words, talk_fields
from bot.programme.search.postings import Match, Words, merge, syllables_of
from bot.programme.search.text import CJK, fold, index_keys, is_cjk, pinyin_of, query_terms

# How much of a field's weight a kind of match keeps.
IN_WORD = 0.85  # "xdp" inside "af_xdp", "container" inside "containerd"
STEM = 0.9  # another form of the word: "scheduler" for "scheduling"
SYNONYM = 0.9  # "k8s" for "Kubernetes" (bot.programme.search.english.SYNONYMS)
ALIAS = 0.9  # another name of the company: "字节" for "ByteDance" (bot.programme.search.aliases)
VARIANT = 0.95  # the mainland phrasing of a Taiwanese word: 网路 → 网络
PIECES = 0.6  # a Chinese phrase found only by its character pairs
ONE_OFF = 0.6  # a Chinese phrase with one character different: 网终抖动 → 网络抖动
HOMOPHONE = 0.6  # Chinese typed with the wrong character of the same sound: 容气 → 容器
FUZZY = 0.7  # a typo, further scaled by the rapidfuzz ratio
FUZZY_CUTOFF = 78  # rapidfuzz ratio (0-100) a typo must reach
FEW = 20  # a Chinese phrase found in fewer talks also looks for its pieces
MAX_PIECES = 12  # of a long phrase (pasted text), only the rarest character pairs count
VERIFY_AT_MOST = 256  # candidates of a long phrase checked against the text
MAX_SOUND = 8  # a Chinese term up to this long is also tried by its sound and one character off


@lru_cache(maxsize=256)
def _one_off_pattern(term: str) -> re.Pattern[str]:
    """The term with any one character replaced by another Chinese character."""
    cjk = CJK.pattern
    return re.compile("|".join(re.escape(term[:i]) + cjk + re.escape(term[i + 1 :]) for i in range(len(term))))


class TermMatcher:
    """Postings per key, per-talk texts for verification, vocabularies for typos; lookups only read."""

    def __init__(self, programme: Programme) -> None:
        self.talks = list(programme.talks)
        self.fields = talk_fields(programme)
        self.aliases = Aliases.with_seed(programme.conference.aliases)
        # per field, per talk: the folded text (to check a long Chinese phrase); "" for sound fields
        self._texts: list[list[str]] = [[] for _ in self.fields]
        self._postings: dict[str, Match] = {}  # words, characters and character pairs of the texts
        self._sounds: dict[str, Match] = {}  # pinyin runs and initials: looked up exactly, never inside
        for index, talk in enumerate(self.talks):
            speakers = programme.speakers_of(talk)
            for number, field in enumerate(self.fields):
                if field.text is not None:
                    text = fold(field.text(talk, speakers))
                    keys: Iterable[str] = set(index_keys(text))
                    target = self._postings
                else:
                    assert field.keys is not None
                    text, keys, target = "", field.keys(talk, speakers), self._sounds
                self._texts[number].append(text)
                for key in keys:
                    postings = target.setdefault(key, {})
                    if index not in postings:  # fields go by falling weight: the first is the best
                        postings[index] = (field.weight, number)
        latin = [k for k in self._postings if not is_cjk(k)]
        self._words = Words(latin)
        self._stems: dict[str, list[str]] = {}  # stem → the indexed words that have it
        for word in latin:
            stemmed = stem(word)
            if stemmed != word or len(word) >= 4:
                self._stems.setdefault(stemmed, []).append(word)
        whole_sounds = {"".join(syllables_of(run)) for t in self.talks for run in chinese_words(t)}
        whole_sounds |= {"".join(syllables_of(s.name)) for s in programme.speakers.values()}
        self._typo_words = sorted(
            {w for w in [*latin, *whole_sounds] if len(w) >= 4 and not w.replace(".", "").isdigit()}
        )

    def words_in(self, *labels: str) -> list[str]:
        """The vocabulary words (those a typo is compared with) found in the fields with these labels."""
        numbers = {number for number, field in enumerate(self.fields) if field.label in labels}
        shown = self._postings
        return [w for w in self._typo_words if w in shown and any(n in numbers for _, n in shown[w].values())]

    def match(self, term: str) -> Match:
        """The talks one query term (a word, a Chinese run, or a synonym-table phrase) matches."""
        if " " in term:  # a phrase of the synonym table: "container runtime"
            return self._match_phrase(term)
        return self._match_cjk(term) if is_cjk(term) else self.match_latin(term)

    def match_latin(self, term: str, *, fuzzy: bool = True, related: bool = True) -> Match:
        """A Latin word: exact postings, pinyin, words containing it or sharing its stem, synonyms; else a typo."""
        best = dict(self._postings.get(term, {}))
        sound = self._sounds.get(term)
        if sound:
            merge(best, sound, 1.0)
        if len(term) >= 3:
            postings = self._postings
            for i in self._words.containing(term):
                word = self._words.words[i]
                if word != term:
                    merge(best, postings[word], IN_WORD)
            for word in self._stems.get(stem(term), ()):
                if word != term:
                    merge(best, postings[word], STEM)
        if related:
            for other in SYNONYMS.get(term, ()):
                merge(best, self._match_exactly(other), SYNONYM)
            self._add_aliases(term, best)
        if not best and parts(term):
            return self._match_parts(term, fuzzy=fuzzy)
        if not best and fuzzy:
            return self._match_typo(term)
        return best

    def _match_parts(self, term: str, *, fuzzy: bool) -> Match:
        """A joined word nobody wrote whole (``sched_ext``) by its parts, longer parts counting more."""
        pieces = parts(term)
        letters = sum(len(p) for p in pieces)
        best: Match = {}
        for piece in pieces:
            for index, (weight, number) in self.match_latin(piece, fuzzy=fuzzy).items():
                weight *= len(piece) / letters
                old = best.get(index)
                best[index] = (weight, number) if old is None else (old[0] + weight, min(old[1], number))
        return best

    def _match_exactly(self, text: str) -> Match:
        """Talks that have every word of ``text`` (no typos, variants or synonyms), at the weakest word's weight."""
        found: Match | None = None
        for term in query_terms(text):
            if is_cjk(term):
                matches = dict(self._postings.get(term, {})) if len(term) <= 2 else self._phrase(term)
            else:
                matches = self.match_latin(term, fuzzy=False, related=False)
            found = matches if found is None else {i: min(found[i], m) for i, m in matches.items() if i in found}
        return found or {}

    def _match_phrase(self, phrase: str) -> Match:
        """A phrase of the synonym table: talks with all its words, or with what it names."""
        best = self._match_exactly(phrase)
        for other in SYNONYMS.get(phrase, ()):
            merge(best, self._match_exactly(other), SYNONYM)
        self._add_aliases(phrase, best)
        return best

    def _add_aliases(self, term: str, best: Match) -> None:
        """The talks naming the company ``term`` names by another of its names (字节 → 字节跳动, ByteDance)."""
        for other in self.aliases.others(term):
            merge(best, self._match_exactly(other), ALIAS)

    def _match_typo(self, term: str) -> Match:
        best: Match = {}
        if len(term) < 4:
            return best
        for word, score, _ in process.extract(
            term, self._typo_words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
        ):
            merge(best, self._postings.get(word) or self._sounds.get(word, {}), FUZZY * score / 100)
        return best

    def _match_cjk(self, term: str) -> Match:
        """Chinese: the phrase as a substring, else its mainland phrasing; also by pieces, one character off, sound."""
        best = dict(self._postings.get(term, {})) if len(term) <= 2 else self._phrase(term)
        self._add_aliases(term, best)
        if not best:
            for form in mainland_forms(term):  # 网路抖动 → 网络抖动
                merge(best, self._match_exactly(form), VARIANT)
        found = bool(best)
        if len(term) >= 3 and len(best) < FEW:
            exact = dict(best)
            self._add_pieces(term, best)
            if exact and len(term) >= 4:  # the phrase itself, even in a bio, before its scattered pieces
                floor = min(weight for weight, _ in exact.values()) * PIECES
                for index, (weight, number) in best.items():
                    if index not in exact and weight > floor:
                        best[index] = (floor, number)
        if not found and 3 <= len(term) <= MAX_SOUND and len(best) < FEW:
            merge(best, self._one_off(term), 1.0)
        if not best and len(term) <= MAX_SOUND:
            sound = self._sounds.get(pinyin_of(term))
            if sound:
                merge(best, sound, HOMOPHONE)
        return best

    def _phrase(self, term: str) -> Match:
        pairs: list[Match] = []
        for i in range(len(term) - 1):
            pair = self._postings.get(term[i : i + 2])
            if not pair:
                return {}
            pairs.append(pair)
        pairs.sort(key=len)
        fields, rarest, commonest = self.fields, pairs[0], pairs[-1]
        everywhere = len(self.talks)  # a pair in every talk narrows nothing: skip intersecting with it
        candidates = set(rarest).intersection(*(p for p in pairs[1:] if len(p) < everywhere))
        if len(candidates) > VERIFY_AT_MOST and len(term) >= 6:
            # a long phrase whose every pair is in hundreds of talks (pasted boilerplate): holding
            # all its pairs is taken as holding it, in its rarest pair's best field
            if len(candidates) == len(rarest):
                return rarest
            return {i: found for i, found in rarest.items() if i in candidates}
        best: Match = {}
        for index in sorted(candidates):  # sorted: ties stay in programme order
            # the phrase is in no better field than any of its pairs' best field
            start = max(rarest[index][1], commonest[index][1])
            for number in range(start, len(fields)):
                if term in self._texts[number][index]:
                    best[index] = (fields[number].weight, number)
                    break
        return best

    def _one_off(self, term: str) -> Match:
        """Talks holding the term with one character different (a variant or mistyped character).

        One change breaks at most two of the term's character pairs, so a candidate holds all but
        two of them (for three characters: both end characters); the likeliest are checked first.
        """
        postings = self._postings
        held: Counter[int] = Counter()
        for pair in {term[i : i + 2] for i in range(len(term) - 1)}:
            held.update(postings.get(pair, {}).keys())
        if len(term) == 3:
            held.update(set(postings.get(term[0], ())) & set(postings.get(term[2], ())))
        needed = max(1, len(term) - 3)
        candidates = sorted((i for i, count in held.items() if count >= needed), key=lambda i: (-held[i], i))
        pattern = _one_off_pattern(term)
        fields, texts = self.fields, self._texts
        best: Match = {}
        for index in candidates[:VERIFY_AT_MOST]:
            for number, field in enumerate(fields):
                text = texts[number][index]
                if text and pattern.search(text):
                    best[index] = (field.weight * ONE_OFF, number)
                    break
        return best

    def _add_pieces(self, term: str, best: Match) -> None:
        """Talks that hold most of the phrase's character pairs, not necessarily together."""
        pieces = list(dict.fromkeys(term[i : i + 2] for i in range(len(term) - 1)))
        needed = max(1, (min(len(pieces), MAX_PIECES) + 1) // 2)
        if len(pieces) > MAX_PIECES:  # pasted text: its rarest known pairs say the most
            pieces = sorted((p for p in pieces if p in self._postings), key=lambda p: len(self._postings[p]))
            pieces = pieces[:MAX_PIECES]
        found: dict[int, list[float]] = {}
        for piece in pieces:
            for index, (weight, number) in self._postings.get(piece, {}).items():
                if index in best:
                    continue
                entry = found.setdefault(index, [0.0, 0, number])
                entry[0] += weight / len(pieces)
                entry[1] += 1
                if number < entry[2]:
                    entry[2] = number
        for index, (weight, count, first) in found.items():
            if count >= needed:
                best[index] = (weight * PIECES, int(first))
