"""A hostile file in the content folder is refused in the watcher's worker thread: while the watcher
reads it, other people's requests on the same event loop are answered, and the bot keeps its programme."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.programme.content import loader
from bot.programme.content.loader import load_content
from bot.settings import Settings
from bot.storage.db import Database
from tests.conftest import SHANGHAI
from tests.factories import write_content
from tests.fakes.senders import RecordingSender


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _fifty_mb(path: Path) -> None:
    with path.open("wb") as f:  # sparse: nothing written to disk
        f.truncate(50 * 1024 * 1024)


@pytest.mark.parametrize(
    ("make", "refusal"),
    [
        (_fifo, "talks.yaml: a FIFO (named pipe), not a regular file; not read"),
        (_dev_zero, "talks.yaml: a symbolic link to /dev/zero, outside the content folder"),
        (_fifty_mb, "talks.yaml: too large: 52428800 bytes, over the limit of 4194304 bytes"),
    ],
)
async def test_a_hostile_file_is_refused_off_the_loop_while_others_are_answered(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    make: Callable[[Path], None],
    refusal: str,
) -> None:
    content = tmp_path / "content"
    write_content(content)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    settings = Settings(_env_file=None, content=content, database_url=url)  # type: ignore[call-arg]
    db = Database(url)
    db.migrate()
    core = Core(settings, db, load_content(content), FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI)))
    runtime = Runtime(core, {"console": RecordingSender()}, periodic=False)
    await runtime.start()
    watcher = runtime.service("content_watch")
    reading, release = threading.Event(), threading.Event()
    real_read = loader.read_bytes

    def held_read(path: Path, *, limit: int, root: Path | None = None) -> bytes:
        """The watcher's read, held until the test has been answered (where the load would be slow)."""
        reading.set()
        release.wait()
        return real_read(path, limit=limit, root=root)

    try:
        make(content / "talks.yaml")
        await watcher.tick()  # the change is seen; it is read once it has held still
        monkeypatch.setattr(loader, "read_bytes", held_read)
        look = asyncio.ensure_future(watcher.tick())
        await asyncio.to_thread(reading.wait)  # the watcher is reading, in its worker thread
        response = await core.respond_async(Request(Address("console", "bob", "bob"), text="/talk 1", locale="en"))
        assert "From the Linux kernel to eBPF" in str(response.replies[0])  # answered meanwhile
        assert not look.done()
        release.set()
        await look
    finally:
        release.set()
        await runtime.stop()
        db.dispose()
    assert refusal in caplog.text and "content edit rejected, keeping the previous programme" in caplog.text
    assert len(core.programme.talks) == 5
    assert caplog.records[-1].levelno == logging.ERROR
