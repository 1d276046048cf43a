"""The content watcher: an edit to the content files is applied by itself, and subscribers are told."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.programme.content.loader import load_content
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import write_content as _write_content
from tests.fakes.senders import RecordingSender
from tests.helpers import ask


async def test_content_edit_is_picked_up_and_announced(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    _write_content(content_dir)
    settings = Settings(_env_file=None, content=content_dir)  # type: ignore[call-arg]
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.migrate()
    from tests.conftest import SHANGHAI

    clock = FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI))
    core = Core(settings, db, load_content(content_dir), clock)
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender})
    await runtime.start()
    try:
        ask(core, "/subscribe 2", locale="en")
        time.sleep(0.01)
        _write_content(content_dir, "2026-12-12 15:00")
        await runtime.service("content_watch").tick()  # the 5-second watcher job, run now: it sees the change
        assert core.programme.talk(2).start.hour == 10  # not read until it has held still a tick
        await runtime.service("content_watch").tick()
        await runtime.dispatch_now()
        assert core.programme.talk(2).start.hour == 15
        assert any("moved to Sat 12 Dec 15:00" in t for t in sender.texts())
        (content_dir / "content.yaml").write_text("talks: [\n", encoding="utf-8")  # a broken edit
        await runtime.service("content_watch").tick()
        await runtime.service("content_watch").tick()
        assert core.programme.talk(2).start.hour == 15  # the previous programme is kept
    finally:
        await runtime.stop()
        db.dispose()
