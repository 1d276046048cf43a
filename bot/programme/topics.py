"""What a conference is about, for examples in the welcome and the hints: its most frequent tags
and tracks, in the reader's language (Chinese tags and track names for Chinese readers, English
ones for English readers; the other language's when a conference has none in this one)."""

from __future__ import annotations

from collections import Counter

from bot.i18n import is_chinese, pick, t
from bot.programme.content.programme import Programme


def popular_topics(programme: Programme, lang: str, limit: int = 2) -> list[str]:
    """The ``limit`` most frequent tags and tracks of the programme's talks, in ``lang``."""
    zh, en = Counter[str](), Counter[str]()
    for talk in programme.talks:
        if talk.cancelled:
            continue
        zh.update(dict.fromkeys(talk.tags_zh, 1))
        en.update(dict.fromkeys(talk.tags, 1))
        track = programme.track(talk.track)
        if track is not None:
            zh[track.name] += 1
            en[track.name_en or track.name] += 1
    first, second = (zh, en) if is_chinese(lang) else (en, zh)
    found: dict[str, str] = {}  # folded → as written
    for counts in (first, second):
        for topic, _ in counts.most_common():
            if len(found) < limit and topic.strip():
                found.setdefault(topic.casefold(), topic)
    return list(found.values())


def topics_text(programme: Programme, lang: str, limit: int = 2) -> str:
    """The popular topics quoted and joined (“XDP” or “网络”); empty when the programme has none."""
    quoted = [
        t(lang, "topics.quote", topic=pick(lang, topic, None)) for topic in popular_topics(programme, lang, limit)
    ]
    return t(lang, "topics.or").join(quoted)
