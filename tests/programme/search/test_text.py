"""Normalization, query terms and pinyin: what a typed query turns into."""

from __future__ import annotations

from bot.programme.search.text import index_keys, normalize, pinyin_of, query_terms


def test_full_width_and_case_are_folded() -> None:
    assert normalize("ＸＤＰ") == normalize("Xdp") == "xdp"
    assert normalize("ｅＢＰＦ　网络") == "ebpf 网络"  # full-width letters and the ideographic space


def test_chinese_runs_stay_whole_and_latin_words_split() -> None:
    assert query_terms("基于eBPF的网络抖动") == ["基于", "ebpf", "的网络抖动"]
    assert query_terms("  kprobe   Tracing kprobe ") == ["kprobe", "tracing"]
    assert query_terms("AF_XDP, CO-RE!") == ["af_xdp", "co-re"]
    assert query_terms("？！…") == []


def test_pinyin_of_names_and_titles() -> None:
    assert pinyin_of("陈莉君") == "chenlijun"
    assert pinyin_of("容器网络") == "rongqiwangluo"
    assert pinyin_of("Alice Wang") == "alicewang"


def test_index_keys_cover_chinese_characters_and_pairs() -> None:
    keys = set(index_keys(normalize("网络抖动 XDP")))
    assert {"网", "网络", "络抖", "抖动", "xdp"} <= keys
    assert "网络抖动" not in keys  # long phrases are checked against the text, not stored
