"""Repeated warnings and errors are limited in the log: the first few of a kind a minute, then one
line with the count; the one INFO line per request is never limited; secrets stay masked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from adapters.logs import REPEATS, RepeatFilter, build_handler
from adapters.redact import RedactingFilter

log = logging.getLogger("confbot.test.repeats")


class Clock:
    """A fake monotonic clock for the filter's windows."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def logged() -> Iterator[tuple[io.StringIO, RepeatFilter, Clock]]:
    """The production handler (as ``configure`` builds it) on a string, at the root, with a fake clock."""
    out, clock = io.StringIO(), Clock()
    handler, repeats = build_handler("text", out, now=clock)
    root = logging.getLogger()
    handler.addFilter(RedactingFilter(["xoxb-secret-token"]))  # last, as configure() puts it
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield out, repeats, clock
    root.setLevel(previous)
    root.removeHandler(handler)


def lines(out: io.StringIO) -> list[str]:
    return out.getvalue().splitlines()


def test_two_thousand_identical_errors_are_five_lines_and_one_count(
    logged: tuple[io.StringIO, RepeatFilter, Clock],
) -> None:
    out, _, clock = logged
    for update in range(2000):
        log.warning("telegram update %s not answered: 429 (token xoxb-secret-token)", update)
    assert len(lines(out)) == REPEATS == 5
    clock.now += 61
    log.info("handled telegram now in 3.1 ms")  # any later line ends the window
    *first, summary, info = lines(out)
    assert len(first) == 5 and "update 4 not answered" in first[-1]
    assert "WARNING confbot.test.repeats: 1995 more like this in 60 s were left out of the log" in summary
    assert "update 1999 not answered" in summary and "xoxb-secret-token" not in out.getvalue()
    assert info.endswith("handled telegram now in 3.1 ms")
    log.warning("telegram update %s not answered: 429 (token xoxb-secret-token)", 2000)  # a new window
    assert "update 2000" in lines(out)[-1]


def test_info_lines_and_different_kinds_are_not_limited_together(
    logged: tuple[io.StringIO, RepeatFilter, Clock],
) -> None:
    out, repeats, _ = logged
    for update in range(20):
        log.info("handled %s in %.1f ms", update, 1.0)
        log.warning("reply refused: %s", update, extra={"refusal": "429"})
        log.warning("reply refused: %s", update, extra={"refusal": "403"})
    text = out.getvalue()
    assert text.count("handled") == 20 and text.count("reply refused") == 10  # 5 of each refusal
    repeats.flush()  # at exit: what was held back is still counted
    assert [line.split(": ", 1)[1][:40] for line in lines(out)[-2:]] == [
        "15 more like this in 60 s were left out ",
        "15 more like this in 60 s were left out ",
    ]


def test_a_traceback_is_written_once_per_kind_and_summaries_are_json_too() -> None:
    out, clock = io.StringIO(), Clock()
    handler, repeats = build_handler("json", out, now=clock)
    log.addHandler(handler)
    log.propagate = False
    try:
        for _ in range(10):
            try:
                raise ValueError("boom")
            except ValueError:
                log.exception("update failed")
        repeats.flush()
    finally:
        log.removeHandler(handler)
        log.propagate = True
    records = [json.loads(line) for line in lines(out)]
    assert len(records) == 6 and sum("exc_info" in r for r in records) == 5
    assert records[-1]["level"] == "ERROR" and records[-1]["repeated"] == 5
