"""Latency of agenda lookups and search: bundled content and a generated 2 000-talk programme.

Run: ``python -m bench.lookups``. Prints p50 / p99 per operation; targets (p99): < 1 ms on
the bundled content, < 5 ms at 2 000 talks.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from bench.generate import generate
from bot import agenda
from bot.content.loader import load_content
from bot.content.programme import Programme
from bot.search import SearchIndex
from bot.settings import BUNDLED_CONTENT

QUERIES = ["网络抖动", "容器", "安全", "chenlijun", "chen lijun", "security", "XDP", "nettrace", "DeepFlow",
           "deepflw", "surftrce", "kprobe tracing", "zzqqxx", "王伟"]


def measure(fn: Callable[[int], object], iterations: int) -> tuple[float, float]:
    """p50 and p99 in microseconds over ``iterations`` calls (after a warm-up)."""
    for i in range(min(200, iterations)):
        fn(i)
    samples = []
    for i in range(iterations):
        t0 = time.perf_counter_ns()
        fn(i)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def operations(programme: Programme) -> dict[str, Callable[[int], object]]:
    """The lookups an attendee triggers, each varied by the iteration number."""
    index = SearchIndex(programme)
    talks = list(programme.talks)
    days = programme.days()
    speakers = list(programme.speakers.values())
    first = talks[0].start
    span = (talks[-1].start - first).total_seconds()
    tracks = [t.id for t in programme.conference.tracks]
    rooms = [r.id for r in programme.conference.rooms]

    def at(i: int):  # type: ignore[no-untyped-def]
        return first + timedelta(seconds=(i * 977) % max(1, int(span)))

    return {
        "talk by id": lambda i: programme.talk(talks[i % len(talks)].id),
        "agenda of a day": lambda i: agenda.day_items(programme, days[i % len(days)]),
        "now (running)": lambda i: agenda.running(programme, at(i)),
        "next per room": lambda i: agenda.next_per_room(programme, at(i)),
        "upcoming": lambda i: agenda.upcoming(programme, at(i)),
        "parallel talks": lambda i: agenda.parallel(programme, talks[i % len(talks)]),
        "by track": lambda i: agenda.by_track(programme, tracks[i % len(tracks)]) if tracks else None,
        "by room": lambda i: agenda.by_room(programme, rooms[i % len(rooms)]),
        "speaker lookup": lambda i: index.find_speakers(speakers[i % len(speakers)].name),
        "search (mixed)": lambda i: index.search(QUERIES[i % len(QUERIES)]),
    }


def main() -> None:
    """Print the results table."""
    cases = [("bundled (29 talks)", load_content(BUNDLED_CONTENT), 1000.0, 3000),
             ("generated (2000 talks)", generate(2000), 5000.0, 600)]
    print(f"| programme | operation | p50 µs | p99 µs | target p99 µs | met |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for label, programme, target, iterations in cases:
        for name, fn in operations(programme).items():
            p50, p99 = measure(fn, iterations)
            print(f"| {label} | {name} | {p50:.1f} | {p99:.1f} | {target:.0f} | {'yes' if p99 < target else 'NO'} |")


if __name__ == "__main__":
    main()
