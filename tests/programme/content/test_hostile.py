"""Hostile content files are refused by the check with file, place and limit, never read whole."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
import yaml

from bot.programme.content.bounded import ContentLimits
from bot.programme.content.loader import ContentError, load_content, load_content_file
from tests.factories import write_content

MB = 1024 * 1024


def _problem(path: Path, limits: ContentLimits | None = None) -> str:
    with pytest.raises(ContentError) as refused:
        load_content_file(path, limits)
    return str(refused.value)


def test_a_50_mb_talks_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    write_content(tmp_path)
    with (tmp_path / "talks.yaml").open("wb") as f:  # sparse: 50 MB on paper, nothing on disk
        f.truncate(50 * MB)
    tracemalloc.start()
    try:
        problem = _problem(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"talks.yaml: too large: {50 * MB} bytes, over the limit of {4 * MB} bytes" in problem
    assert "CONFBOT_CONTENT_MAX_BYTES" in problem
    assert peak < 4 * MB  # nothing near the file's size was held


def test_the_size_limit_is_a_setting(tmp_path: Path) -> None:
    write_content(tmp_path)
    size = (tmp_path / "content.yaml").stat().st_size
    problem = _problem(tmp_path, ContentLimits(max_bytes=size - 1))
    assert f"content.yaml: too large: {size} bytes, over the limit of {size - 1} bytes" in problem
    assert load_content(tmp_path, ContentLimits(max_bytes=size)).talks  # exactly at the limit: read


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]  # 10^10 once expanded
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    tracemalloc.start()
    try:
        problem = _problem(tmp_path / "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "bomb.yaml:4: YAML aliases expand to more than 10000 nodes" in problem
    assert peak < 2 * MB


@pytest.mark.parametrize("before", ["\ufeff", "# a comment &x\n", ""], ids=["byte-order mark", "comment", "plain"])
def test_an_alias_bomb_is_refused_however_the_file_begins(tmp_path: Path, before: str) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    (tmp_path / "bomb.yaml").write_text(before + "\n".join(lines) + "\n", encoding="utf-8")
    assert "YAML aliases expand to more than 10000 nodes" in _problem(tmp_path / "bomb.yaml")


def test_a_recursive_alias_after_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text("\ufefftalks: &t\n  - *t\n", encoding="utf-8")
    assert "loop.yaml:2: the YAML alias *t is inside its own anchor" in _problem(tmp_path / "loop.yaml")


def test_200_000_aliases_are_refused_at_the_101st(tmp_path: Path) -> None:
    text = "talks:\n  - &t {id: 1}\n" + "  - *t\n" * 200_000
    (tmp_path / "many.yaml").write_text(text)
    problem = _problem(tmp_path / "many.yaml")
    assert "many.yaml:103: more than 100 YAML aliases (*name) in one file" in problem


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text("talks: &t\n  - *t\n")
    assert "loop.yaml:2: the YAML alias *t is inside its own anchor" in _problem(tmp_path / "loop.yaml")


def test_a_few_ordinary_aliases_still_load(tmp_path: Path) -> None:
    write_content(tmp_path)
    data = yaml.safe_load((tmp_path / "content.yaml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(data, allow_unicode=True).replace("room: A", "room: &a A", 1).replace("room: A", "room: *a")
    (tmp_path / "content.yaml").write_text(text, encoding="utf-8")
    assert "*a" in text and len(load_content(tmp_path).talks) == 5


@pytest.mark.parametrize(("char", "name"), [("\x0c", "form feed U+000C"), ("\x00", "NUL U+0000")])
def test_a_control_character_is_a_content_error_with_file_and_line(tmp_path: Path, char: str, name: str) -> None:
    write_content(tmp_path)
    path = tmp_path / "content.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].rstrip("\n") + char + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    problem = _problem(tmp_path)
    assert f"content.yaml:6: {name} at column" in problem and "control characters are not allowed" in problem


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes(b"talks: []\n# caf\xe9\n")
    assert "latin.yaml:2: not UTF-8 text (byte 0xe9" in _problem(tmp_path / "latin.yaml")


def test_a_fifo_in_the_content_folder_is_refused_without_opening_it(tmp_path: Path) -> None:
    write_content(tmp_path)
    os.mkfifo(tmp_path / "talks.yaml")  # opening it for reading would wait for a writer forever
    assert "talks.yaml: a FIFO (named pipe), not a regular file; not read" in _problem(tmp_path)


def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    write_content(tmp_path)
    (tmp_path / "talks.yaml").symlink_to("/dev/zero")
    assert "talks.yaml: a symbolic link to /dev/zero, outside the content folder" in _problem(tmp_path)


def test_a_configured_file_that_is_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").symlink_to("/dev/zero")  # the configured path itself: followed, then checked
    assert "content.yaml: a character device, not a regular file; not read" in _problem(tmp_path / "content.yaml")


def test_a_symlink_inside_the_folder_is_read(tmp_path: Path) -> None:
    write_content(tmp_path / "real")
    folder = tmp_path / "content"
    folder.mkdir()
    (tmp_path / "real" / "content.yaml").rename(folder / "main.yml")
    (folder / "content.yaml").symlink_to("main.yml")
    with pytest.raises(ContentError) as twice:  # both names are read: the conference is defined twice
        load_content_file(folder)
    assert "conference is already defined" in str(twice.value)


def test_the_deadline_stops_a_slow_load(tmp_path: Path) -> None:
    write_content(tmp_path)
    ticks = iter(range(0, 10_000, 10))  # a fake clock: ten seconds pass at every look
    limits = ContentLimits(seconds=15, clock=lambda: float(next(ticks)))
    problem = _problem(tmp_path, limits)
    assert "took longer than its 15 s limit (CONFBOT_CONTENT_LOAD_SECONDS)" in problem


def test_yaml_nested_too_deeply_is_a_content_error(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("talks: " + "[" * 50_000 + "]" * 50_000 + "\n")
    problem = _problem(tmp_path / "deep.yaml")  # libyaml stops at its depth limit, PyYAML at Python's
    assert "deep.yaml" in problem and ("nested too deeply" in problem or "maximum nesting depth" in problem)
