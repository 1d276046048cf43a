"""Importing a FOSDEM-sized schedule, and search on what was imported.

Run: ``python -m bench.import_schedule [--runs 5]``. Builds a Pentabarf ``schedule.xml`` with
``bench.generate.fosdem_xml`` (1 000 talks in 40 rooms over two days, HTML abstracts), and the
same programme as a c3voc ``schedule.json`` (``bot.programme.content.frab.export_json``), then prints one
table: the median and worst of ``--runs`` imports per format (detecting, parsing, HTML to text,
ids, validation; the text converter's cache emptied before each), building the ``Programme`` and
the ``SearchIndex``, and p50/p99 of searches over the imported programme (titles, speakers,
tracks, typos, nothing found), in wall time and in CPU time (``thread_time``): on a shared
machine a wall p99 far above the CPU p99 is time spent waiting for a core. Nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import fosdem_xml  # noqa: E402
from bench.lookups import percentile  # noqa: E402
from bot.programme.content.frab import export_json  # noqa: E402
from bot.programme.content.importers import load_schedule, text  # noqa: E402
from bot.programme.content.programme import Programme  # noqa: E402
from bot.programme.search import SearchIndex  # noqa: E402

QUERIES = [
    "Rust", "PostgreSQL at scale", "kubernetes", "debugging production", "webassembly",
    "Peeters", "Maria Rossi", "mo", "postgres", "kubernets", "profilng", "RISC-V devroom",
    "open tools", "embedded devices", "zzqqxx", "量子计算",
]  # fmt: skip


def timed(runs: int, fn: object) -> tuple[float, float, object]:
    """Median and worst wall time in ms of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times), result


def _cold_import(data: bytes, name: str) -> object:
    """One import as a fresh process does it: the text converter's cache emptied first."""
    text._plain.cache_clear()
    return load_schedule(data, name, timezone="Europe/Brussels")


def main() -> None:
    """Print the table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="imports per format")
    parser.add_argument("--iterations", type=int, default=3000, help="searches per query kind")
    args = parser.parse_args()
    xml = fosdem_xml(1000, 40)
    first = Programme.from_content(load_schedule(xml, "fosdem.xml", timezone="Europe/Brussels"))
    as_json = json.dumps(export_json(first), ensure_ascii=False).encode()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print(
        f"{len(first.talks)} talks, {len(first.conference.rooms)} rooms, {len(first.speakers)} speakers, "
        f"{len(first.days())} days; Pentabarf XML {len(xml) // 1024} KiB, c3voc JSON {len(as_json) // 1024} KiB\n"
    )
    print("| step | format | runs | median ms | worst ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    programme = first
    for label, data, name in (("Pentabarf XML", xml, "fosdem.xml"), ("c3voc schedule.json v1", as_json, "fosdem.json")):
        med, worst, content = timed(args.runs, lambda d=data, n=name: _cold_import(d, n))
        print(
            f"| load_schedule (detect, parse, text, ids, validate) | {label} | {args.runs} | {med:.0f} | {worst:.0f} |"
        )
        med, worst, programme = timed(args.runs, lambda c=content: Programme.from_content(c))  # type: ignore[misc]
        print(f"| Programme.from_content | {label} | {args.runs} | {med:.0f} | {worst:.0f} |")
        med, worst, _ = timed(args.runs, lambda p=programme: SearchIndex(p))  # type: ignore[misc]
        print(f"| SearchIndex build | {label} | {args.runs} | {med:.0f} | {worst:.0f} |")
    index = SearchIndex(programme)  # type: ignore[arg-type]
    n = args.iterations
    print(
        "\n| search on the imported programme | n | p50 µs | p99 µs | CPU p99 µs |\n| --- | ---: | ---: | ---: | ---: |"
    )
    p50, p99, cpu99 = measure_both(lambda i: index.search(QUERIES[i % len(QUERIES)]), n)
    kinds = "titles, names, typos, nothing"
    print(f"| {len(QUERIES)} queries in turn ({kinds}) | {n} | {p50:.0f} | {p99:.0f} | {cpu99:.0f} |")
    p50, p99, cpu99 = measure_both(lambda i: index.find_speakers(QUERIES[5:8][i % 3]), n)
    print(f"| find_speakers (Peeters, Maria Rossi, mo) | {n} | {p50:.0f} | {p99:.0f} | {cpu99:.0f} |")
    slowest = []
    for query in QUERIES:
        p50, p99, cpu99 = measure_both(lambda i, q=query: index.search(q), max(50, n // 20))  # type: ignore[misc]
        slowest.append((p99, p50, cpu99, query))
    for p99, p50, cpu99, query in sorted(slowest, reverse=True)[:4]:
        print(f"| search {query!r} alone | {max(50, n // 20)} | {p50:.0f} | {p99:.0f} | {cpu99:.0f} |")


def measure_both(fn: Callable[[int], object], iterations: int, warmup: int = 50) -> tuple[float, float, float]:
    """Wall p50, wall p99 and CPU-time p99 in µs: a wall p99 far above the CPU one is the
    neighbours' load (the process was waiting for a core), not the search."""
    for i in range(warmup):
        fn(i)
    wall, cpu = [], []
    for i in range(iterations):
        w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        fn(i)
        cpu.append((time.thread_time_ns() - c0) / 1000)
        wall.append((time.perf_counter_ns() - w0) / 1000)
    wall.sort()
    cpu.sort()
    return percentile(wall, 0.5), percentile(wall, 0.99), percentile(cpu, 0.99)


if __name__ == "__main__":
    main()
