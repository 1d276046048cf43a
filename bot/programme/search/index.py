"""The search index: postings per key, per-talk texts for verification, vocabularies for typos.

Everything is computed once per programme. A query term is looked up, never scanned for:
a Latin word by its postings (plus the vocabulary words that contain it or share its stem,
its pinyin syllables or initials, and its synonyms), a run of Chinese characters by
intersecting the postings of its character pairs and checking the few candidates. Spelling
variants (Taiwanese phrasing, one character off) and rapidfuzz run only when a term finds
nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from math import log
from operator import itemgetter
from typing import Literal

from rapidfuzz import fuzz, process

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Speaker, Talk
from bot.programme.search.chinese import mainland_forms
from bot.programme.search.english import PHRASES, SYNONYMS, parts, stem
from bot.programme.search.pinyin import all_syllables, initials, is_pinyin, runs, strip_tone_numbers, syllables
from bot.programme.search.text import CJK, CJK_RUN, fold, index_keys, is_cjk, normalize, pinyin_of, query_terms

# How much of a field's weight a kind of match keeps.
IN_WORD = 0.85  # "xdp" inside "af_xdp", "container" inside "containerd"
STEM = 0.9  # another form of the word: "scheduler" for "scheduling"
SYNONYM = 0.9  # "k8s" for "Kubernetes" (bot.programme.search.english.SYNONYMS)
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
TITLE_SYLLABLES = 5  # a title's pinyin is indexed by runs of up to this many syllables
CANCELLED = 0.5
COMMON = 0.8  # in a query of three or more terms, a term in more of the talks is skipped
SHORT = 0.3  # a one-character Chinese term or a one- or two-letter word in a longer query
SPEAKER_SCORE = 20.0  # a speaker whose name is the query comes before their talks
SAME_SOUND, PART, INITIALS = 0.9, 0.7, 0.6  # how sure a speaker match is (exact name: 1.0)

Match = dict[int, tuple[float, int]]  # talk index → (weight, field number)


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: Literal["talk", "speaker"]
    score: float
    talk: Talk | None = None
    speaker: Speaker | None = None
    matched: str = ""  # the field that matched best: title, speaker, pinyin, initials, tag, track, ...


@dataclass(frozen=True)
class _Field:
    """A searched field: a text (indexed by words, characters and pairs) or exact keys (sounds)."""

    label: str
    weight: float
    text: Callable[[Talk, list[Speaker]], str] | None = None
    keys: Callable[[Talk, list[Speaker]], Iterable[str]] | None = None


@lru_cache(maxsize=8192)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(syllables(text))


def _name_sounds(speakers: list[Speaker]) -> set[str]:
    """Each name's runs of whole syllables (chen, lijun, chenlijun) and its Latin spellings."""
    keys: set[str] = set()
    for speaker in speakers:
        keys |= runs(list(_syllables(speaker.name)))
        keys |= {"".join(normalize(n).split()) for n in (speaker.name, speaker.name_en or "") if not CJK.search(n)}
    keys.discard("")
    return keys


def _name_initials(speakers: list[Speaker]) -> set[str]:
    """Initials of the Chinese names: 陈莉君 → clj."""
    return {initials(list(p)) for s in speakers if len(p := _syllables(s.name)) >= 2}


def _chinese_words(talk: Talk) -> list[str]:
    """The Chinese runs of the title and the Chinese tags."""
    return [run for text in (talk.title, *talk.tags_zh) for run in CJK_RUN.findall(text)]


def _title_sounds(talk: Talk, sp: list[Speaker]) -> set[str]:
    """Runs of up to TITLE_SYLLABLES syllables of the Chinese title and tags, and each whole run."""
    keys: set[str] = set()
    for run in _chinese_words(talk):
        parts = list(_syllables(run))
        keys |= runs(parts, TITLE_SYLLABLES)
        keys.add("".join(parts))
    return keys


def _title_initials(talk: Talk, sp: list[Speaker]) -> set[str]:
    """Initials of the short Chinese runs of the title and tags: 网络抖动 → wldd."""
    return {initials(list(_syllables(run))) for run in _chinese_words(talk) if 2 <= len(run) <= 8}


def _abstracts(talk: Talk, sp: list[Speaker]) -> str:
    """The abstract, outline and takeaways in both languages, and the links."""
    english = [talk.abstract_en or "", *(talk.outline_en or []), *(talk.takeaways_en or [])]
    return " ".join([talk.abstract, *talk.outline, *talk.takeaways, *english, *talk.links])


@lru_cache(maxsize=256)
def _one_off_pattern(term: str) -> re.Pattern[str]:
    """The term with any one character replaced by another Chinese character."""
    cjk = CJK.pattern
    return re.compile("|".join(re.escape(term[:i]) + cjk + re.escape(term[i + 1 :]) for i in range(len(term))))


class _Words:
    """A sorted word list that finds the words containing a string with one C-level scan."""

    def __init__(self, words: Iterable[str], *, keep_order: bool = False) -> None:
        self.words = list(words) if keep_order else sorted(set(words))
        self.starts: list[int] = []
        pos = 0
        for word in self.words:
            self.starts.append(pos)
            pos += len(word) + 1
        self.text = "\x00".join(self.words)

    def containing(self, part: str) -> list[int]:
        """Indices of the words that contain ``part``."""
        found: list[int] = []
        pos = self.text.find(part)
        while pos != -1:
            index = bisect_right(self.starts, pos) - 1
            found.append(index)
            nxt = index + 1
            if nxt >= len(self.starts):
                break
            pos = self.text.find(part, self.starts[nxt])
        return found


class SearchIndex:
    """Ranked search over one programme. Build once; queries only read."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.talks = list(programme.talks)
        self.speakers = list(programme.speakers.values())
        self._fields = self._field_specs()
        self._factor = [CANCELLED if t.cancelled else 1.0 for t in self.talks]
        # per field, per talk: the folded text (to check a long Chinese phrase); "" for sound fields
        self._texts: list[list[str]] = [[] for _ in self._fields]
        self._postings: dict[str, Match] = {}  # words, characters and character pairs of the texts
        self._sounds: dict[str, Match] = {}  # pinyin runs and initials: looked up exactly, never inside
        for index, talk in enumerate(self.talks):
            speakers = programme.speakers_of(talk)
            for number, field in enumerate(self._fields):
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
        self._words = _Words(latin)
        self._stems: dict[str, list[str]] = {}  # stem → the indexed words that have it
        for word in latin:
            stemmed = stem(word)
            if stemmed != word or len(word) >= 4:
                self._stems.setdefault(stemmed, []).append(word)
        whole_sounds = {"".join(_syllables(run)) for t in self.talks for run in _chinese_words(t)}
        whole_sounds |= {"".join(_syllables(s.name)) for s in self.speakers}
        self._typo_words = sorted(
            {w for w in [*latin, *whole_sounds] if len(w) >= 4 and not w.replace(".", "").isdigit()}
        )
        self._build_speakers()
        self._build_suggestions()
        all_syllables()  # loaded once per process here, at start-up, not on a user's first query
        mainland_forms("网路")

    def _field_specs(self) -> list[_Field]:
        """The searched fields, best first; pinyin and initials let Latin letters find Chinese text."""
        joined = " ".join
        track_text = {t.id: f"{t.name} {t.name_en or ''} {t.id}" for t in self.programme.conference.tracks}
        return [
            _Field("title", 10, lambda t, sp: f"{t.title} {t.title_en or ''}"),
            _Field("speaker", 9, lambda t, sp: joined(f"{s.name} {s.name_en or ''}" for s in sp)),
            _Field("tag", 8, lambda t, sp: joined([*t.tags, *t.tags_zh])),
            _Field("pinyin", 8, keys=lambda t, sp: _name_sounds(sp)),
            _Field("initials", 7, keys=lambda t, sp: _name_initials(sp)),
            _Field("track", 5, lambda t, sp: track_text.get(t.track or "", "")),
            _Field("affiliation", 4, lambda t, sp: joined(f"{s.affiliation} {s.affiliation_en or ''}" for s in sp)),
            _Field("pinyin", 4, keys=_title_sounds),
            _Field("initials", 3.5, keys=_title_initials),
            _Field("abstract", 3, _abstracts),
            _Field("bio", 2, lambda t, sp: joined(f"{s.bio} {s.bio_en or ''}" for s in sp)),
        ]

    def _build_speakers(self) -> None:
        """Speaker lookup: whole names, runs of whole syllables or words, initials, Chinese substrings."""
        self._speaker_exact: dict[str, list[int]] = {}
        self._speaker_parts: dict[str, dict[int, tuple[bool, int]]] = {}  # part → speaker → (not first, extra)
        self._speaker_initials: dict[str, list[int]] = {}
        tails: list[tuple[str, int]] = []  # what a partly typed name may start: "chenl" → chen-lijun
        chinese: list[tuple[str, int]] = []
        for index, speaker in enumerate(self.speakers):
            names = [n for n in (speaker.name, speaker.name_en or "") if n.strip()]
            sounds = list(_syllables(speaker.name))
            for key in ({"".join(fold(n).split()) for n in names} | {"".join(sounds)}) - {""}:
                self._speaker_exact.setdefault(key, []).append(index)
            for name in names:
                if CJK.search(name):
                    chinese.append(("".join(fold(name).split()), index))
                else:  # Latin names by their words, each typed whole or started
                    words = normalize(name).split()
                    self._add_parts(index, words)
                    tails += [("".join(words[i:]), index) for i in range(len(words))]
            if sounds:
                self._add_parts(index, sounds)
                tails += [("".join(sounds[i:]), index) for i in range(len(sounds))]
                if len(sounds) >= 2:
                    self._speaker_initials.setdefault(initials(sounds), []).append(index)
        self._speaker_tails = _Words([t for t, _ in tails], keep_order=True)
        self._speaker_tail_owner = [o for _, o in tails]
        self._speaker_chinese = _Words([n for n, _ in chinese], keep_order=True)
        self._speaker_chinese_owner = [o for _, o in chinese]
        # no name is longer than these (a typo may add a letter or two): longer text is no name
        self._longest_name = {
            chinese: max((len(k) for k in self._speaker_exact if bool(CJK.search(k)) == chinese), default=0) + 2
            for chinese in (True, False)
        }
        latin = [(k, o) for k, owners in self._speaker_exact.items() for o in owners if not CJK.search(k)]
        self._speaker_latin_keys = [k for k, _ in latin]
        self._speaker_latin_owner = [o for _, o in latin]

    def _add_parts(self, index: int, pieces: list[str]) -> None:
        full = len("".join(pieces))
        for i in range(len(pieces)):
            for j in range(i + 1, len(pieces) + 1):
                part = "".join(pieces[i:j])
                rank = (i > 0, full - len(part))
                old = self._speaker_parts.setdefault(part, {}).get(index)
                if old is None or rank < old:
                    self._speaker_parts[part][index] = rank

    def _build_suggestions(self) -> None:
        """What "nothing found" may propose: tags, names, tracks, title words and titles, both languages.

        Latin entries are compared with the query as typed, Chinese ones also by their pinyin
        (so 容气 proposes 容器 and "chenlijnu" proposes 陈莉君); whole titles only when the query
        is close to all of it.
        """
        self._tag_counts = Counter(tag for t in self.talks for tag in t.tags)
        self._tag_zh_counts = Counter(tag for t in self.talks for tag in t.tags_zh)
        tracks = self.programme.conference.tracks
        candidates = [
            *self._tag_counts,
            *self._tag_zh_counts,
            *(s.name for s in self.speakers),
            *(t.name for t in tracks),
            *(t.name_en or "" for t in tracks),
            *(s.name_en or "" for s in self.speakers if not CJK.search(s.name)),
        ]
        # Latin words of titles and tags
        shown = self._postings
        candidates += [w for w in self._typo_words if w in shown and any(n in (0, 2) for _, n in shown[w].values())]
        latin: dict[str, str] = {}  # normalized → as shown (the first spelling wins: tags first)
        chinese: dict[str, str] = {}
        for candidate in candidates:
            if candidate.strip():
                (chinese if CJK.search(candidate) else latin).setdefault(fold(candidate), candidate)
        self._latin_pool = list(latin.items())
        self._chinese_pool = list(chinese.items())
        self._chinese_sounds = [pinyin_of(norm) for norm, _ in self._chinese_pool]
        titles: dict[str, str] = {}
        for talk in self.talks:
            for title in (talk.title, talk.title_en):
                if title:
                    titles.setdefault(fold(title), title)
        self._title_pool = list(titles.items())
        self._suggested: dict[tuple[str, int, str | None], list[str]] = {}

    # --- matching one term ----------------------------------------------------------

    def _match_term(self, term: str) -> Match:
        if " " in term:  # a phrase of the synonym table: "container runtime"
            return self._match_phrase(term)
        return self._match_cjk(term) if is_cjk(term) else self._match_latin(term)

    def _match_latin(self, term: str, *, fuzzy: bool = True, related: bool = True) -> Match:
        """A Latin word: exact postings, pinyin, words containing it or sharing its stem, synonyms; else a typo."""
        best = dict(self._postings.get(term, {}))
        sound = self._sounds.get(term)
        if sound:
            _merge(best, sound, 1.0)
        if len(term) >= 3:
            postings = self._postings
            for i in self._words.containing(term):
                word = self._words.words[i]
                if word != term:
                    _merge(best, postings[word], IN_WORD)
            for word in self._stems.get(stem(term), ()):
                if word != term:
                    _merge(best, postings[word], STEM)
        if related:
            for other in SYNONYMS.get(term, ()):
                _merge(best, self._match_exactly(other), SYNONYM)
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
            for index, (weight, number) in self._match_latin(piece, fuzzy=fuzzy).items():
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
                matches = self._match_latin(term, fuzzy=False, related=False)
            found = matches if found is None else {i: min(found[i], m) for i, m in matches.items() if i in found}
        return found or {}

    def _match_phrase(self, phrase: str) -> Match:
        """A phrase of the synonym table: talks with all its words, or with what it names."""
        best = self._match_exactly(phrase)
        for other in SYNONYMS.get(phrase, ()):
            _merge(best, self._match_exactly(other), SYNONYM)
        return best

    def _match_typo(self, term: str) -> Match:
        best: Match = {}
        if len(term) < 4:
            return best
        for word, score, _ in process.extract(
            term, self._typo_words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
        ):
            _merge(best, self._postings.get(word) or self._sounds.get(word, {}), FUZZY * score / 100)
        return best

    def _match_cjk(self, term: str) -> Match:
        """Chinese: the phrase as a substring, else its mainland phrasing; also by pieces, one character off, sound."""
        best = dict(self._postings.get(term, {})) if len(term) <= 2 else self._phrase(term)
        if not best:
            for form in mainland_forms(term):  # 网路抖动 → 网络抖动
                _merge(best, self._match_exactly(form), VARIANT)
        found = bool(best)
        if len(term) >= 3 and len(best) < FEW:
            self._add_pieces(term, best)
        if not found and 3 <= len(term) <= MAX_SOUND and len(best) < FEW:
            _merge(best, self._one_off(term), 1.0)
        if not best and len(term) <= MAX_SOUND:
            sound = self._sounds.get(pinyin_of(term))
            if sound:
                _merge(best, sound, HOMOPHONE)
        return best

    def _phrase(self, term: str) -> Match:
        pairs: list[Match] = []
        for i in range(len(term) - 1):
            pair = self._postings.get(term[i : i + 2])
            if not pair:
                return {}
            pairs.append(pair)
        pairs.sort(key=len)
        fields, rarest, commonest = self._fields, pairs[0], pairs[-1]
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
        fields, texts = self._fields, self._texts
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

    # --- queries ----------------------------------------------------------------------

    def _terms(self, query: str) -> list[str]:
        """The query's terms; two adjacent words that are a synonym-table phrase are one term."""
        terms: list[str] = []
        for term in query_terms(query):
            if terms and f"{terms[-1]} {term}" in PHRASES:
                terms[-1] = f"{terms[-1]} {term}"
            elif term not in terms:
                terms.append(term)
        return terms[:8]

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Speakers whose name is the query, then talks, ranked best first; [] when nothing matches."""
        terms = self._terms(query)
        if not terms or limit <= 0:
            return []
        joined = "".join(terms)
        if len(terms) > 1 and joined in self._speaker_exact:  # "chen lijun", "陈 莉君": one name, not two words
            terms = [joined]
        per_term = [self._match_term(term) for term in terms]
        if len(terms) > 1 and not all(per_term) and not any(is_cjk(t) or " " in t for t in terms):
            whole = self._match_latin(joined, fuzzy=False)  # "wang luo": pinyin of one word
            if whole:
                terms, per_term = [joined], [whole]
        if len(per_term) > 2:  # a long query: words nearly every talk has tell nothing, skip them
            rare = [k for k, matches in enumerate(per_term) if len(matches) <= COMMON * len(self.talks)]
            if len(rare) < 2:
                rare = sorted(range(len(per_term)), key=lambda k: len(per_term[k]))[:2]
            terms, per_term = [terms[k] for k in sorted(rare)], [per_term[k] for k in sorted(rare)]
        hits = self._speaker_hits(joined)
        return (hits + self._talk_hits(per_term, self._term_weights(terms, per_term), limit))[:limit]

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

    def _talk_hits(self, per_term: list[Match], term_weights: list[float], limit: int) -> list[Hit]:
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
        return [Hit("talk", score, talk=self.talks[i], matched=self._fields[best[i][1]].label) for i, score in top]

    def _speaker_hits(self, key: str) -> list[Hit]:
        if len(key) < (2 if CJK.search(key) else 3):
            return []
        return [
            Hit("speaker", SPEAKER_SCORE * quality, speaker=self.speakers[i], matched="speaker")
            for i, quality in self._find_speakers(key, fuzzy=False)[:3]
        ]

    def find_speakers(self, name: str, *, fuzzy: bool = True) -> list[Speaker]:
        """Speakers by exact name, pinyin (tones, spaces and case ignored), same sound, part, initials, typo.

        A part is a character of a Chinese name (李, 莉君), or whole pinyin syllables (li, lijun,
        never the "chen" in "cheng"), or the start of a partly typed name ("chenl").
        """
        return [self.speakers[i] for i, _ in self._find_speakers(name, fuzzy=fuzzy)]

    def _find_speakers(self, name: str, *, fuzzy: bool) -> list[tuple[int, float]]:
        key = "".join(strip_tone_numbers(w) for w in fold(name).split())
        if not key:
            return []
        exact = self._speaker_exact.get(key)
        if exact:
            return [(i, 1.0) for i in exact]
        chinese = bool(CJK.search(key))
        if len(key) > self._longest_name[chinese]:  # a pasted passage: no need for its pinyin
            return []
        sound = key
        found: dict[int, tuple[bool, int]] = {}  # speaker → (not at the name's start, letters left over)
        if chinese:
            for k in self._speaker_chinese.containing(key):
                owner, whole = self._speaker_chinese_owner[k], self._speaker_chinese.words[k]
                rank = (not whole.startswith(key), len(whole) - len(key))
                found[owner] = min(rank, found.get(owner, rank))
            if not found:  # 陈丽君 for 陈莉君: the same sound (pypinyin only when needed: it is the slow part)
                sound = pinyin_of(key)
                if sound in self._speaker_exact:
                    return [(i, SAME_SOUND) for i in self._speaker_exact[sound]]
        elif len(key) >= 2:
            found = dict(self._speaker_parts.get(key, {}))
            if not found and len(key) >= 3:  # typing on: "chenl", "alic" (but "chen" is no start of "cheng")
                tails = self._speaker_tails
                started = [k for k in tails.containing(key) if tails.words[k].startswith(key)]
                if started and not is_pinyin(key):
                    for k in started:
                        found.setdefault(self._speaker_tail_owner[k], (True, len(tails.words[k]) - len(key)))
        ranked = [(i, PART) for i in sorted(found, key=lambda i: (found[i], i))]
        ranked += [(i, INITIALS) for i in self._speaker_initials.get(key, []) if i not in found]
        if ranked:
            return ranked
        if not fuzzy or len(sound) < 4:
            return []
        typos = process.extract(sound, self._speaker_latin_keys, scorer=fuzz.ratio, score_cutoff=80, limit=10)
        best: dict[int, float] = {}
        for _, score, at in typos:
            best.setdefault(self._speaker_latin_owner[at], score / 100 * 0.6)
        return list(best.items())

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
            popular = self._tag_zh_counts if (lang == "zh" if lang else chinese) else self._tag_counts
            ideas = [tag for tag, _ in popular.most_common(limit * 2)]
        unique: list[str] = []
        for idea in ideas:
            if idea not in unique and self._finds_something(idea):
                unique.append(idea)
            if len(unique) == limit:
                break
        if len(self._suggested) > 256:
            self._suggested.clear()
        self._suggested[(key, limit, lang)] = unique
        return list(unique)

    def _finds_something(self, text: str) -> bool:
        """Whether searching ``text`` gives a result (talks first: cheaper than a speaker lookup)."""
        return any(self._match_term(term) for term in self._terms(text)) or bool(self._speaker_hits(text))


def _merge(into: Match, postings: Match, factor: float) -> None:
    """Add scaled postings, keeping each talk's best."""
    for index, (weight, number) in postings.items():
        weight *= factor
        old = into.get(index)
        if old is None or old[0] < weight:
            into[index] = (weight, number)
