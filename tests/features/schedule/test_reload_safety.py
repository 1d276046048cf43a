"""The content watcher on a real directory, tick by tick: a missing, emptied, half-written or
gutted talks file never reaches subscribers; a real edit does, and a big one only when forced."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from adapters.cli import app
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.programme.content.loader import load_content
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage
from tests.conftest import SHANGHAI
from tests.factories import content_data
from tests.fakes.senders import RecordingSender
from tests.helpers import ask

SECTIONS = ("conference", "speakers", "talks", "breaks")


def write_talks(directory: Path, *, without: Iterable[int] = ()) -> str:
    """Write talks.yaml with the small programme's talks, minus ``without``; return its text."""
    talks = [t for t in content_data()["talks"] if t["id"] not in set(without)]
    text = yaml.safe_dump({"talks": talks}, allow_unicode=True)
    (directory / "talks.yaml").write_text(text, encoding="utf-8")
    return text


def write_split(directory: Path) -> None:
    """The small programme as a real conference keeps it: one file per section."""
    directory.mkdir(exist_ok=True)
    data = content_data()
    for section in SECTIONS:
        if section != "talks":
            (directory / f"{section}.yaml").write_text(
                yaml.safe_dump({section: data[section]}, allow_unicode=True), encoding="utf-8"
            )
    write_talks(directory)


@dataclass
class Watched:
    """A started runtime whose watcher looks at ``content`` when the test ticks it."""

    core: Core
    runtime: Runtime
    sender: RecordingSender
    content: Path
    database_url: str

    async def ticks(self, n: int = 2) -> None:
        """``n`` looks of the 5-second watcher (two: a change is read once it has held still)."""
        for _ in range(n):
            await self.runtime.service("content_watch").tick()

    def subscribe(self, who: str, talk_id: int) -> None:
        ask(self.core, f"/subscribe {talk_id}", who=Address("console", who, who), locale="en")

    def notices(self) -> list[tuple[str, str]]:
        """Every moved/cancelled notice ever queued: (kind, key)."""
        with self.core.db.session() as session:
            rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "reminder"))
            return sorted((r.kind, r.key) for r in rows)

    def pending_reminders(self) -> set[tuple[int, str]]:
        with self.core.db.session() as session:
            rows = session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "reminder", OutboxMessage.status == "pending")
            )
            return {(r.recipient_id, r.key) for r in rows}

    def talk_ids(self) -> list[int]:
        return sorted(t.id for t in self.core.programme.talks)


@pytest.fixture
async def watched(tmp_path: Path) -> AsyncIterator[Watched]:
    content = tmp_path / "content"
    write_split(content)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    settings = Settings(_env_file=None, content=content, database_url=url)  # type: ignore[call-arg]
    db = Database(url)
    db.migrate()
    core = Core(settings, db, load_content(content), FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI)))
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)  # the test ticks the watcher itself
    await runtime.start()
    try:
        yield Watched(core, runtime, sender, content, url)
    finally:
        await runtime.stop()
        db.dispose()


async def test_talks_file_renamed_away_and_back_changes_nothing(
    watched: Watched, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.features.schedule.watcher")
    watched.subscribe("ann", 2)
    watched.subscribe("bob", 5)
    reminders = watched.pending_reminders()
    talks, aside = watched.content / "talks.yaml", watched.content / "talks.yaml.swp"
    os.rename(talks, aside)  # gone and back between two looks: never even noticed
    os.rename(aside, talks)
    await watched.ticks()
    os.rename(talks, aside)  # gone for a whole settle interval: rejected by name
    await watched.ticks()
    assert "talks.yaml: missing, but it was there at the last successful load" in caplog.text
    assert watched.notices() == [] and watched.pending_reminders() == reminders
    assert watched.talk_ids() == [1, 2, 3, 4, 5]
    await watched.ticks()  # still gone: not logged again
    assert caplog.text.count("talks.yaml: missing") == 1
    os.rename(aside, talks)
    await watched.ticks()
    assert "content reloaded: moved: none; cancelled: none; notices queued: 0" in caplog.text
    assert watched.notices() == [] and watched.pending_reminders() == reminders  # no false "moved" either
    await watched.runtime.dispatch_now()
    assert watched.sender.delivered == []


async def test_one_talk_deleted_tells_exactly_its_subscribers(watched: Watched) -> None:
    watched.subscribe("ann", 5)
    watched.subscribe("cat", 5)
    watched.subscribe("bob", 2)
    write_talks(watched.content, without=[5])
    await watched.ticks()
    assert watched.talk_ids() == [1, 2, 3, 4]
    assert [key.split(":")[1] for _, key in watched.pending_reminders()] == ["2"]  # bob still reminded
    await watched.runtime.dispatch_now()
    for who in ("ann", "cat"):
        (text,) = watched.sender.texts(who)
        assert text.startswith("❌ Cancelled:\n#5 Watching the scheduler\nIt was on Sun 13 Dec 11:00")
    assert watched.sender.texts("bob") == []


async def test_a_file_written_slowly_is_read_only_once_whole(watched: Watched) -> None:
    watched.subscribe("ann", 5)
    full = write_talks(watched.content)
    half = yaml.safe_dump({"talks": content_data()["talks"][:4]}, allow_unicode=True)
    assert full.startswith(half)  # the first half alone is valid YAML: talks 1-4, talk 5 gone
    with (watched.content / "talks.yaml").open("w", encoding="utf-8") as f:
        f.write(half)
        f.flush()
        await watched.ticks(1)
        assert watched.talk_ids() == [1, 2, 3, 4, 5]
        f.write(full[len(half) :])
        f.flush()
        await watched.ticks(1)
        assert watched.talk_ids() == [1, 2, 3, 4, 5]
    await watched.ticks(1)
    assert watched.talk_ids() == [1, 2, 3, 4, 5] and watched.notices() == []
    await watched.ticks(1)
    assert watched.notices() == []


async def test_an_emptied_talks_list_is_rejected(watched: Watched, caplog: pytest.LogCaptureFixture) -> None:
    watched.subscribe("ann", 2)
    reminders = watched.pending_reminders()
    (watched.content / "talks.yaml").write_text("talks: []\n", encoding="utf-8")
    await watched.ticks()
    assert "content edit rejected" in caplog.text
    assert f"{watched.content}: talks: no talks, but 5 are announced" in caplog.text
    assert watched.talk_ids() == [1, 2, 3, 4, 5]
    assert watched.notices() == [] and watched.pending_reminders() == reminders


async def test_a_missing_speakers_file_is_rejected_by_name(watched: Watched, caplog: pytest.LogCaptureFixture) -> None:
    (watched.content / "speakers.yaml").unlink()
    await watched.ticks()
    assert "speakers.yaml: missing" in caplog.text and watched.talk_ids() == [1, 2, 3, 4, 5]


async def test_a_file_dropped_on_purpose_is_accepted_after_a_cli_reload(
    watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    (watched.content / "breaks.yaml").unlink()
    await watched.ticks()
    assert len(watched.core.programme.breaks) == 1  # rejected: missing
    monkeypatch.setenv("CONFBOT_CONTENT", str(watched.content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", watched.database_url)
    assert CliRunner().invoke(app, ["content", "reload"]).exit_code == 0  # the operator means it
    await watched.ticks(1)
    assert watched.core.programme.breaks == () and watched.notices() == []


async def test_removing_over_a_quarter_is_refused_until_forced(
    watched: Watched, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    watched.subscribe("ann", 4)
    watched.subscribe("bob", 5)
    watched.subscribe("cat", 2)
    write_talks(watched.content, without=[4, 5])
    await watched.ticks()
    assert caplog.records[-1].levelno == logging.ERROR
    assert (
        "content edit refused, keeping the previous programme: this reload would cancel 2 of 5 talks, more "
        "than 25%: #4 Hunting network jitter, #5 Watching the scheduler. Nothing was changed. If that is "
        "meant, apply it with `confbot content reload --force`."
    ) in caplog.text
    assert watched.talk_ids() == [1, 2, 3, 4, 5] and watched.notices() == []
    await watched.ticks()
    assert caplog.text.count("would cancel") == 1  # refused once, not every tick

    monkeypatch.setenv("CONFBOT_CONTENT", str(watched.content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", watched.database_url)
    runner = CliRunner()
    refused = runner.invoke(app, ["content", "reload"])
    assert refused.exit_code == 1 and "Refused: this reload would cancel 2 of 5 talks" in refused.output
    assert watched.notices() == []
    forced = runner.invoke(app, ["content", "reload", "--force"])
    assert forced.exit_code == 0 and "cancelled: [4, 5]" in forced.output, forced.output
    assert [(kind, key.split("@")[0]) for kind, key in watched.notices()] == [
        ("cancelled", "cancelled:4"),
        ("cancelled", "cancelled:5"),
    ]

    await watched.ticks(1)  # the running bot takes up what was forced, without announcing it again
    assert watched.talk_ids() == [1, 2, 3]
    assert len(watched.notices()) == 2
    await watched.runtime.dispatch_now()
    assert watched.sender.texts("ann")[0].startswith("❌ Cancelled:\n#4")
    assert watched.sender.texts("bob")[0].startswith("❌ Cancelled:\n#5")
    assert watched.sender.texts("cat") == []


async def test_start_up_with_the_talks_gone_queues_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = tmp_path / "content"
    write_split(content)
    url = f"sqlite:///{tmp_path / 's.db'}"
    settings = Settings(_env_file=None, content=content, database_url=url)  # type: ignore[call-arg]
    db = Database(url)
    db.migrate()
    clock = FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI))
    core = Core(settings, db, load_content(content), clock)
    runtime = Runtime(core, {}, periodic=False)
    await runtime.start()  # talks announced
    ask(core, "/subscribe 2", locale="en")
    await runtime.stop()
    (content / "talks.yaml").write_text("talks: []\n", encoding="utf-8")  # deployed mid-rsync
    runtime = Runtime(Core(settings, db, load_content(content), clock), {}, periodic=False)
    await runtime.start()
    try:
        assert "content at start-up not applied" in caplog.text and "no talks, but 5 are announced" in caplog.text
        with db.session() as session:
            kinds = sorted((r.kind, r.status) for r in session.scalars(select(OutboxMessage)))
        assert kinds == [("reminder", "pending")]
    finally:
        await runtime.stop()
        db.dispose()


async def test_an_edit_adding_a_conflict_warns_the_organizers_once(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_split(content)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    settings = Settings(_env_file=None, content=content, database_url=url, organizers=["console:org"])  # type: ignore[call-arg]
    db = Database(url)
    db.migrate()
    core = Core(settings, db, load_content(content), FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI)))
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)
    await runtime.start()
    try:
        ask(core, "/start", who=Address("console", "org", "org"), locale="en")
        talks = content_data()["talks"]
        next(t for t in talks if t["id"] == 4).update(start="2026-12-13 11:20", room="B")  # onto talk 5
        (content / "talks.yaml").write_text(yaml.safe_dump({"talks": talks}, allow_unicode=True), encoding="utf-8")
        for _ in range(4):
            await runtime.service("content_watch").tick()
        await runtime.dispatch_now()
        (warning,) = sender.texts("org")
        assert "was not applied" in warning and "talk 4" in warning and "overlap in room Hall B B厅 (B)" in warning
        assert "confbot content reload --force" in warning
        assert core.programme.talk(4).start.day == 13 and core.programme.talk(4).room == "A"  # type: ignore[union-attr]

        next(t for t in talks if t["id"] == 4).update(start="2026-12-13 14:00", room="A")  # fixed
        (content / "talks.yaml").write_text(yaml.safe_dump({"talks": talks}, allow_unicode=True), encoding="utf-8")
        for _ in range(2):
            await runtime.service("content_watch").tick()
        assert core.programme.talk(4).start.hour == 14  # type: ignore[union-attr]
        next(t for t in talks if t["id"] == 4).update(start="2026-12-13 11:20", room="B")  # and broken again
        (content / "talks.yaml").write_text(yaml.safe_dump({"talks": talks}, allow_unicode=True), encoding="utf-8")
        for _ in range(4):
            await runtime.service("content_watch").tick()
        await runtime.dispatch_now()
        assert len(sender.texts("org")) == 2  # warned again, still once for the repeated looks
    finally:
        await runtime.stop()
        db.dispose()


def _move_talk_2(directory: Path, start: str) -> None:
    talks = content_data()["talks"]
    next(t for t in talks if t["id"] == 2)["start"] = start
    (directory / "talks.yaml").write_text(yaml.safe_dump({"talks": talks}, allow_unicode=True), encoding="utf-8")


async def test_a_file_deleted_and_reloaded_at_once_leaves_later_edits_announced(
    watched: Watched, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the docs' way to drop a file: delete it and run `confbot content reload`, before the watcher looks
    watched.subscribe("ann", 2)
    (watched.content / "breaks.yaml").unlink()
    monkeypatch.setenv("CONFBOT_CONTENT", str(watched.content))
    monkeypatch.setenv("CONFBOT_DATABASE_URL", watched.database_url)
    assert CliRunner().invoke(app, ["content", "reload"]).exit_code == 0
    await watched.ticks()
    assert watched.core.programme.breaks == ()  # the running bot took the deletion up
    _move_talk_2(watched.content, "2026-12-12 15:00")  # a later, valid edit
    await watched.ticks()
    await watched.runtime.dispatch_now()
    assert watched.core.programme.talk(2).start.hour == 15  # type: ignore[union-attr]
    assert any("moved to Sat 12 Dec 15:00" in text for text in watched.sender.texts("ann"))


async def test_a_control_character_warns_the_organizers_once_and_the_next_valid_edit_is_applied(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    write_split(content)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    settings = Settings(_env_file=None, content=content, database_url=url, organizers=["console:org"])  # type: ignore[call-arg]
    db = Database(url)
    db.migrate()
    core = Core(settings, db, load_content(content), FakeClock(datetime(2026, 12, 12, 8, 0, tzinfo=SHANGHAI)))
    sender = RecordingSender()
    runtime = Runtime(core, {"console": sender}, periodic=False)
    await runtime.start()
    try:
        ask(core, "/start", who=Address("console", "org", "org"), locale="en")
        ask(core, "/subscribe 2", who=Address("console", "ann", "ann"), locale="en")
        text = write_talks(content)
        (content / "talks.yaml").write_text(text.replace("title:", "title: \f", 1), encoding="utf-8")
        for _ in range(6):  # half a minute of looks
            await runtime.service("content_watch").tick()
        await runtime.dispatch_now()
        (warning,) = sender.texts("org")  # once, not every 5 seconds
        assert "talks.yaml:" in warning and "form feed U+000C" in warning
        assert core.programme.talk(2).start.hour == 10  # type: ignore[union-attr]

        _move_talk_2(content, "2026-12-12 15:00")
        for _ in range(2):
            await runtime.service("content_watch").tick()
        await runtime.dispatch_now()
        assert core.programme.talk(2).start.hour == 15  # type: ignore[union-attr]
        assert any("moved to Sat 12 Dec 15:00" in t for t in sender.texts("ann"))
    finally:
        await runtime.stop()
        db.dispose()
