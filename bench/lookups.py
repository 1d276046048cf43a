"""Latency of agenda lookups and search: bundled content and a generated 2 000-talk programme.

Run: ``python bench/lookups.py`` (or ``python -m bench.lookups``); ``--quick`` for a short run.
Prints one table row per operation and programme: p50 and p99 in microseconds, measured with
``time.perf_counter_ns`` after a warm-up (``--cpu``: this process's CPU time, for a shared,
overloaded machine where the wall clock also counts other processes' time slices). Targets
(p99): under 1 ms on the bundled content, under 5 ms at 2 000 talks. Nothing here asserts: a
missed target shows as "NO".
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypinyin import Style, lazy_pinyin  # noqa: E402

from bench.generate import generate  # noqa: E402
from bot.programme import queries as agenda  # noqa: E402
from bot.programme.content.loader import load_content  # noqa: E402
from bot.programme.content.programme import Programme  # noqa: E402
from bot.programme.days import conference_day  # noqa: E402
from bot.programme.search import SearchIndex, pinyin_of  # noqa: E402
from bot.settings import BUNDLED_CONTENT  # noqa: E402

Op = Callable[[int], object]

# The examples, then kinds of query; the pinyin ones are added from the data.
CHINESE = ["网络抖动", "容器", "安全", "内核", "可观测性"]
ENGLISH = ["security", "XDP", "xdp", "Xdp", "ＸＤＰ", "nettrace", "DeepFlow", "deepflow", "kprobe", "cloud native"]
TYPOS = ["deepflw", "surftrce", "netrace", "securty", "kprobee"]
MULTI = ["kprobe tracing", "eBPF 网络 安全", "XDP load balancing", "容器 security"]
# issue #12: other word forms, abbreviations, Traditional and Taiwanese spellings, one character off
VARIANTS = [
    "scheduler",
    "sched_ext",
    "k8s security",
    "container runtime",
    "網絡抖動",
    "网路抖动",
    "容器運行時",
    "网终抖动",
]
NOTHING = ["zzqqxx", "量子计算", "blockchain"]
DAY_WORDS = ["明天", "第二天", "周日", "12月13日", "sunday", "tomorrow", "day 2", "Dec 13", "2026-12-13", "2"]


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of sorted samples, nearest rank."""
    return samples[min(len(samples) - 1, max(0, round(q * len(samples)) - 1))]


def measure(
    fn: Op, iterations: int, warmup: int = 200, clock: Callable[[], int] = time.perf_counter_ns
) -> tuple[float, float]:
    """p50 and p99 in microseconds over ``iterations`` calls of ``fn(i)``, timed by ``clock`` (ns)."""
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(iterations):
        t0 = clock()
        fn(i)
        samples.append((clock() - t0) / 1000)
    samples.sort()
    return percentile(samples, 0.5), percentile(samples, 0.99)


def cycle(items: list, call: Callable[[object], object]) -> Op:  # type: ignore[type-arg]
    """An op that calls ``call`` on the items in turn."""
    return lambda i: call(items[i % len(items)])


def operations(programme: Programme, index: SearchIndex) -> dict[str, Op]:
    """The lookups an attendee triggers, each varied by the iteration number."""
    talks = [t for t in programme.talks if t.start is not None]
    days = programme.days()
    speakers = list(programme.speakers.values())
    first, last = talks[0].start, talks[-1].end
    span = int((last - first).total_seconds())  # type: ignore[operator]
    instants = [first + timedelta(seconds=(i * 977) % span) for i in range(997)]  # type: ignore[operator]
    tracks = [t.id for t in programme.conference.tracks]
    rooms = [r.id for r in programme.conference.rooms]
    some = speakers[:: max(1, len(speakers) // 20)][:20]
    pinyin = [pinyin_of(s.name) for s in some] + [s.name_en or "" for s in some]
    toned = [" ".join(lazy_pinyin(s.name, style=Style.TONE)) for s in some[:10]]  # "chén lì jūn"
    initials = ["".join(p[0] for p in lazy_pinyin(s.name)) for s in some[:10]]  # "clj"
    names = [s.name for s in some] + pinyin + toned + initials + ["Chen  LIJUN", "liaozhaoyn", "zhang", "李", "chen"]
    kinds = {
        "Chinese": CHINESE,
        "pinyin": pinyin,
        "English/tags": ENGLISH,
        "typos": TYPOS,
        "multi-word": MULTI,
        "tones & initials": toned + initials,
        "variants": VARIANTS,
        "nothing found": NOTHING,
        "pasted passage": [t.abstract[:80] for t in talks[:: max(1, len(talks) // 5)] if t.abstract][:5],
    }
    mixed = [q for queries in kinds.values() for q in queries[:5]]  # each kind equally often
    ops: dict[str, Op] = {
        "Programme.talk(id)": cycle([t.id for t in talks], programme.talk),
        "Programme.speaker(id)": cycle([s.id for s in speakers], programme.speaker),
        "Programme.talks_of(speaker)": cycle([s.id for s in speakers], programme.talks_of),
        "agenda.day_items": cycle(days, lambda d: agenda.day_items(programme, d)),  # type: ignore[arg-type]
        "agenda.running (now)": cycle(instants, lambda at: agenda.running(programme, at)),  # type: ignore[arg-type]
        "agenda.next_per_room": cycle(instants, lambda at: agenda.next_per_room(programme, at)),  # type: ignore[arg-type]
        "agenda.upcoming (next)": cycle(instants, lambda at: agenda.upcoming(programme, at)),  # type: ignore[arg-type]
        "agenda.rooms_now (/now)": cycle(instants, lambda at: agenda.rooms_now(programme, at)),  # type: ignore[arg-type]
        "agenda.room_state (/room)": cycle(
            [(r, at) for r in rooms for at in instants[:10]],
            lambda ra: agenda.room_state(programme, *ra),  # type: ignore[misc]
        ),
        "agenda.is_over": cycle(instants, lambda at: agenda.is_over(programme, at)),  # type: ignore[arg-type]
        "days.conference_day": cycle(
            DAY_WORDS,
            lambda w: conference_day(w, days, days[0]),  # type: ignore[arg-type]
        ),
        "agenda.parallel": cycle(talks, lambda t: agenda.parallel(programme, t)),  # type: ignore[arg-type]
        "agenda.by_track": cycle(tracks, lambda t: agenda.by_track(programme, t)),  # type: ignore[arg-type]
        "agenda.by_room": cycle(rooms, lambda r: agenda.by_room(programme, r)),  # type: ignore[arg-type]
        "find_speakers": cycle(names, index.find_speakers),
    }
    for kind, queries in kinds.items():
        ops[f"search: {kind}"] = cycle(queries, index.search)
    ops["search (mixed, limit 25)"] = cycle(mixed, lambda q: index.search(q, 25))  # type: ignore[arg-type]

    def nothing_found(query: object) -> object:
        index.suggestions.clear_cache()  # measure the real work, not the cache a second ask hits
        return index.search(query, 25) or index.suggest(query)  # type: ignore[arg-type]

    ops["search, suggest if nothing found"] = cycle(NOTHING + [t + "zz" for t in TYPOS], nothing_found)
    return ops


def main() -> None:
    """Print the results table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time each call by this process's CPU time, not wall time: on a shared, overloaded machine "
        "the wall-clock p99 measures the other processes (time slices lost), not the lookup",
    )
    args = parser.parse_args()
    iterations = 300 if args.quick else 5000
    clock = time.process_time_ns if args.cpu else time.perf_counter_ns
    started = time.perf_counter()
    cases = [("bundled", load_content(BUNDLED_CONTENT), 1000.0), ("generated", generate(2000), 5000.0)]
    timer = "CPU time (process_time_ns)" if args.cpu else "wall time (perf_counter_ns)"
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores{load}, {iterations} iterations per row, {timer}\n"
    )
    print("| operation | programme | n | p50 µs | p99 µs | target p99 | met? |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for label, programme, target in cases:
        t0 = time.perf_counter()
        index = SearchIndex(programme)
        build_ms = (time.perf_counter() - t0) * 1000
        name = f"{label} ({len(programme.talks)} talks)"
        for op, fn in operations(programme, index).items():
            p50, p99 = measure(fn, iterations, clock=clock)
            print(
                f"| {op} | {name} | {iterations} | {p50:.1f} | {p99:.1f} | {target / 1000:.0f} ms |"
                f" {'yes' if p99 < target else 'NO'} |"
            )
        print(f"| SearchIndex build (once) | {name} | 1 | {build_ms * 1000:.0f} | – | – | – |")
    print(
        f"\ntotal {time.perf_counter() - started:.1f} s"
        + ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )


if __name__ == "__main__":
    main()
