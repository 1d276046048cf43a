"""The search index: postings per key, per-talk texts for verification, vocabularies for typos.

Everything is computed once per programme. A query term is looked up, never scanned for:
a Latin word by its postings (plus the vocabulary words that contain it), a run of Chinese
characters by intersecting the postings of its character pairs and checking the few
candidates. rapidfuzz runs only when a term finds nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import log
from operator import itemgetter
from typing import Literal

from rapidfuzz import fuzz, process

from bot.content.programme import Programme
from bot.content.schema import Speaker, Talk
from bot.search.text import CJK, index_keys, is_cjk, normalize, pinyin_of, pinyin_runs, query_terms

# How much of a field's weight a kind of match keeps.
IN_WORD = 0.85  # "xdp" inside "af_xdp", "lijun" inside "chenlijun"
PIECES = 0.6  # a Chinese phrase found only by its character pairs
HOMOPHONE = 0.6  # Chinese typed with the wrong character of the same sound: 容气 → 容器
FUZZY = 0.7  # a typo, further scaled by the rapidfuzz ratio
FUZZY_CUTOFF = 78  # rapidfuzz ratio (0-100) a typo must reach
FEW = 20  # a Chinese phrase found in fewer talks also looks for its pieces
MAX_PIECES = 12  # of a long phrase (pasted text), only the rarest character pairs count
VERIFY_AT_MOST = 256  # candidates of a long phrase checked against the text
MAX_SOUND = 8  # a Chinese term up to this long is also tried by its sound
CANCELLED = 0.5
COMMON = 0.8  # in a query of three or more terms, a term in more of the talks is skipped
SHORT = 0.3  # a one-character Chinese term or a one- or two-letter word in a longer query
SPEAKER_SCORE = 20.0  # a speaker whose name is the query comes before their talks

Match = dict[int, tuple[float, int]]  # talk index → (weight, field number)


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: Literal["talk", "speaker"]
    score: float
    talk: Talk | None = None
    speaker: Speaker | None = None
    matched: str = ""  # the field that matched best: title, speaker, pinyin, tag, track, ...


@dataclass(frozen=True)
class _Field:
    label: str
    weight: float
    text: Callable[[Talk, list[Speaker]], str]


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
        # per field, per talk: the normalized text (to check a long Chinese phrase)
        self._texts: list[list[str]] = [[] for _ in self._fields]
        self._postings: dict[str, Match] = {}
        for index, talk in enumerate(self.talks):
            speakers = programme.speakers_of(talk)
            for number, field in enumerate(self._fields):
                text = normalize(field.text(talk, speakers))
                self._texts[number].append(text)
                for key in set(index_keys(text)):
                    postings = self._postings.setdefault(key, {})
                    if index not in postings:  # fields go by falling weight: the first is the best
                        postings[index] = (field.weight, number)
        latin = [k for k in self._postings if not is_cjk(k)]
        self._words = _Words(latin)
        self._typo_words = sorted(w for w in latin if len(w) >= 4 and not w.replace(".", "").isdigit())
        self._build_speakers()
        self._build_suggestions()

    def _field_specs(self) -> list[_Field]:
        """The searched fields, best first; pinyin lets Latin letters find Chinese text."""
        joined = " ".join
        track_text = {t.id: f"{t.name} {t.name_en or ''} {t.id}" for t in self.programme.conference.tracks}
        return [
            _Field("title", 10, lambda t, sp: f"{t.title} {t.title_en or ''}"),
            _Field("speaker", 9, lambda t, sp: joined(f"{s.name} {s.name_en or ''}" for s in sp)),
            _Field("tag", 8, lambda t, sp: joined([*t.tags, *t.tags_zh])),
            _Field("pinyin", 8, lambda t, sp: joined(pinyin_of(s.name) for s in sp)),
            _Field("track", 5, lambda t, sp: track_text.get(t.track or "", "")),
            _Field("affiliation", 4, lambda t, sp: joined(s.affiliation for s in sp)),
            _Field("pinyin", 4, lambda t, sp: pinyin_runs(t.title)),
            _Field("abstract", 3, lambda t, sp: joined([t.abstract, *t.outline, *t.takeaways, *t.links])),
            _Field("bio", 2, lambda t, sp: joined(s.bio for s in sp)),
        ]

    def _build_speakers(self) -> None:
        self._speaker_exact: dict[str, list[int]] = {}
        owners: list[int] = []
        keys: list[str] = []
        for index, speaker in enumerate(self.speakers):
            forms = {
                "".join(normalize(speaker.name).split()),
                "".join(normalize(speaker.name_en or "").split()),
                pinyin_of(speaker.name),
            }
            for key in sorted(f for f in forms if f):
                self._speaker_exact.setdefault(key, []).append(index)
                owners.append(index)
                keys.append(key)
        self._speaker_keys = _Words(keys, keep_order=True)
        self._speaker_owner = owners
        latin = [(k, o) for k, o in zip(keys, owners, strict=True) if not CJK.search(k)]
        self._speaker_latin_keys = [k for k, _ in latin]
        self._speaker_latin_owner = [o for _, o in latin]

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
        candidates += [w for w in self._typo_words if any(n in (0, 2) for _, n in self._postings[w].values())]
        latin: dict[str, str] = {}  # normalized → as shown (the first spelling wins: tags first)
        chinese: dict[str, str] = {}
        for candidate in candidates:
            if candidate.strip():
                (chinese if CJK.search(candidate) else latin).setdefault(normalize(candidate), candidate)
        self._latin_pool = list(latin.items())
        self._chinese_pool = list(chinese.items())
        self._chinese_sounds = [pinyin_of(norm) for norm, _ in self._chinese_pool]
        titles: dict[str, str] = {}
        for talk in self.talks:
            for title in (talk.title, talk.title_en):
                if title:
                    titles.setdefault(normalize(title), title)
        self._title_pool = list(titles.items())
        self._suggested: dict[tuple[str, int], list[str]] = {}

    # --- matching one term ----------------------------------------------------------

    def _match_term(self, term: str) -> Match:
        return self._match_cjk(term) if is_cjk(term) else self._match_latin(term)

    def _match_latin(self, term: str, *, fuzzy: bool = True) -> Match:
        """A Latin word: exact postings, plus words containing it; a typo only when nothing is found."""
        exact = self._postings.get(term, {})
        if len(term) < 3:
            return exact
        inner = [self._words.words[i] for i in self._words.containing(term)]
        inner = [w for w in inner if w != term]
        if not inner:
            return exact if exact or not fuzzy else self._match_typo(term)
        best: Match = dict(exact)
        for word in inner:
            _merge(best, self._postings[word], IN_WORD)
        return best

    def _match_typo(self, term: str) -> Match:
        best: Match = {}
        if len(term) < 4:
            return best
        for word, score, _ in process.extract(
            term, self._typo_words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
        ):
            _merge(best, self._postings[word], FUZZY * score / 100)
        return best

    def _match_cjk(self, term: str) -> Match:
        """Chinese: the phrase as a substring; a long phrase also by its pieces; else by its sound."""
        best = dict(self._postings.get(term, {})) if len(term) <= 2 else self._phrase(term)
        if len(term) >= 3 and len(best) < FEW:
            self._add_pieces(term, best)
        if not best and len(term) <= MAX_SOUND:
            for index, (weight, number) in self._match_latin(pinyin_of(term), fuzzy=False).items():
                best[index] = (weight * HOMOPHONE, number)
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
        candidates = set(rarest).intersection(*pairs[1:])
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

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Speakers whose name is the query, then talks, ranked best first; [] when nothing matches."""
        terms = query_terms(query)
        if not terms or limit <= 0:
            return []
        joined = "".join(terms)
        if len(terms) > 1 and joined in self._speaker_exact:  # "chen lijun", "陈 莉君": one name, not two words
            terms = [joined]
        per_term = [self._match_term(term) for term in terms]
        if len(terms) > 1 and not all(per_term) and not any(is_cjk(t) for t in terms):
            whole = self._match_latin("".join(terms), fuzzy=False)  # "wang luo": pinyin of one word
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
        """Sum the terms' weighted matches per talk, times the share of terms matched, squared (AND-ish)."""
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
        """Speakers by exact name, pinyin (spaces and case ignored), same sound, substring, then typo."""
        return [self.speakers[i] for i, _ in self._find_speakers(name, fuzzy=fuzzy)]

    def _find_speakers(self, name: str, *, fuzzy: bool) -> list[tuple[int, float]]:
        key = "".join(normalize(name).split())
        if not key:
            return []
        exact = self._speaker_exact.get(key)
        if exact:
            return [(i, 1.0) for i in exact]
        chinese = bool(CJK.search(key))
        sound = pinyin_of(key) if chinese else key
        if chinese and sound in self._speaker_exact:
            return [(i, 0.9) for i in self._speaker_exact[sound]]
        if len(key) >= (2 if chinese else 3):
            inside: dict[int, int] = {}  # speaker → fewest extra letters around the match
            prefix: set[int] = set()  # speakers whose name starts with it: "chen" → Chen Hui before Zhang Cheng
            for k in self._speaker_keys.containing(key):
                owner, word = self._speaker_owner[k], self._speaker_keys.words[k]
                extra = len(word) - len(key)
                inside[owner] = min(extra, inside.get(owner, extra))
                if word.startswith(key):
                    prefix.add(owner)
            if inside:
                return [(i, 0.7) for i in sorted(inside, key=lambda i: (i not in prefix, inside[i], i))]
        if not fuzzy or len(sound) < 4:
            return []
        found = process.extract(sound, self._speaker_latin_keys, scorer=fuzz.ratio, score_cutoff=80, limit=10)
        ranked: dict[int, float] = {}
        for _, score, at in found:
            ranked.setdefault(self._speaker_latin_owner[at], score / 100 * 0.6)
        return list(ranked.items())

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Alternatives that do find something: close tags, names, tracks and titles, else popular tags."""
        key = normalize(query).strip()[:40]
        cached = self._suggested.get((key, limit))
        if cached is not None:  # "nothing found" asks twice: for the text and for the buttons
            return list(cached)
        chinese = bool(CJK.search(key))
        scored: dict[str, float] = {}

        def consider(
            pool: list[tuple[str, str]], choices: list[str], q: str, scorer: Callable[..., float], cutoff: float
        ) -> None:
            for _, score, at in process.extract(q, choices, scorer=scorer, score_cutoff=cutoff, limit=limit * 3):
                norm, shown = pool[at]
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
            popular = self._tag_zh_counts if chinese else self._tag_counts
            ideas = [tag for tag, _ in popular.most_common(limit * 2)]
        unique: list[str] = []
        for idea in ideas:
            if idea not in unique and self.search(idea, limit=1):
                unique.append(idea)
            if len(unique) == limit:
                break
        if len(self._suggested) > 256:
            self._suggested.clear()
        self._suggested[(key, limit)] = unique
        return list(unique)


def _merge(into: Match, postings: Match, factor: float) -> None:
    """Add scaled postings, keeping each talk's best."""
    for index, (weight, number) in postings.items():
        weight *= factor
        old = into.get(index)
        if old is None or old[0] < weight:
            into[index] = (weight, number)
