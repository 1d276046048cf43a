"""Pinyin as typed: tone marks, tone numbers, ü, syllable boundaries and initials."""

from __future__ import annotations

from bot.programme.search.pinyin import initials, is_pinyin, runs, strip_marks, strip_tone_numbers, syllables


def test_tone_marks_and_umlaut_come_off_latin_only() -> None:
    assert strip_marks("Chén Lìjūn") == "Chen Lijun"
    assert strip_marks("lǜ nǚ") == "lu nu"
    assert strip_marks("陈莉君 café") == "陈莉君 cafe"
    assert strip_marks("プログラム") == "プログラム"  # kana voicing marks are not Latin accents


def test_tone_numbers_come_off_pinyin_but_not_other_words() -> None:
    assert strip_tone_numbers("chen2") == "chen"
    assert strip_tone_numbers("li4jun1") == "lijun"
    assert strip_tone_numbers("chen2lijun") == "chenlijun"
    for word in ("k8s", "ext4", "md5", "arm64", "x86", "s390x", "ipv6", "chen", "2024"):
        assert strip_tone_numbers(word) == word


def test_syllables_runs_and_initials() -> None:
    assert syllables("陈莉君") == ["chen", "li", "jun"]
    assert syllables("吕绿") == ["lu", "lu"]  # ü is written u, as the tone-stripped query has it
    assert runs(["chen", "li", "jun"]) == {"chen", "li", "jun", "chenli", "lijun", "chenlijun"}
    assert runs(["a", "b", "c"], 2) == {"a", "b", "c", "ab", "bc"}
    assert initials(["chen", "li", "jun"]) == "clj"


def test_whole_syllables_are_told_from_a_partly_typed_name() -> None:
    assert is_pinyin("chenlijun") and is_pinyin("chen") and is_pinyin("xian")
    assert not is_pinyin("chenl") and not is_pinyin("k8s") and not is_pinyin("")
