"""Search in Chinese, English and pinyin, with typos, over the bundled conference."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.content.loader import load_content
from bot.content.programme import Programme
from bot.content.schema import Talk
from bot.search import SearchIndex, pinyin_of
from bot.settings import BUNDLED_CONTENT
from tests.factories import small_programme

BUNDLED = load_content(BUNDLED_CONTENT)
INDEX = SearchIndex(BUNDLED)


def _talk_ids(query: str, limit: int = 10) -> list[int]:
    return [h.talk.id for h in INDEX.search(query, limit) if h.talk is not None]


def _distinctive_word(talk: Talk, programme: Programme) -> str:
    """A word of the title that no other talk's title contains (derived from the data)."""
    titles = {t.id: t.title.casefold() for t in programme.talks}
    candidates = re.findall(r"[A-Za-z][A-Za-z0-9-]{3,}", talk.title)
    candidates += [talk.title[i : i + n] for n in (4, 3, 2) for i in range(len(talk.title) - n + 1)
                   if re.fullmatch(r"[\u4e00-\u9fff]+", talk.title[i : i + n])]
    for word in candidates:
        w = word.casefold()
        if w.strip() and all(w not in title for tid, title in titles.items() if tid != talk.id):
            return word
    raise AssertionError(f"talk {talk.id} has no distinctive title word")


@pytest.mark.parametrize("talk", BUNDLED.talks, ids=lambda t: f"talk{t.id}")
def test_every_talk_is_found_by_speaker_title_word_and_pinyin(talk: Talk) -> None:
    speaker = BUNDLED.speakers_of(talk)[0]
    assert talk.id in _talk_ids(speaker.name, 5)
    word = _distinctive_word(talk, BUNDLED)
    assert _talk_ids(word, 3)[0] == talk.id, word
    syllables = pinyin_of(speaker.name)
    assert talk.id in _talk_ids(syllables, 5)
    spaced = speaker.name_en or syllables
    assert talk.id in _talk_ids(spaced, 5) and talk.id in _talk_ids(spaced.lower(), 5)


@pytest.mark.parametrize(
    ("query", "title_part"),
    [("网络抖动", "网络抖动"), ("nettrace", "nettrace"), ("DeepFlow", "DeepFlow"), ("deepflw", "DeepFlow"),
     ("surftrce", "surftrace"), ("SURFTRACE", "surftrace"), ("embedshim", "容器进程")],
)
def test_named_queries_put_the_right_talk_first(query: str, title_part: str) -> None:
    top = INDEX.search(query, 3)[0]
    assert top.talk is not None and title_part.casefold() in (top.talk.title + (top.talk.abstract or "")).casefold()


@pytest.mark.parametrize(("query", "tag"), [("容器", "容器"), ("安全", "安全"), ("security", "security"),
                                            ("XDP", "XDP"), ("xdp", "XDP"), ("Xdp", "XDP")])
def test_topic_queries_find_every_tagged_talk(query: str, tag: str) -> None:
    tagged = {t.id for t in BUNDLED.talks if tag in t.tags or tag in t.tags_zh}
    assert tagged and tagged <= set(_talk_ids(query, 40))


def test_speaker_hit_comes_first_for_a_name() -> None:
    first = INDEX.search("chen lijun")[0]
    assert first.kind == "speaker" and first.speaker is not None and first.speaker.name == "陈莉君"


def test_title_hit_outranks_abstract_only_hit() -> None:
    hits = INDEX.search("surftrace", 10)
    assert hits[0].matched == "title"
    assert all(h.score <= hits[0].score for h in hits)


def test_nothing_found_gives_empty_results_and_useful_suggestions() -> None:
    assert INDEX.search("zzqqxxjj") == []
    ideas = INDEX.suggest("zzqqxxjj")
    assert ideas and all(INDEX.search(i) for i in ideas)
    assert "security" in INDEX.suggest("securityy")


def test_find_speakers_by_name_pinyin_and_typo() -> None:
    assert [s.id for s in INDEX.find_speakers("陈莉君")] == ["chenlijun"]
    assert [s.id for s in INDEX.find_speakers("Chen Lijun")] == ["chenlijun"]
    assert INDEX.find_speakers("liaozhaoyn")[0].id == "liaozhaoyan"
    assert INDEX.find_speakers("nobody-here-at-all") == []


def test_cancelled_talks_rank_lower() -> None:
    programme = small_programme()
    talks = [t.model_copy(update={"cancelled": t.id == 4}) for t in programme.talks]
    index = SearchIndex(Programme.from_content(
        __import__("tests.factories", fromlist=["x"]).small_content().model_copy(update={"talks": talks})))
    ids = [h.talk.id for h in index.search("networking") if h.talk]
    assert ids.index(2) < ids.index(4)


def test_tags_let_english_queries_find_chinese_talks() -> None:
    counts = Counter(tag for t in BUNDLED.talks for tag in t.tags)
    for tag in ("networking", "security", "observability", "tracing", "scheduling", "containers", "hardware", "tooling"):
        assert counts[tag] >= 1, tag
        titles = [h.talk.title for h in INDEX.search(tag, 10) if h.talk is not None]
        assert any(re.search(r"[\u4e00-\u9fff]", title) for title in titles), tag
