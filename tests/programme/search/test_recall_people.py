"""Issue 24: queries as people type them (honorifics, chat wording, company names both ways, book-title
marks, pinyin, English, typos) get the talk or speaker they mean first, over the bundled conference."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.programme.content.loader import load_content
from bot.programme.search import SearchIndex
from bot.settings import BUNDLED_CONTENT

QUERIES = Path(__file__).resolve().parents[2] / "data" / "recall_people.yaml"
CASES: dict[str, list[list[str]]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
INDEX = SearchIndex(load_content(BUNDLED_CONTENT))


def first_hit(query: str) -> str:
    hits = INDEX.search(query, 1)
    if not hits:
        return "nothing"
    return f"talk {hits[0].talk.id}" if hits[0].talk else f"speaker {hits[0].speaker.id if hits[0].speaker else ''}"


def test_the_set_is_big_and_covers_every_kind_of_query() -> None:
    assert sum(len(cases) for cases in CASES.values()) >= 100
    assert {"honorifics", "chat", "companies", "titles", "pinyin", "english", "typos"} <= set(CASES)
    talks = {t.id for t in load_content(BUNDLED_CONTENT).talks}
    for cases in CASES.values():
        for _, expected in cases:
            kind, _, key = expected.partition(" ")
            assert kind == "speaker" or int(key) in talks, expected


def test_at_least_98_percent_of_people_get_what_they_meant_first() -> None:
    misses = [
        f"{query!r}: expected {expected}, got {got}"
        for cases in CASES.values()
        for query, expected in cases
        if (got := first_hit(query)) != expected
    ]
    total = sum(len(cases) for cases in CASES.values())
    assert (total - len(misses)) / total >= 0.98, misses
