"""What the search indexes share: postings (talk → weight and field), word lists searched inside, syllables."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from bot.programme.search.pinyin import syllables

Match = dict[int, tuple[float, int]]  # talk index → (weight, field number)


def merge(into: Match, postings: Match, factor: float) -> None:
    """Add scaled postings, keeping each talk's best."""
    for index, (weight, number) in postings.items():
        weight *= factor
        old = into.get(index)
        if old is None or old[0] < weight:
            into[index] = (weight, number)


@lru_cache(maxsize=8192)
def syllables_of(text: str) -> tuple[str, ...]:
    """The pinyin syllables of ``text`` (cached: names and titles are asked for again and again)."""
    return tuple(syllables(text))


class Words:
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
