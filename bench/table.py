"""Printing benchmark results as a Markdown table (pasted into docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def print_table(rows: Sequence[Mapping[str, object]]) -> None:
    """One row per result, columns in the first row's key order."""
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + " --- |" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
