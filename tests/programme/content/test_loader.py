"""Broken content files are reported with the file, the place and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.programme.content.loader import ContentError, load_content

CONF = "conference:\n  id: t\n  name: T\n  timezone: Asia/Shanghai\n  rooms: [{id: A, name: A}]\n"
SPEAKERS = "speakers:\n  - id: bob\n    name: Bob\n"


def _dir(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _error(path: Path) -> ContentError:
    with pytest.raises(ContentError) as info:
        load_content(path)
    return info.value


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    err = _error(_dir(tmp_path, conference=CONF, talks='talks:\n  - id: 1\n    title: "unclosed\n'))
    assert err.file.endswith("talks.yaml") and "YAML syntax error" in str(err)
    assert "talks.yaml:4" in str(err)


def test_bad_start_time_names_line_and_talk(tmp_path: Path) -> None:
    talks = SPEAKERS + "talks:\n  - id: 7\n    title: ok\n    speakers: [bob]\n    start: tomorrow-ish\n"
    err = _error(_dir(tmp_path, conference=CONF, talks=talks))
    assert "talks.yaml:8" in str(err) and "talk 7, field start" in str(err)
    assert err.place == "line 8, talk 7, field start"


def test_unknown_speaker_room_and_track_are_all_reported(tmp_path: Path) -> None:
    talks = SPEAKERS + (
        "talks:\n  - id: 3\n    title: x\n    speakers: [bob, carol]\n    room: Z\n"
        "    track: nope\n    start: 2026-12-12 09:00\n    duration: 30\n"
    )
    err = _error(_dir(tmp_path, conference=CONF, talks=talks))
    text = str(err)
    assert len(err.problems) == 3
    assert "talk 3, field speakers.1: unknown speaker id 'carol'" in text and "talks.yaml:7" in text
    assert "unknown room 'Z'" in text and "unknown track 'nope'" in text


def test_duplicate_talk_ids(tmp_path: Path) -> None:
    talks = "talks:\n  - id: 1\n    title: a\n  - id: 1\n    title: b\n"
    err = _error(_dir(tmp_path, conference=CONF, talks=talks))
    assert "duplicate talk id 1" in str(err) and "talks.yaml:4" in str(err)


def test_missing_conference_and_unknown_timezone(tmp_path: Path) -> None:
    assert "no conference section" in str(
        _error(_dir(tmp_path / "a" if (tmp_path / "a").mkdir() is None else tmp_path, talks="talks: []\n"))
    )
    bad_tz = CONF.replace("Asia/Shanghai", "Mars/Olympus")
    err = _error(_dir(tmp_path / "b" if (tmp_path / "b").mkdir() is None else tmp_path, conference=bad_tz))
    assert "conference.yaml:4" in str(err) and "unknown timezone 'Mars/Olympus'" in str(err)


def test_unknown_section_and_missing_path(tmp_path: Path) -> None:
    assert "unknown section 'talk'" in str(_error(_dir(tmp_path, conference=CONF, x="talk: []\n")))
    assert "no such file" in str(_error(tmp_path / "nowhere"))


def test_a_single_file_with_every_section_loads(tmp_path: Path) -> None:
    one = tmp_path / "conf.yaml"
    one.write_text(
        CONF + SPEAKERS + "talks:\n  - id: 1\n    title: t\n    speakers: [bob]\n    room: A\n"
        "    start: 2026-12-12 09:00\n    duration: 30\n",
        encoding="utf-8",
    )
    programme = load_content(one)
    talk = programme.talk(1)
    assert talk is not None and talk.start.utcoffset().total_seconds() == 8 * 3600
    assert talk.end is not None and (talk.end - talk.start).total_seconds() == 1800
