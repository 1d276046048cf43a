"""Bilingual search over talks and speakers: Chinese substrings, pinyin, English, typos.

Everything that can be precomputed is built once per programme: normalized text per field
class, concatenated so a query term is located with ``str.find`` over one string per class,
and a token vocabulary for fuzzy matching with rapidfuzz.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

from bot.content.programme import Programme
from bot.content.schema import Speaker, Talk

_SEP = "\x00"
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9][a-z0-9+#._-]*[a-z0-9+#]|[a-z0-9]")
FUZZY_CUTOFF = 78  # rapidfuzz ratio (0-100) a typo must reach


def normalize(text: str) -> str:
    """NFKC + casefold, so full-width letters and case don't matter."""
    return unicodedata.normalize("NFKC", text).casefold()


def pinyin_of(text: str) -> str:
    """Toneless pinyin with no spaces: ``陈莉君`` → ``chenlijun`` (other characters kept)."""
    return normalize("".join(lazy_pinyin(text)).replace(" ", ""))


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: Literal["talk", "speaker"]
    score: float
    talk: Talk | None = None
    speaker: Speaker | None = None
    matched: str = ""  # the field class that matched best


@dataclass
class _Field:
    """One field class over every talk: weight, concatenated text, talk start offsets."""

    name: str
    weight: float
    text: str
    starts: list[int]

    def talks_containing(self, term: str) -> set[int]:
        found: set[int] = set()
        pos = self.text.find(term)
        while pos != -1:
            index = bisect_right(self.starts, pos) - 1
            found.add(index)
            # jump to the next talk's text: one hit per talk is enough
            nxt = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
            pos = self.text.find(term, nxt)
        return found


def _build_field(name: str, weight: float, texts: list[str]) -> _Field:
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    return _Field(name, weight, _SEP.join(texts), starts)


class SearchIndex:
    """Ranked search over one programme. Build once; queries are read-only."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.talks = list(programme.talks)
        speakers_of = [programme.speakers_of(t) for t in self.talks]
        joined = " ".join

        def texts(make) -> list[str]:  # type: ignore[no-untyped-def]
            return [normalize(make(t, sp)) for t, sp in zip(self.talks, speakers_of, strict=True)]

        self.fields = [
            _build_field("title", 10, texts(lambda t, sp: f"{t.title} {t.title_en or ''}")),
            _build_field("speaker", 9, texts(lambda t, sp: joined(f"{s.name} {s.name_en or ''}" for s in sp))),
            _build_field("pinyin", 8, [joined(pinyin_of(s.name) for s in sp) + " " + pinyin_of(t.title)
                                        for t, sp in zip(self.talks, speakers_of, strict=True)]),
            _build_field("tag", 8, texts(lambda t, sp: joined([*t.tags, *t.tags_zh]))),
            _build_field("track", 5, texts(lambda t, sp: self._track_text(t))),
            _build_field("affiliation", 4, texts(lambda t, sp: joined(s.affiliation for s in sp))),
            _build_field("abstract", 3, texts(lambda t, sp: joined([t.abstract, *t.outline, *t.takeaways, *t.links]))),
            _build_field("bio", 2, texts(lambda t, sp: joined(s.bio for s in sp))),
        ]
        self.speakers = list(programme.speakers.values())
        self._speaker_keys = [
            (normalize(s.name).replace(" ", ""), normalize(s.name_en or "").replace(" ", ""), pinyin_of(s.name))
            for s in self.speakers
        ]
        self._vocabulary = self._build_vocabulary()
        self._tag_counts = Counter(tag for t in self.talks for tag in (*t.tags, *t.tags_zh))

    def _track_text(self, talk: Talk) -> str:
        track = self.programme.track(talk.track)
        return f"{track.name} {track.name_en or ''} {track.id}" if track else ""

    def _build_vocabulary(self) -> list[str]:
        """English-ish tokens and names a typo may be corrected to."""
        words: set[str] = set()
        for field in self.fields:
            if field.name in ("title", "tag", "speaker", "abstract", "track"):
                words.update(w for w in _WORD.findall(field.text) if len(w) >= 3)
        for keys in self._speaker_keys:
            words.update(k for k in keys if k and not _CJK.search(k))
        return sorted(words)

    # --- queries -----------------------------------------------------------------------

    def _terms(self, query: str) -> list[str]:
        return [t for t in normalize(query).split() if t][:8]

    def _match_term(self, term: str) -> dict[int, tuple[float, str]]:
        """Talk index → (weight, field) for one term: exact substring, else pieces or typo."""
        best = self._match_plain(term)
        if _CJK.search(term):  # Chinese has no spaces: a phrase also matches by its pieces
            if len(term) < 4 and best:
                return best
            pieces = {term[i : i + 2] for i in range(len(term) - 1)}
            counts: Counter[int] = Counter()
            for piece in pieces:
                for index, (weight, _) in self._match_plain(piece).items():
                    counts[index] += weight / len(pieces)
            for index, weight in counts.items():
                if weight >= 2 and index not in best:
                    best[index] = (weight * 0.6, "partial")
            return best
        if best:
            return best
        if len(term) < 4:
            return {}
        for word, score, _ in process.extract(term, self._vocabulary, scorer=fuzz.ratio,
                                              score_cutoff=FUZZY_CUTOFF, limit=3):
            for index, (weight, name) in self._match_plain(word).items():
                scaled = weight * 0.7 * score / 100
                if index not in best or best[index][0] < scaled:
                    best[index] = (scaled, f"fuzzy:{name}")
        return best

    def _match_plain(self, term: str) -> dict[int, tuple[float, str]]:
        best: dict[int, tuple[float, str]] = {}
        for field in self.fields:
            for index in field.talks_containing(term):
                if index not in best or best[index][0] < field.weight:
                    best[index] = (field.weight, field.name)
        return best

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Speakers whose name matches, then talks, ranked; [] when nothing matches."""
        terms = self._terms(query)
        if not terms:
            return []
        per_term = [self._match_term(term) for term in terms]
        if len(terms) > 1:  # "chen lijun": the words together may be one name in pinyin
            whole = self._match_term("".join(terms))
            if whole:
                per_term = [whole]
        scores: dict[int, float] = {}
        matched: dict[int, tuple[float, str]] = {}
        for matches in per_term:
            for index, (weight, name) in matches.items():
                scores[index] = scores.get(index, 0.0) + weight
                if weight > matched.get(index, (0.0, ""))[0]:
                    matched[index] = (weight, name)
        hits: list[Hit] = []
        for index, score in scores.items():
            covered = sum(1 for m in per_term if index in m) / len(per_term)
            talk = self.talks[index]
            score *= covered * covered
            if talk.cancelled:
                score *= 0.5
            hits.append(Hit("talk", score, talk=talk, matched=matched[index][1]))
        hits += self._speaker_hits(terms)
        hits.sort(key=lambda h: (-h.score, h.kind != "speaker", h.talk.id if h.talk else 0))
        return hits[:limit]

    def _speaker_hits(self, terms: list[str]) -> list[Hit]:
        key = "".join(terms)
        if len(key) < 2:
            return []
        return [Hit("speaker", 20.0, speaker=s, matched="speaker") for s in self.find_speakers(key, fuzzy=False)[:3]]

    def find_speakers(self, name: str, *, fuzzy: bool = True) -> list[Speaker]:
        """Speakers by exact name, pinyin (spaces and case ignored), substring, then typo."""
        key = normalize(name).replace(" ", "")
        if not key:
            return []
        exact = [s for s, keys in zip(self.speakers, self._speaker_keys, strict=True) if key in keys]
        if exact:
            return exact
        partial = [s for s, keys in zip(self.speakers, self._speaker_keys, strict=True)
                   if len(key) >= 2 and any(key in k for k in keys if k)]
        if partial or not fuzzy:
            return partial
        choices = {i: " ".join(k for k in keys if k) for i, keys in enumerate(self._speaker_keys)}
        found = process.extract(key, choices, scorer=fuzz.partial_ratio, score_cutoff=80, limit=5)
        return [self.speakers[i] for _, _, i in found]

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """Alternatives that do find something: close tags, names and words, else popular tags."""
        key = normalize(query).strip()
        pool = sorted({*self._tag_counts, *(s.name for s in self.speakers),
                       *(w for w in self._vocabulary if len(w) >= 4)})
        ideas = [w for w, _, _ in process.extract(key, pool, scorer=fuzz.WRatio, score_cutoff=60, limit=limit * 3)
                 if normalize(w) != key]
        if not ideas:
            ideas = [tag for tag, _ in self._tag_counts.most_common(limit * 2)]
        unique: list[str] = []
        for idea in ideas:
            if idea not in unique and self.search(idea, limit=1):
                unique.append(idea)
        return unique[:limit]
