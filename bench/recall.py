"""First-hit recall of search on queries as people type them (issue 24), over the bundled conference.

Run: ``python bench/recall.py`` (or ``python -m bench.recall``); ``--set PATH`` for another query
file of the same shape (``tests/data/recall_people.yaml`` by default), ``--misses`` to list what
each miss found instead. Prints one table row per kind of query and a total: queries, first hits,
recall. Nothing here asserts; ``tests/programme/search/test_recall_people.py`` does (>= 98 %).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.table import print_table  # noqa: E402
from bot.programme.content.loader import load_content  # noqa: E402
from bot.programme.search import Hit, SearchIndex  # noqa: E402
from bot.settings import BUNDLED_CONTENT  # noqa: E402

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "recall_people.yaml"


def first_hit(index: SearchIndex, query: str) -> str:
    """``talk <id>``, ``speaker <id>`` or ``nothing``: what a person sees first."""
    hits = index.search(query, 1)
    return describe(hits[0]) if hits else "nothing"


def describe(hit: Hit) -> str:
    if hit.talk is not None:
        return f"talk {hit.talk.id}"
    assert hit.speaker is not None
    return f"speaker {hit.speaker.id}"


def main() -> None:
    """Print the recall table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=QUERIES, help="the query file (kind: [[query, first hit], ...])")
    parser.add_argument("--misses", action="store_true", help="also list each miss and what came first")
    args = parser.parse_args()
    index = SearchIndex(load_content(BUNDLED_CONTENT))
    sets: dict[str, list[list[str]]] = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    rows, misses, total, found = [], [], 0, 0
    for kind, cases in sets.items():
        hits = 0
        for query, expected in cases:
            got = first_hit(index, query)
            hits += got == expected
            if got != expected:
                misses.append(f"{kind}: {query!r} expected {expected}, got {got}")
        rows.append({"kind": kind, "queries": len(cases), "first hit": hits, "recall": f"{hits / len(cases):.1%}"})
        total, found = total + len(cases), found + hits
    rows.append({"kind": "**all**", "queries": total, "first hit": found, "recall": f"**{found / total:.1%}**"})
    print_table(rows)
    if args.misses:
        print(*misses, sep="\n")


if __name__ == "__main__":
    main()
