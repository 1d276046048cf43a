"""The search index of one programme: talks, speakers and suggestions, built once, read by every query.

:class:`SearchIndex` composes the three parts; each indexes only what it needs, so nothing is
indexed twice: the talks' postings (``bot.programme.search.talk_index`` on ``matching``), the speakers'
names (``speakers``), and what "nothing found" may propose (``suggestions``, which reads both).
"""

from __future__ import annotations

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Speaker
from bot.programme.search.chinese import mainland_forms
from bot.programme.search.hit import Hit
from bot.programme.search.pinyin import all_syllables
from bot.programme.search.speaker_index import SpeakerIndex
from bot.programme.search.suggestions import Suggestions
from bot.programme.search.talk_index import TalkIndex
from bot.programme.search.understand import understand

__all__ = ["Hit", "SearchIndex"]


class SearchIndex:
    """Ranked search over one programme. Build once; queries only read."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.talk_index = TalkIndex(programme)
        self.speaker_index = SpeakerIndex(programme.speakers.values())
        self.suggestions = Suggestions(programme, self.talk_index, self.speaker_index)
        self.talks = self.talk_index.talks
        self.speakers = self.speaker_index.speakers
        all_syllables()  # loaded once per process here, at start-up, not on a user's first query
        mainland_forms("网路")

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Speakers whose name is the query, then talks, ranked best first; [] when nothing matches.

        Honorifics and chat wording come off first (``陈莉君老师的分享``, ``有没有讲XDP的``).
        """
        terms = self.talk_index.terms(understand(query))
        if not terms or limit <= 0:
            return []
        joined = "".join(terms)
        if len(terms) > 1 and self.speaker_index.is_name(joined):  # "chen lijun", "陈 莉君": one name, not two words
            terms = [joined]
        talks = self.talk_index.hits(terms, limit)
        return (self.speaker_index.hits(joined) + talks)[:limit]

    def find_speakers(self, name: str, *, fuzzy: bool = True) -> list[Speaker]:
        """Speakers by exact name, pinyin (tones, spaces and case ignored), same sound, part, initials, typo.

        A part is a character of a Chinese name (李, 莉君), or whole pinyin syllables (li, lijun,
        never the "chen" in "cheng"), or the start of a partly typed name ("chenl").
        """
        return self.speaker_index.find(understand(name), fuzzy=fuzzy)

    def suggest(self, query: str, limit: int = 3, *, lang: str | None = None) -> list[str]:
        """Alternatives that do find something: close tags, names, tracks and titles, else popular tags.

        The popular tags are in ``lang`` (the user's language; by default the query's script).
        """
        return self.suggestions.suggest(understand(query), limit, lang=lang)
