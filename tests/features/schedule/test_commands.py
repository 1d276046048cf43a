"""/move, /cancel (with undo) and /reload from chat: previews, one notice per subscriber, overrides
that survive restarts and reloads, and conflict refusals naming the clashing talk."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.chat.messages import Address, Reply
from bot.clock import FakeClock
from bot.core import Core
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme, reload_from_path
from bot.programme import overrides
from bot.programme.content.loader import load_content
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboxMessage, ScheduleOverride, User
from tests.conftest import SHANGHAI
from tests.factories import content_data
from tests.factories import write_content as _write_content
from tests.fakes.senders import RecordingSender
from tests.helpers import actions, ask, dispatcher_for, live_core, press

ORGANIZER = Address("console", "organizer", "organizer")
BOB = Address("console", "bob", "bob")
CAROL = Address("console", "carol", "carol")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    _write_content(directory)
    return directory


@pytest.fixture
def live(tmp_path: Path, content: Path, clock: FakeClock) -> Core:
    """A core built like `confbot run` builds it, its schedule announced, two subscribers of talk 4."""
    core = live_core(tmp_path, content, clock)
    ask(core, "/subscribe 4", who=BOB, locale="en")
    ask(core, "/subscribe 4", who=CAROL, locale="zh")
    return core


def _org(core: Core, text: str) -> Reply:
    return ask(core, text, who=ORGANIZER, locale="en")


def _confirm(core: Core, shown: Reply, clock: FakeClock) -> Reply:
    clock.advance(timedelta(seconds=5))  # an organizer reads the preview before pressing
    action = next(a for a in actions(shown) if a.startswith("confirm "))
    return press(core, action, who=ORGANIZER, locale="en")


def _notices(core: Core) -> Counter[tuple[str, str]]:
    """Moved/cancelled notices queued, per (recipient, kind)."""
    with core.db.session() as session:
        rows = session.execute(
            select(User.platform_user_id, OutboxMessage.kind)
            .join(User, User.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.kind.in_(["moved", "cancelled"]))
        ).all()
    return Counter((who, kind) for who, kind in rows)


def test_move_previews_then_notifies_each_subscriber_once(live: Core, clock: FakeClock) -> None:
    shown = _org(live, "/move 4 2 14:30 B")
    text = shown.plain_text
    assert "Move talk" in text and "#4 Hunting network jitter" in text
    assert "from: Sun 13 Dec 10:00–10:40 (UTC+8), Hall A" in text
    assert "to: Sun 13 Dec 14:30–15:10 (UTC+8), Hall B" in text and "2 subscribers will each get one notice" in text
    assert _notices(live) == Counter() and live.programme.talk(4).room == "A"  # nothing before Confirm

    done = _confirm(live, shown, clock).plain_text
    assert done.startswith("✅ Moved #4 to Sun 13 Dec 14:30–15:10 (UTC+8), Hall B")
    assert _notices(live) == Counter({("bob", "moved"): 1, ("carol", "moved"): 1})
    assert "14:30" in ask(live, "/talk 4", locale="en").plain_text  # at once
    assert "14:30" in ask(live, "/agenda 2", locale="en").plain_text
    hit = live.search.search("jitter")[0].talk  # search rebuilt on the new programme (its cards, inline mode)
    assert hit is not None and hit.room == "B"
    ics = ask(live, "/ics", who=BOB, locale="en").attachment
    assert ics is not None and b"LOCATION:Hall B" in ics.content and b"T143000" in ics.content


async def test_the_subscriber_reads_moved_with_the_new_slot(live: Core, clock: FakeClock) -> None:
    _confirm(live, _org(live, "/move 4 15:00"), clock)  # same day, same room
    sender = RecordingSender()
    await dispatcher_for(live, {"console": sender}).run_due()
    assert sender.texts("bob") == [
        "🔀 Schedule change:\n#4 Hunting network jitter\n"
        "moved to Sun 13 Dec 15:00 (UTC+8), Hall A (was Sun 13 Dec 10:00 (UTC+8))"
    ]
    assert len(sender.texts("carol")) == 1


def test_move_undo_goes_back_to_the_files_with_one_notice(live: Core, clock: FakeClock) -> None:
    _confirm(live, _org(live, "/move 4 2 14:30 B"), clock)
    shown = _org(live, "/move 4 undo")
    assert "Undo the move" in shown.plain_text and "to: Sun 13 Dec 10:00–10:40 (UTC+8), Hall A" in shown.plain_text
    assert "back to Sun 13 Dec 10:00–10:40 (UTC+8), Hall A" in _confirm(live, shown, clock).plain_text
    assert _notices(live) == Counter({("bob", "moved"): 2, ("carol", "moved"): 2})
    talk = live.programme.talk(4)
    assert (talk.start.hour, talk.room) == (10, "A")
    with live.db.session() as session:
        assert session.scalars(select(ScheduleOverride)).all() == []
    assert "nothing to undo" in _org(live, "/move 4 undo").plain_text


def test_cancel_undo_and_cancel_again_each_notify_once(live: Core, clock: FakeClock) -> None:
    shown = _org(live, "/cancel 4")
    assert "Cancel talk" in shown.plain_text and _notices(live) == Counter()
    assert "Cancelled #4" in _confirm(live, shown, clock).plain_text
    assert _notices(live) == Counter({("bob", "cancelled"): 1, ("carol", "cancelled"): 1})
    assert live.programme.talk(4).cancelled
    assert "already cancelled" in _org(live, "/cancel 4").plain_text

    assert "back on" in _confirm(live, _org(live, "/cancel 4 undo"), clock).plain_text
    assert not live.programme.talk(4).cancelled
    assert _notices(live)[("bob", "moved")] == 1  # "back on" is a schedule change too

    _confirm(live, _org(live, "/cancel 4"), clock)  # cancelled again after the undo: announced again
    assert _notices(live) == Counter(
        {("bob", "cancelled"): 2, ("carol", "cancelled"): 2, ("bob", "moved"): 1, ("carol", "moved"): 1}
    )


def test_overrides_survive_a_restart_and_a_content_reload(live: Core, content: Path, clock: FakeClock) -> None:
    _confirm(live, _org(live, "/move 4 2 14:30 B"), clock)
    _confirm(live, _org(live, "/cancel 5 force"), clock)
    before = _notices(live)
    restarted = create_core(live.settings, clock)  # a new process on the same database
    assert restarted.programme.talk(4).start == live.programme.talk(4).start
    assert (restarted.programme.talk(4).room, restarted.programme.talk(5).cancelled) == ("B", True)
    assert apply_programme(restarted, restarted.programme).notices == 0  # its start-up announces nothing

    _write_content(content, "2026-12-12 16:00")  # an unrelated edit of the files: talk 2 moves
    report = reload_from_path(restarted, content)
    assert report.moved == [2] and report.cancelled == []
    talk4 = restarted.programme.talk(4)
    talk4 = talk4.model_copy(update={"start": talk4.start.astimezone(SHANGHAI)})
    assert (talk4.start.hour, talk4.start.minute, talk4.room) == (14, 30, "B")
    assert restarted.programme.talk(5).cancelled
    assert _notices(restarted) - before == Counter()  # nobody subscribed to 2; 4 and 5 not re-announced


def test_a_clashing_move_is_refused_naming_the_talk_unless_forced(live: Core, clock: FakeClock) -> None:
    refused = _org(live, "/move 4 2 11:00 B").plain_text  # talk 5 is in B at 11:00
    assert "#5 “Watching the scheduler”" in refused and "same room, Hall B" in refused and "force" in refused
    speaker = _org(live, "/move 4 1 09:10 B").plain_text  # Chen Lijun gives talk 1 at 09:00 in A
    assert "#1 “From the Linux kernel to eBPF”" in speaker and "speaker Chen Lijun (陈莉君) in both" in speaker
    assert live.programme.talk(4).start.hour == 10 and _notices(live) == Counter()

    shown = _org(live, "/move 4 2 11:00 B force")
    assert "Kept with force" in shown.plain_text and "#5" in shown.plain_text
    _confirm(live, shown, clock)
    assert live.programme.talk(4).start.hour == 11
    assert _notices(live) == Counter({("bob", "moved"): 1, ("carol", "moved"): 1})
    assert "conflict" in _org(live, "/audit").plain_text


def test_bad_input_gets_a_usage_answer(live: Core) -> None:
    assert _org(live, "/move").plain_text.startswith("Usage: /move <id>")
    assert "There is no talk 99" in _org(live, "/move 99 10:00").plain_text
    assert "“25:00” is not a time" in _org(live, "/move 4 25:00").plain_text
    assert "There is no room “Z”. Rooms: A, B" in _org(live, "/move 4 10:30 Z").plain_text
    assert "There is no day 9" in _org(live, "/move 4 9 10:30").plain_text
    assert _org(live, "/cancel").plain_text.startswith("Usage: /cancel <id>")
    assert "nothing to undo" in _org(live, "/cancel 4 undo").plain_text
    assert "Hall B" in _org(live, "/move 4 tomorrow 10:30 hall b").plain_text  # day words, room names


def test_a_non_organizer_cannot_move_or_reload(live: Core) -> None:
    assert ask(live, "/move 4 14:00", who=BOB, locale="en").plain_text == "Only conference organizers can use /move."
    assert ask(live, "/reload", who=BOB, locale="en").plain_text == "Only conference organizers can use /reload."
    assert live.programme.talk(4).start.hour == 10


def test_reload_from_chat_reports_refuses_conflicts_and_can_be_forced(live: Core, content: Path) -> None:
    _write_content(content, "2026-12-12 16:00")
    ok = _org(live, "/reload").plain_text
    assert "Content reloaded" in ok and "Moved: #2" in ok
    assert live.programme.talk(2).start.hour == 16

    data = content_data("2026-12-12 16:00")
    next(t for t in data["talks"] if t["id"] == 4).update(start="2026-12-13 11:20", room="B")  # onto talk 5
    (content / "content.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = _org(live, "/reload").plain_text
    assert "Reload refused" in refused and 'talk 4 "Hunting network jitter"' in refused and "/reload force" in refused
    assert live.programme.talk(4).room == "A" and _notices(live) == Counter()

    forced = _org(live, "/reload force").plain_text
    assert "Moved: #4" in forced and "Conflicts still in the schedule" in forced
    assert _notices(live) == Counter({("bob", "moved"): 1, ("carol", "moved"): 1})

    (content / "content.yaml").write_text("talks: [\n", encoding="utf-8")
    broken = _org(live, "/reload").plain_text
    assert "content files have problems" in broken and "content.yaml" in broken


async def test_another_replica_takes_up_a_move_at_its_next_watch_tick(live: Core, clock: FakeClock) -> None:
    from bot.delivery.runtime import Runtime

    replica = create_core(live.settings, clock)  # a second process on the same database and files
    runtime = Runtime(replica, {"console": RecordingSender()})
    await runtime.start()
    try:
        _confirm(live, _org(live, "/move 4 2 14:30 B"), clock)
        assert replica.programme.talk(4).room == "A"
        await runtime.service("content_watch").tick()
        assert replica.programme.talk(4).room == "B"  # its /agenda shows the move too
        assert _notices(live) == Counter({("bob", "moved"): 1, ("carol", "moved"): 1})  # announced once
    finally:
        await runtime.stop()


def test_a_clash_that_appears_before_confirm_is_refused_and_the_preview_stays(live: Core, clock: FakeClock) -> None:
    first = _org(live, "/move 4 2 14:30 B")
    _confirm(live, _org(live, "/move 5 2 14:30"), clock)  # meanwhile talk 5 takes that slot in B
    refused = _confirm(live, first, clock).plain_text
    assert "would clash with #5 “Watching the scheduler” (same room, Hall B)" in refused
    assert live.programme.talk(4).room == "A" and _notices(live) == Counter()
    assert "would clash" in _confirm(live, first, clock).plain_text  # still pending, not "already handled"


async def test_an_undone_cancellation_reads_back_on(live: Core, clock: FakeClock) -> None:
    _confirm(live, _org(live, "/cancel 4"), clock)
    _confirm(live, _org(live, "/cancel 4 undo"), clock)
    sender = RecordingSender()
    await dispatcher_for(live, {"console": sender}).run_due()
    assert sender.texts("bob") == [
        "❌ Cancelled:\n#4 Hunting network jitter\nSend /agenda to find another talk.",
        "🔀 Schedule change:\n#4 Hunting network jitter\nback on: Sun 13 Dec 10:00 (UTC+8), Hall A",
    ]


def test_move_undo_and_restart_on_both_databases(any_db: Database, content: Path, clock: FakeClock) -> None:
    settings = Settings(_env_file=None, organizers=["console:organizer"], content=content)  # type: ignore[call-arg]
    core = Core(settings, any_db, overrides.with_stored(any_db, load_content(content)), clock)
    apply_programme(core, core.programme)
    ask(core, "/subscribe 4", who=BOB, locale="en")
    _confirm(core, _org(core, "/move 4 2 14:30 B"), clock)
    restarted = Core(settings, any_db, overrides.with_stored(any_db, load_content(content)), clock)
    assert restarted.programme.talk(4).room == "B"
    _confirm(restarted, _org(restarted, "/move 4 undo"), clock)
    assert restarted.programme.talk(4).room == "A"
    assert _notices(restarted) == Counter({("bob", "moved"): 2})


def test_a_second_move_without_a_room_keeps_the_room_of_the_first(live: Core, clock: FakeClock) -> None:
    _confirm(live, _org(live, "/move 4 2 14:30 B"), clock)
    shown = _org(live, "/move 4 16:00")
    assert "to: Sun 13 Dec 16:00–16:40 (UTC+8), Hall B" in shown.plain_text
    _confirm(live, shown, clock)
    restarted = create_core(live.settings, clock)
    assert restarted.programme.talk(4).room == "B" and live.programme.talk(4).room == "B"
