"""The issue's acceptance: every talk of the bundled conference can be found, and the named examples."""

from __future__ import annotations

import re
from itertools import combinations

import opencc
import pytest
from pypinyin import Style, lazy_pinyin

from bot.programme.content.loader import load_content
from bot.programme.content.schema import Talk
from bot.programme.search import SearchIndex, normalize
from bot.programme.search.english import stem
from bot.settings import BUNDLED_CONTENT

BUNDLED = load_content(BUNDLED_CONTENT)
INDEX = SearchIndex(BUNDLED)
TOP = 5  # "found" = among the first results a chat reply shows
# Characters that glue words together: a character pair holding one is not a word of its own.
PARTICLES = set("的与和在及之中于了是对为从到如何进行")
STOPWORDS = {"ebpf", "with", "from", "into", "over", "across", "what", "comes", "next", "lessons"}
TO_TRADITIONAL = {"characters": opencc.OpenCC("s2t"), "Taiwanese phrasing": opencc.OpenCC("s2twp")}
ABSTRACTS = normalize(" ".join(f"{t.abstract} {' '.join(t.outline)} {' '.join(t.takeaways)}" for t in BUNDLED.talks))


def talk_ids(query: str, limit: int = TOP) -> list[int]:
    return [h.talk.id for h in INDEX.search(query, limit) if h.talk is not None]


def titles_of(talk: Talk) -> str:
    return normalize(f"{talk.title} {talk.title_en or ''} {' '.join([*talk.tags, *talk.tags_zh])}")


def title_words(talk: Talk, language: str) -> list[str]:
    """Words of one of the talk's titles: Latin words, Chinese runs most likely to be words first.

    Chinese has no spaces; a run that recurs across the conference's abstracts is a word
    ("动态", "安全领域"), one that only straddles two words of this title ("态加") is not.
    """
    title = normalize(talk.title if language == "zh" else talk.title_en or "")
    latin = re.findall(r"[a-z][a-z0-9-]{3,}", title)
    grams = {
        title[i : i + n]
        for n in (2, 3, 4)
        for i in range(len(title) - n + 1)
        if re.fullmatch(r"[\u4e00-\u9fff]+", title[i : i + n]) and not PARTICLES & set(title[i : i + n])
    }
    chinese = sorted(grams, key=lambda g: (-ABSTRACTS.count(g) * len(g), g))
    common = [w for w in latin if w in STOPWORDS]  # last resort: "from" in "From the Linux Kernel to eBPF"
    return list(dict.fromkeys([*(w for w in latin if w not in STOPWORDS), *chinese, *common]))


def holders(words: tuple[str, ...]) -> list[int]:
    """Talks whose titles or tags contain all the words."""
    return [t.id for t in BUNDLED.talks if all(w in titles_of(t) for w in words)]


def distinctive_words(talk: Talk, language: str = "zh") -> tuple[str, ...]:
    """The fewest title words (one if there is one) that no other talk has in its titles or tags.

    Derived from the data: a talk like "eBPF在安全领域的应用" shares each of its words with
    another talk, so it is found by the combination ("安全 领域 应用").
    """
    words = title_words(talk, language)
    for size in (1, 2, 3):
        for combo in combinations(words, size):
            if holders(combo) == [talk.id]:
                return combo
    return ()


def pinyin_forms(name: str) -> list[str]:
    """The ways an attendee types a Chinese name in Latin letters: chenlijun, chen lijun, Chen Lijun."""
    syllables = lazy_pinyin(name)
    surname, given = syllables[0], "".join(syllables[1:])
    return ["".join(syllables), f"{surname} {given}", f"{surname.title()} {given.title()}", " ".join(syllables)]


def toned_forms(name: str) -> list[str]:
    """The name with tone marks or numbers: Chén Lìjūn, chén lìjūn, chen2 li4 jun1, chen2lijun1."""
    marked, numbered = lazy_pinyin(name, style=Style.TONE), lazy_pinyin(name, style=Style.TONE3)
    surname, given = marked[0], "".join(marked[1:])
    return [f"{surname.title()} {given.title()}", f"{surname} {given}", " ".join(numbered), "".join(numbered)]


VOCABULARY = {
    w for t in BUNDLED.talks for w in re.findall(r"[a-z]+", normalize(f"{t.title_en} {' '.join(t.tags)} {t.abstract}"))
}


def another_form(word: str) -> str:
    """The word inflected differently (same Snowball stem, not in the content), or the word itself."""
    if word.endswith(("ing", "ed")):
        base = word.removesuffix("ing").removesuffix("ed")
        forms = [f"{base}er", f"{base}e", f"{base}es", f"{base}ing", f"{base}s", base]
    elif word.endswith("s"):
        forms = [word[:-1], word[:-2]]
    else:
        forms = [f"{word}s", f"{word}es", f"{word}ing", f"{word.removesuffix('e')}ing"]
    for form in forms:
        if form != word and form not in VOCABULARY and stem(form) == stem(word):
            return form
    return word


@pytest.mark.parametrize("talk", BUNDLED.talks, ids=lambda t: f"talk{t.id}")
def test_every_talk_is_found_by_speaker_name_title_word_and_pinyin(talk: Talk) -> None:
    speakers = BUNDLED.speakers_of(talk)
    assert speakers, "every bundled talk has a speaker"
    for speaker in speakers:
        assert talk.id in talk_ids(speaker.name), speaker.name
        for form in pinyin_forms(speaker.name) + toned_forms(speaker.name):
            assert talk.id in talk_ids(form), form
            assert INDEX.find_speakers(form)[0] == speaker, form
        assert INDEX.find_speakers(speaker.name)[0] == speaker
        given = "".join(lazy_pinyin(speaker.name[1:], style=Style.TONE)).title()  # Lìjūn
        assert speaker in INDEX.find_speakers(given), given
        initials = "".join(s[0] for s in lazy_pinyin(speaker.name))  # clj
        assert speaker in INDEX.find_speakers(initials), initials
        assert talk.id in talk_ids(initials, 10), initials
        for script, converter in TO_TRADITIONAL.items():
            assert INDEX.find_speakers(converter.convert(speaker.name))[0] == speaker, script
    found_by = {language: distinctive_words(talk, language) for language in ("zh", "en")}
    assert any(found_by.values()), f"talk {talk.id}: no combination of its titles' words is distinctive"
    for words in found_by.values():
        if words:  # "从Linux内核到eBPF" shares every word with another talk; its English title doesn't
            assert holders(words) == [talk.id]  # it really is distinctive
            assert talk_ids(" ".join(words))[0] == talk.id, words
    if found_by["zh"]:
        simplified = " ".join(found_by["zh"])
        for script, converter in TO_TRADITIONAL.items():
            traditional = converter.convert(simplified)
            assert talk.id in talk_ids(traditional), (script, traditional)
    if found_by["en"]:
        inflected = " ".join(another_form(w) for w in found_by["en"])
        assert talk.id in talk_ids(inflected), inflected


def test_the_generated_forms_really_differ() -> None:
    """Most distinctive words have another English form and a Traditional spelling to test with."""
    english = [w for t in BUNDLED.talks for w in distinctive_words(t, "en")]
    assert sum(another_form(w) != w for w in english) >= len(english) / 2
    chinese = [w for t in BUNDLED.talks for w in distinctive_words(t, "zh")]
    assert sum(TO_TRADITIONAL["characters"].convert(w) != w for w in chinese) >= len(chinese) / 3
    names = [s.name for s in BUNDLED.speakers.values()]
    assert sum(TO_TRADITIONAL["characters"].convert(n) != n for n in names) >= len(names) / 3


@pytest.mark.parametrize("talk", BUNDLED.talks, ids=lambda t: f"talk{t.id}")
def test_a_title_word_with_one_character_changed_still_finds_its_talk(talk: Talk) -> None:
    unused = next(c for c in "曌龘靐齉" if c not in ABSTRACTS and all(c not in titles_of(t) for t in BUNDLED.talks))
    for word in distinctive_words(talk, "zh"):
        if 3 <= len(word) <= 8:
            for at in (1, len(word) - 1):
                changed = word[:at] + unused + word[at + 1 :]
                assert talk.id in talk_ids(changed), changed


def test_most_talks_have_a_single_distinctive_title_word() -> None:
    for language in ("zh", "en"):
        sizes = [len(distinctive_words(t, language)) for t in BUNDLED.talks]
        assert sizes.count(1) >= len(sizes) * 0.8, language


def having(text: str) -> set[int]:
    """Talks whose title or tags contain the text (case and width ignored)."""
    return {t.id for t in BUNDLED.talks if normalize(text) in titles_of(t)}


@pytest.mark.parametrize("query", ["网络抖动", "容器", "安全", "security", "XDP", "nettrace", "DeepFlow"])
def test_named_queries_find_every_talk_about_it_and_put_one_first(query: str) -> None:
    expected = having(query)
    assert expected, f"the bundled content mentions {query}"
    found = talk_ids(query, 40)
    assert expected <= set(found)
    assert found[0] in expected
    assert found[: len(expected)] == [i for i in found if i in expected]  # title/tag hits come before the rest


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("deepflw", "DeepFlow"),
        ("surftrce", "surftrace"),
        ("xdp", "XDP"),
        ("Xdp", "XDP"),
        ("ＸＤＰ", "XDP"),
        ("deepflow", "DeepFlow"),
        ("NETTRACE", "nettrace"),
    ],
)
def test_typos_mixed_case_and_full_width_find_the_same_talks(typed: str, meant: str) -> None:
    assert talk_ids(typed)
    assert talk_ids(typed)[0] == talk_ids(meant)[0]
    assert set(talk_ids(typed, 40)) >= having(meant)


def test_english_tags_find_chinese_talks() -> None:
    topics = ("networking", "security", "observability", "tracing", "scheduling", "containers", "hardware", "tooling")
    for tag in topics:
        tagged = {t.id for t in BUNDLED.talks if tag in t.tags}
        assert tagged and tagged <= set(talk_ids(tag, 40)), tag


def test_a_title_hit_outranks_an_abstract_only_hit() -> None:
    """Find, in the data, a word that is in one talk's title and only in another talk's abstract."""
    for talk in BUNDLED.talks:
        for word in set(re.findall(r"[a-z][a-z0-9-]{3,}", normalize(talk.title))) - {"ebpf"}:
            abstract_only = [
                t.id
                for t in BUNDLED.talks
                if word not in titles_of(t)
                and word in normalize(t.abstract)
                and word not in normalize(" ".join(f"{s.name} {s.affiliation} {s.bio}" for s in BUNDLED.speakers_of(t)))
            ]
            if abstract_only:
                ids = talk_ids(word, 40)
                assert ids.index(talk.id) < min(ids.index(i) for i in abstract_only), word
                return
    pytest.fail("no word is in one title and another abstract")


def test_nothing_found_gives_empty_results_and_useful_suggestions() -> None:
    assert INDEX.search("zzqqxxjj") == []
    ideas = INDEX.suggest("zzqqxxjj")
    assert ideas and all(INDEX.search(idea) for idea in ideas)
    assert "security" in INDEX.suggest("securty")
    assert "容器" in INDEX.suggest("容气")
    assert "陈莉君" in INDEX.suggest("chenlijnu")
    assert any("Observability" in idea or "observability" in idea for idea in INDEX.suggest("observabilty"))


def test_results_are_ranked_best_first() -> None:
    for query in ("eBPF", "网络", "chen", "kernel security", "容器 安全"):
        scores = [h.score for h in INDEX.search(query, 40)]
        assert scores == sorted(scores, reverse=True), query


def test_a_full_name_finds_that_speaker_not_everyone_sharing_a_syllable() -> None:
    for query in ("chen lijun", "Chen Lijun", "陈 莉君"):
        hits = INDEX.search(query, 40)
        assert hits[0].speaker is not None and hits[0].speaker.id == "chenlijun"
        talks = [h.talk for h in hits if h.talk is not None]
        assert talks and all("chenlijun" in t.speakers for t in talks), query
    surname = [s.id for s in INDEX.find_speakers("chen")]
    chens = {s.id for s in BUNDLED.speakers.values() if s.name.startswith("陈")}
    assert set(surname[: len(chens)]) == chens  # Chen Hui before Zhang Cheng


@pytest.mark.parametrize("talk", [t for t in BUNDLED.talks if len(t.abstract) >= 60], ids=lambda t: f"talk{t.id}")
def test_a_pasted_stretch_of_an_abstract_finds_its_talk_first(talk: Talk) -> None:
    assert talk_ids(talk.abstract[10:60])[0] == talk.id


def test_the_issues_examples_rank_the_talk_about_it_first() -> None:
    """k8s security, container runtime, scheduler/sched_ext, 网路抖动: the talks are found from the data."""

    def tagged(*tags: str) -> set[int]:
        return {t.id for t in BUNDLED.talks if set(tags) <= {normalize(tag) for tag in t.tags}}

    assert tagged("kubernetes", "security") and talk_ids("k8s security")[0] in tagged("kubernetes", "security")
    assert tagged("containerd") and talk_ids("container runtime")[0] in tagged("containerd")
    scheduling = having("scheduling")
    for query in ("scheduler", "schedule", "scheduling", "Schedulers", "sched_ext"):
        found = talk_ids(query, 40)
        assert scheduling <= set(found) and found[0] in scheduling, query
    jitter = having("网络抖动")
    for query in ("网路抖动", "網路抖動", "網絡抖動"):
        assert talk_ids(query)[0] in jitter, query


def test_suggestions_are_in_the_users_language_and_resemble_the_query() -> None:
    assert "LMP" not in INDEX.suggest("seccomp") and "LMP" not in INDEX.suggest("seccomp", lang="en")
    for query in ("seccomp", "zzqqxxjj", "量子计算"):
        chinese, english = INDEX.suggest(query, lang="zh"), INDEX.suggest(query, lang="en")
        assert chinese and all(re.search("[\u4e00-\u9fff]", idea) for idea in chinese), query
        assert english and not any(re.search("[\u4e00-\u9fff]", idea) for idea in english), query
