"""``confbot content check|import`` refuse a FIFO, a device or an oversized file by name, without
waiting on it or reading it whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.content import app
from tests.factories import write_content

runner = CliRunner()


def test_check_refuses_a_fifo_in_the_folder_without_waiting_for_a_writer(tmp_path: Path) -> None:
    write_content(tmp_path)
    os.mkfifo(tmp_path / "talks.yaml")
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "talks.yaml: a FIFO (named pipe), not a regular file; not read" in result.output


def test_check_of_a_fifo_named_directly_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "schedule.json")
    result = runner.invoke(app, ["check", str(tmp_path / "schedule.json")])
    assert result.exit_code == 1 and "a FIFO (named pipe), not a regular file" in result.output


def test_import_refuses_a_device(tmp_path: Path) -> None:
    (tmp_path / "schedule.json").symlink_to("/dev/zero")
    result = runner.invoke(app, ["import", str(tmp_path / "schedule.json"), "--output", str(tmp_path / "out")])
    assert result.exit_code == 1 and "a character device, not a regular file; not read" in result.output


def test_check_names_the_limit_it_refused_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_content(tmp_path)
    monkeypatch.setenv("CONFBOT_CONTENT_MAX_BYTES", "1000")
    result = runner.invoke(app, ["check", str(tmp_path)])
    size = (tmp_path / "content.yaml").stat().st_size
    assert result.exit_code == 1
    assert f"content.yaml: too large: {size} bytes, over the limit of 1000 bytes" in result.output
