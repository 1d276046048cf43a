"""The talk fields search looks in, best first: texts (indexed by words, characters and pairs) and sounds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Speaker, Talk
from bot.programme.search.pinyin import initials, runs
from bot.programme.search.postings import syllables_of
from bot.programme.search.text import CJK, CJK_RUN, normalize

TITLE_SYLLABLES = 5  # a title's pinyin is indexed by runs of up to this many syllables


@dataclass(frozen=True)
class Field:
    """A searched field: a text (indexed by words, characters and pairs) or exact keys (sounds)."""

    label: str
    weight: float
    text: Callable[[Talk, list[Speaker]], str] | None = None
    keys: Callable[[Talk, list[Speaker]], Iterable[str]] | None = None


def talk_fields(programme: Programme) -> list[Field]:
    """The searched fields, best first; pinyin and initials let Latin letters find Chinese text."""
    joined = " ".join
    track_text = {t.id: f"{t.name} {t.name_en or ''} {t.id}" for t in programme.conference.tracks}
    return [
        Field("title", 10, lambda t, sp: f"{t.title} {t.title_en or ''}"),
        Field("speaker", 9, lambda t, sp: joined(f"{s.name} {s.name_en or ''}" for s in sp)),
        Field("tag", 8, lambda t, sp: joined([*t.tags, *t.tags_zh])),
        Field("pinyin", 8, keys=lambda t, sp: _name_sounds(sp)),
        Field("initials", 7, keys=lambda t, sp: _name_initials(sp)),
        Field("track", 5, lambda t, sp: track_text.get(t.track or "", "")),
        Field("affiliation", 4, lambda t, sp: joined(f"{s.affiliation} {s.affiliation_en or ''}" for s in sp)),
        Field("pinyin", 4, keys=_title_sounds),
        Field("initials", 3.5, keys=_title_initials),
        Field("abstract", 3, _abstracts),
        Field("bio", 2, lambda t, sp: joined(f"{s.bio} {s.bio_en or ''}" for s in sp)),
    ]


def chinese_words(talk: Talk) -> list[str]:
    """The Chinese runs of the title and the Chinese tags."""
    return [run for text in (talk.title, *talk.tags_zh) for run in CJK_RUN.findall(text)]


def _name_sounds(speakers: list[Speaker]) -> set[str]:
    """Each name's runs of whole syllables (chen, lijun, chenlijun) and its Latin spellings."""
    keys: set[str] = set()
    for speaker in speakers:
        keys |= runs(list(syllables_of(speaker.name)))
        keys |= {"".join(normalize(n).split()) for n in (speaker.name, speaker.name_en or "") if not CJK.search(n)}
    keys.discard("")
    return keys


def _name_initials(speakers: list[Speaker]) -> set[str]:
    """Initials of the Chinese names: 陈莉君 → clj."""
    return {initials(list(p)) for s in speakers if len(p := syllables_of(s.name)) >= 2}


def _title_sounds(talk: Talk, sp: list[Speaker]) -> set[str]:
    """Runs of up to TITLE_SYLLABLES syllables of the Chinese title and tags, and each whole run."""
    keys: set[str] = set()
    for run in chinese_words(talk):
        parts = list(syllables_of(run))
        keys |= runs(parts, TITLE_SYLLABLES)
        keys.add("".join(parts))
    return keys


def _title_initials(talk: Talk, sp: list[Speaker]) -> set[str]:
    """Initials of the short Chinese runs of the title and tags: 网络抖动 → wldd."""
    return {initials(list(syllables_of(run))) for run in chinese_words(talk) if 2 <= len(run) <= 8}


def _abstracts(talk: Talk, sp: list[Speaker]) -> str:
    """The abstract, outline and takeaways in both languages, and the links."""
    english = [talk.abstract_en or "", *(talk.outline_en or []), *(talk.takeaways_en or [])]
    return " ".join([talk.abstract, *talk.outline, *talk.takeaways, *english, *talk.links])
