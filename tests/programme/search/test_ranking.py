"""Search, speaker lookup and suggestions on small programmes built in code."""

from __future__ import annotations

import pytest

from bot.programme.content.programme import Programme
from bot.programme.content.schema import Speaker, Talk
from bot.programme.search import SearchIndex
from bot.programme.search.text import CJK
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
    talks = [t.model_copy(update={"cancelled": t.id == 4}) for t in content.talks]
    cancelled = with_talks(*talks)
    # talk 4 has "network" in its title, so it comes first while it takes place
    assert talk_ids(index, "networking").index(4) < talk_ids(index, "networking").index(2)
    assert talk_ids(cancelled, "networking").index(2) < talk_ids(cancelled, "networking").index(4)


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


def names_index(*names: str) -> SearchIndex:
    """One talk per Chinese-named speaker (ids are the pinyin)."""
    from pypinyin import lazy_pinyin

    speakers = [Speaker(id="".join(lazy_pinyin(n)), name=n) for n in names]
    talks = [Talk(id=i, title=f"分享{i}", speakers=[s.id]) for i, s in enumerate(speakers, start=1)]
    return with_talks(*talks, speakers=speakers)


def test_tone_marked_and_numbered_pinyin_find_the_speaker_and_talks(index: SearchIndex) -> None:
    for query in ("Chén Lìjūn", "chén lìjūn", "CHÉN LÌJŪN", "Chen Lìjūn", "chen2 li4 jun1", "chen2lijun"):
        hits = index.search(query)
        assert hits[0].speaker is not None and hits[0].speaker.id == "chenlijun", query
        assert {1, 4} <= set(talk_ids(index, query)), query
        assert [s.id for s in index.find_speakers(query)] == ["chenlijun"], query
    given = index.search("Lìjūn")
    assert given[0].speaker is not None and given[0].speaker.id == "chenlijun"
    assert {1, 4} <= set(talk_ids(index, "lìjūn"))


def test_initials_find_speakers_and_short_titles(index: SearchIndex) -> None:
    assert [s.id for s in index.find_speakers("clj")] == ["chenlijun"]
    hits = index.search("CLJ")
    assert hits[0].speaker is not None and hits[0].speaker.id == "chenlijun"
    assert {1, 4} <= set(talk_ids(index, "clj"))
    short = with_talks(
        Talk(id=1, title="容器安全", speakers=["alice"]),
        Talk(id=2, title="网络抖动排查", speakers=["alice"]),
    )
    assert talk_ids(short, "rqaq") == [1]
    assert talk_ids(short, "wlddpc") == [2]


def test_english_word_forms_find_each_other() -> None:
    index = with_talks(
        Talk(id=1, title="Tuning the scheduler", speakers=["alice"]),
        Talk(id=2, title="kprobes in depth", speakers=["alice"]),
        Talk(id=3, title="Scheduling latency", abstract="Our schedule", speakers=["alice"]),
    )
    for query in ("scheduler", "scheduling", "schedule", "schedulers", "Scheduled"):
        assert set(talk_ids(index, query)) == {1, 3}, query
    assert talk_ids(index, "kprobe") == [2]


def test_snake_and_kebab_case_words_are_found_by_their_parts() -> None:
    index = with_talks(
        Talk(id=1, title="A BPF scheduler", speakers=["alice"]),
        Talk(id=2, title="XDP load balancing", speakers=["alice"]),
        Talk(id=3, title="Extending the kernel", speakers=["alice"]),
    )
    assert talk_ids(index, "sched_ext")[0] == 1  # the longer part says more than "ext"
    assert talk_ids(index, "sched-ext")[0] == 1
    assert talk_ids(index, "load-balancing") == [2]
    whole = with_talks(
        Talk(id=1, title="A BPF scheduler", speakers=["alice"]),
        Talk(id=2, title="sched_ext in production", speakers=["alice"]),
    )
    assert talk_ids(whole, "sched_ext")[0] == 2  # written whole, it is found whole first


def test_abbreviations_and_what_a_phrase_names_are_searched() -> None:
    index = with_talks(
        Talk(id=1, title="Kernel security", speakers=["alice"]),
        Talk(id=2, title="Kubernetes security", speakers=["alice"]),
        Talk(id=3, title="Scaling k8s clusters", speakers=["alice"]),
        Talk(id=4, title="A WebAssembly runtime", speakers=["alice"]),
        Talk(id=5, title="containerd internals", speakers=["alice"]),
        Talk(id=6, title="Container networking", speakers=["alice"]),
    )
    assert talk_ids(index, "k8s security")[0] == 2
    assert {2, 3} <= set(talk_ids(index, "k8s"))
    assert {2, 3} <= set(talk_ids(index, "kubernetes"))
    assert talk_ids(index, "container runtime")[0] == 5


def test_traditional_and_taiwanese_spellings_find_simplified_text(index: SearchIndex) -> None:
    for query in ("網絡抖動", "網路抖動", "网路抖动", "網絡"):
        assert talk_ids(index, query)[0] == 4, query
    assert [s.id for s in index.find_speakers("陳莉君")] == ["chenlijun"]
    assert index.search("陳莉君")[0].speaker.id == "chenlijun"  # type: ignore[union-attr]


def test_a_one_character_variant_of_a_title_word_still_finds_the_talk(index: SearchIndex) -> None:
    assert talk_ids(index, "网终抖动")[0] == 4  # 终 for 络: neither the same sound nor a variant
    assert talk_ids(index, "可看测")[0] == 3  # the middle of three characters
    assert talk_ids(index, "调度器观则")[0] == 5


def test_partial_names_go_by_whole_syllables_and_characters() -> None:
    index = names_index("李强", "李洪林", "陈莉君", "陈辉", "张城", "杨金城", "赵晨雨", "张国强")

    def names(query: str) -> list[str]:
        return [s.name for s in index.find_speakers(query)]

    assert names("李") == ["李强", "李洪林"]
    assert names("张") == ["张城", "张国强"]
    assert set(names("Li")) == {"李强", "李洪林", "陈莉君"} and set(names("Li")[:2]) == {"李强", "李洪林"}
    assert names("chen")[:2] == ["陈辉", "陈莉君"] and set(names("chen")) == {"陈辉", "陈莉君", "赵晨雨"}
    assert names("cheng") == ["张城", "杨金城"]
    assert names("chenl") == ["陈莉君"]  # typing on: the start of the next syllable
    assert names("jincheng") == ["杨金城"]


def test_suggestions_follow_the_users_language(index: SearchIndex) -> None:
    chinese = index.suggest("zzqqxxjj", lang="zh")
    english = index.suggest("zzqqxxjj", lang="en")
    assert chinese and all(CJK.search(idea) for idea in chinese)
    assert english and not any(CJK.search(idea) for idea in english)


def test_a_short_entry_is_suggested_only_for_a_query_like_all_of_it() -> None:
    popular = ["security", "tracing", "networking", "storage", "profiling", "testing"]  # twice each
    index = with_talks(
        Talk(id=1, title="The LMP project", tags=["LMP"], speakers=["alice"]),
        *(Talk(id=i, title=f"Talk {i}", tags=[popular[i % 6]], speakers=["alice"]) for i in range(2, 14)),
    )
    assert "LMP" not in index.suggest("seccomp")  # WRatio finds "mp" of "seccomp" in it
    assert "LMP" in index.suggest("lmpp")


def test_english_abstracts_bios_and_affiliations_are_searched() -> None:
    speakers = [
        Speaker(
            id="bob", name="鲍勃", affiliation="示例大学", affiliation_en="Example University", bio_en="Runs Tetragon"
        )
    ]
    talk = Talk(id=1, title="一次分享", abstract="中文摘要", abstract_en="We replace iptables", speakers=["bob"])
    index = with_talks(talk, speakers=speakers)
    assert [(h.talk.id, h.matched) for h in index.search("iptables") if h.talk] == [(1, "abstract")]
    assert [(h.talk.id, h.matched) for h in index.search("tetragon") if h.talk] == [(1, "bio")]
    assert [(h.talk.id, h.matched) for h in index.search("university") if h.talk] == [(1, "affiliation")]
