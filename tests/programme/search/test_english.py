"""English word forms: stems, the parts of joined words, the synonym table."""

from __future__ import annotations

from bot.programme.search.english import PHRASES, SYNONYMS, parts, stem
from bot.programme.search.text import query_terms


def test_inflections_share_a_stem() -> None:
    assert stem("scheduler") == stem("scheduling") == stem("schedule") == stem("schedules")
    assert stem("networking") == stem("network")
    assert stem("xdp") == "xdp" and stem("af_xdp") == "af_xdp"  # short and joined words stay


def test_snake_and_kebab_case_split_into_parts() -> None:
    assert parts("sched_ext") == ["sched", "ext"]
    assert parts("eunomia-bpf") == ["eunomia", "bpf"]
    assert parts("kprobe") == []


def test_the_synonym_table_is_lowercase_searchable_text() -> None:
    for key, values in SYNONYMS.items():
        assert key == key.casefold() and values
        assert query_terms(key), key
        assert all(value == value.casefold() and query_terms(value) for value in values), key
    assert {key for key in SYNONYMS if " " in key} == PHRASES
    assert SYNONYMS["k8s"] == ("kubernetes",) and "k8s" in SYNONYMS["kubernetes"]
