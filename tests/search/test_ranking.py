"""Search, speaker lookup and suggestions on small programmes built in code."""

from __future__ import annotations

import pytest

from bot.content.programme import Programme
from bot.content.schema import Speaker, Talk
from bot.search import SearchIndex
from tests.factories import small_content, small_programme


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(small_programme())


def talk_ids(index: SearchIndex, query: str, limit: int = 10) -> list[int]:
    return [h.talk.id for h in index.search(query, limit) if h.talk is not None]


def with_talks(*talks: Talk, speakers: list[Speaker] | None = None) -> SearchIndex:
    content = small_content()
    return SearchIndex(
        Programme.from_content(
            content.model_copy(
                update={"talks": list(talks), "speakers": speakers if speakers is not None else content.speakers}
            )
        )
    )


def test_title_hit_beats_abstract_only_hit() -> None:
    index = with_talks(
        Talk(id=1, title="Tuning the scheduler", abstract="We use kprobes everywhere.", speakers=["alice"]),
        Talk(id=2, title="kprobes in depth", abstract="A tour.", speakers=["alice"]),
    )
    hits = index.search("kprobes")
    assert [h.talk.id for h in hits if h.talk] == [2, 1]
    assert hits[0].matched == "title" and hits[1].matched == "abstract"
    assert hits[0].score > hits[1].score


def test_exact_word_beats_a_typo_and_a_word_inside_another() -> None:
    index = with_talks(
        Talk(id=1, title="Running AF_XDP sockets", speakers=["alice"]),
        Talk(id=2, title="XDP load balancing", speakers=["alice"]),
    )
    assert talk_ids(index, "xdp") == [2, 1]
    typo = index.search("balancng")
    assert [h.talk.id for h in typo if h.talk] == [2]
    assert typo[0].score < index.search("balancing")[0].score


def test_cancelled_talks_rank_lower(index: SearchIndex) -> None:
    content = small_content()
    talks = [t.model_copy(update={"cancelled": t.id == 2}) for t in content.talks]
    cancelled = with_talks(*talks)
    assert talk_ids(index, "networking").index(2) < talk_ids(index, "networking").index(4)
    assert talk_ids(cancelled, "networking").index(4) < talk_ids(cancelled, "networking").index(2)


def test_more_terms_matched_ranks_higher(index: SearchIndex) -> None:
    ids = talk_ids(index, "networking jitter")
    assert ids[0] == 4  # has both words; talk 2 only "networking"
    assert 2 in ids


def test_full_width_and_mixed_case_queries_find_the_same(index: SearchIndex) -> None:
    expected = talk_ids(index, "XDP")
    assert expected and expected[0] == 2
    for query in ("xdp", "Xdp", "ＸＤＰ", "xDp"):
        assert talk_ids(index, query) == expected


def test_chinese_substring_and_phrase_pieces(index: SearchIndex) -> None:
    assert talk_ids(index, "抖动")[0] == 4
    assert talk_ids(index, "网络抖动")[0] == 4
    assert talk_ids(index, "排查网络抖动")[0] == 4  # words in another order still find it, lower
    assert talk_ids(index, "网络抖动")[:1] == talk_ids(index, "网络  抖动")[:1]


def test_pinyin_finds_names_and_titles(index: SearchIndex) -> None:
    for query in ("chenlijun", "chen lijun", "Chen Lijun", "CHENLIJUN"):
        hits = index.search(query)
        assert hits[0].kind == "speaker" and hits[0].speaker and hits[0].speaker.id == "chenlijun", query
        assert {1, 4} <= set(talk_ids(index, query)), query
    assert talk_ids(index, "wangluo doudong")[0] == 4
    assert index.search("chenlijun")[1].matched == "pinyin"


def test_same_sound_chinese_typo_still_finds(index: SearchIndex) -> None:
    assert index.search("陈丽君")[0].speaker.id == "chenlijun"  # type: ignore[union-attr]
    assert talk_ids(index, "调度器观侧")[0] == 5  # 侧 for 测: pieces of the phrase


def test_nothing_found_is_empty_and_suggestions_find_something(index: SearchIndex) -> None:
    assert index.search("zzqqxxjj") == []
    assert index.search("") == [] and index.search("？！") == []
    ideas = index.suggest("zzqqxxjj")
    assert ideas and all(index.search(idea) for idea in ideas)
    assert "networking" in index.suggest("netwroking")
    assert "调度" in index.suggest("掉度")  # same sound
    assert "陈莉君" in index.suggest("chenlijnu")


def test_find_speakers_by_name_pinyin_substring_and_typo(index: SearchIndex) -> None:
    def ids(name: str) -> list[str]:
        return [s.id for s in index.find_speakers(name)]

    for name in ("陈莉君", "chenlijun", "chen lijun", "Chen  LIJUN", "陈丽君"):
        assert ids(name) == ["chenlijun"], name
    assert ids("alice") == ["alice"]  # part of "Alice Wang"
    assert ids("alcie wang") == ["alice"]  # a typo
    assert ids("莉君") == ["chenlijun"]
    assert ids("nobody-here-at-all") == [] and ids("") == []


def test_speaker_fields_are_searched() -> None:
    speakers = [Speaker(id="bob", name="鲍勃", affiliation="示例大学", bio="负责 Tetragon 运维")]
    index = with_talks(Talk(id=1, title="一次分享", speakers=["bob"]), speakers=speakers)
    assert [(h.talk.id, h.matched) for h in index.search("示例大学") if h.talk] == [(1, "affiliation")]
    assert [(h.talk.id, h.matched) for h in index.search("tetragon") if h.talk] == [(1, "bio")]


def test_limit_is_respected(index: SearchIndex) -> None:
    assert len(index.search("ebpf", limit=2)) == 2
    assert index.search("ebpf", limit=0) == []


def test_a_word_every_talk_has_does_not_decide_a_long_query() -> None:
    talks = [
        Talk(id=i, title=f"eBPF {topic}", abstract="eBPF everywhere", speakers=["bob"])
        for i, topic in enumerate(["XDP jitter", "XDP tuning", "jitter hunting", "scheduler", "LSM"], start=1)
    ]
    index = with_talks(*talks, speakers=[Speaker(id="bob", name="Bob")])
    assert talk_ids(index, "eBPF XDP jitter")[0] == 1
    assert talk_ids(index, "eBPF XDP jitter")[:3] == talk_ids(index, "XDP jitter")[:3]
    assert set(talk_ids(index, "eBPF XDP jitter")) == {1, 2, 3}  # "ebpf" alone no longer pulls in 4 and 5
