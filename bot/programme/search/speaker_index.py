"""Finding speakers by name: exact, pinyin (tones, spaces and case ignored), same sound, part, initials, typo."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.programme.content.schema import Speaker
from bot.programme.search.hit import Hit
from bot.programme.search.pinyin import initials, is_pinyin, strip_tone_numbers
from bot.programme.search.postings import Words, syllables_of
from bot.programme.search.text import CJK, fold, normalize, pinyin_of

SPEAKER_SCORE = 20.0  # a speaker whose name is the query comes before their talks
SAME_SOUND, PART, INITIALS = 0.9, 0.7, 0.6  # how sure a speaker match is (exact name: 1.0)


class SpeakerIndex:
    """Speaker lookup: whole names, runs of whole syllables or words, initials, Chinese substrings."""

    def __init__(self, speakers: Iterable[Speaker]) -> None:
        self.speakers = list(speakers)
        self._exact: dict[str, list[int]] = {}
        self._parts: dict[str, dict[int, tuple[bool, int]]] = {}  # part → speaker → (not first, extra)
        self._initials: dict[str, list[int]] = {}
        tails: list[tuple[str, int]] = []  # what a partly typed name may start: "chenl" → chen-lijun
        chinese: list[tuple[str, int]] = []
        for index, speaker in enumerate(self.speakers):
            names = [n for n in (speaker.name, speaker.name_en or "") if n.strip()]
            sounds = list(syllables_of(speaker.name))
            for key in ({"".join(fold(n).split()) for n in names} | {"".join(sounds)}) - {""}:
                self._exact.setdefault(key, []).append(index)
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
                    self._initials.setdefault(initials(sounds), []).append(index)
        self._tails = Words([t for t, _ in tails], keep_order=True)
        self._tail_owner = [o for _, o in tails]
        self._chinese = Words([n for n, _ in chinese], keep_order=True)
        self._chinese_owner = [o for _, o in chinese]
        # no name is longer than these (a typo may add a letter or two): longer text is no name
        self._longest_name = {
            chinese: max((len(k) for k in self._exact if bool(CJK.search(k)) == chinese), default=0) + 2
            for chinese in (True, False)
        }
        latin = [(k, o) for k, owners in self._exact.items() for o in owners if not CJK.search(k)]
        self._latin_keys = [k for k, _ in latin]
        self._latin_owner = [o for _, o in latin]

    def _add_parts(self, index: int, pieces: list[str]) -> None:
        full = len("".join(pieces))
        for i in range(len(pieces)):
            for j in range(i + 1, len(pieces) + 1):
                part = "".join(pieces[i:j])
                rank = (i > 0, full - len(part))
                old = self._parts.setdefault(part, {}).get(index)
                if old is None or rank < old:
                    self._parts[part][index] = rank

    def is_name(self, key: str) -> bool:
        """Whether ``key`` (folded, spaces removed) is a whole name or its pinyin: "chenlijun", "陈莉君"."""
        return key in self._exact

    def hits(self, key: str) -> list[Hit]:
        """Up to three speakers a query names (no typos), as results that come before the talks."""
        if len(key) < (2 if CJK.search(key) else 3):
            return []
        return [
            Hit("speaker", SPEAKER_SCORE * quality, speaker=self.speakers[i], matched="speaker")
            for i, quality in self.ranked(key, fuzzy=False)[:3]
        ]

    def find(self, name: str, *, fuzzy: bool = True) -> list[Speaker]:
        """Speakers by exact name, pinyin (tones, spaces and case ignored), same sound, part, initials, typo.

        A part is a character of a Chinese name (李, 莉君), or whole pinyin syllables (li, lijun,
        never the "chen" in "cheng"), or the start of a partly typed name ("chenl").
        """
        return [self.speakers[i] for i, _ in self.ranked(name, fuzzy=fuzzy)]

    def ranked(self, name: str, *, fuzzy: bool) -> list[tuple[int, float]]:
        """(speaker number, how sure) of the speakers ``name`` finds, best first."""
        key = "".join(strip_tone_numbers(w) for w in fold(name).split())
        if not key:
            return []
        exact = self._exact.get(key)
        if exact:
            return [(i, 1.0) for i in exact]
        chinese = bool(CJK.search(key))
        if len(key) > self._longest_name[chinese]:  # a pasted passage: no need for its pinyin
            return []
        sound = key
        found: dict[int, tuple[bool, int]] = {}  # speaker → (not at the name's start, letters left over)
        if chinese:
            for k in self._chinese.containing(key):
                owner, whole = self._chinese_owner[k], self._chinese.words[k]
                rank = (not whole.startswith(key), len(whole) - len(key))
                found[owner] = min(rank, found.get(owner, rank))
            if not found:  # 陈丽君 for 陈莉君: the same sound (pypinyin only when needed: it is the slow part)
                sound = pinyin_of(key)
                if sound in self._exact:
                    return [(i, SAME_SOUND) for i in self._exact[sound]]
        elif len(key) >= 2:
            found = dict(self._parts.get(key, {}))
            if not found and len(key) >= 3:  # typing on: "chenl", "alic" (but "chen" is no start of "cheng")
                tails = self._tails
                started = [k for k in tails.containing(key) if tails.words[k].startswith(key)]
                if started and not is_pinyin(key):
                    for k in started:
                        found.setdefault(self._tail_owner[k], (True, len(tails.words[k]) - len(key)))
        ranked = [(i, PART) for i in sorted(found, key=lambda i: (found[i], i))]
        ranked += [(i, INITIALS) for i in self._initials.get(key, []) if i not in found]
        if ranked:
            return ranked
        if not fuzzy or len(sound) < 4:
            return []
        typos = process.extract(sound, self._latin_keys, scorer=fuzz.ratio, score_cutoff=80, limit=10)
        best: dict[int, float] = {}
        for _, score, at in typos:
            best.setdefault(self._latin_owner[at], score / 100 * 0.6)
        return list(best.items())
