"""A moved or cancelled talk: one notice per subscriber, reminders re-timed, across reloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.features.schedule.changes import ReloadRefused, apply_programme
from bot.programme.content.loader import ContentError
from bot.programme.content.programme import Programme
from bot.storage.models import OutboxMessage
from tests.factories import small_content
from tests.fakes.senders import RecordingSender
from tests.helpers import ask, dispatcher_for

BOB = Address("console", "bob", "bob")


def _edited(**changes: dict) -> Programme:  # type: ignore[type-arg]
    content = small_content()
    talks = [t.model_copy(update=changes.get(str(t.id), {})) for t in content.talks]
    return Programme.from_content(content.model_copy(update={"talks": talks}))


async def test_moved_talk_notifies_each_subscriber_once_and_retimes(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)  # the bot starts: snapshots recorded, nothing sent
    ask(core, "/subscribe 2", locale="en")
    ask(core, "/subscribe 2", who=BOB, locale="zh")
    old_start = core.programme.talk(2).start
    moved = _edited(**{"2": {"start": old_start + timedelta(hours=4), "room": "B"}})
    report = apply_programme(core, moved)
    again = apply_programme(core, _edited(**{"2": {"start": old_start + timedelta(hours=4), "room": "B"}}))
    assert report.moved == [2] and report.notices == 2 and again.moved == [] and again.notices == 0
    sender = RecordingSender()
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sender.texts("alice") == [
        "🔀 Schedule change:\n#2 XDP <fast> & furious\n"
        "moved to Sat 12 Dec 14:00 (UTC+8), Hall B (was Sat 12 Dec 10:00 (UTC+8))"
    ]
    assert "改到 12月12日 周六 14:00 (UTC+8)，B厅" in sender.texts("bob")[0]
    with core.db.session() as s:
        pending = list(s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")))
    nominal = old_start + timedelta(hours=4) - timedelta(minutes=10)
    assert len(pending) == 2  # the second subscriber is due a moment earlier (fan-out advance)
    assert all(nominal - timedelta(seconds=5) <= r.due_at <= nominal for r in pending)
    clock.set(old_start - timedelta(minutes=10))  # the old reminder time passes silently
    await dispatcher_for(core, {"console": sender}).run_due()
    assert len(sender.delivered) == 2


async def test_cancelled_talk_notifies_and_drops_its_reminder(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)
    ask(core, "/subscribe 3", locale="en")
    report = apply_programme(core, _edited(**{"3": {"cancelled": True}}))
    assert report.cancelled == [3]
    sender = RecordingSender()
    clock.set(core.programme.talk(3).start - timedelta(minutes=10))
    await dispatcher_for(core, {"console": sender}).run_due()
    assert sender.texts() == ["❌ Cancelled:\n#3 Observability with eBPF\nSend /agenda to find another talk."]
    assert "cancelled" in ask(core, "/subscribe 3", locale="en").plain_text


def test_talk_removed_from_content_counts_as_cancelled(core: Core) -> None:
    apply_programme(core, core.programme)
    ask(core, "/subscribe 5")
    content = small_content()
    gone = Programme.from_content(content.model_copy(update={"talks": [t for t in content.talks if t.id != 5]}))
    assert apply_programme(core, gone).cancelled == [5]


def test_first_load_only_records(core: Core) -> None:
    report = apply_programme(core, core.programme)
    assert report.moved == [] and report.cancelled == [] and report.notices == 0


async def test_a_removed_talk_is_announced_like_a_cancelled_one(core: Core, clock: FakeClock) -> None:
    apply_programme(core, core.programme)
    ask(core, "/subscribe 5", locale="en")
    title = core.programme.talk(5).title_en or core.programme.talk(5).title
    content = small_content()
    gone = Programme.from_content(content.model_copy(update={"talks": [t for t in content.talks if t.id != 5]}))
    apply_programme(core, gone)
    sender = RecordingSender()
    report = await dispatcher_for(core, {"console": sender}).run_due()
    (text,) = sender.texts("alice")
    assert text.startswith(f"❌ Cancelled:\n#5 {title}\nIt was on ") and "Send /agenda" in text
    assert report.outcomes["sent"] == 1 and "cancelled" not in report.outcomes


def _without(*talk_ids: int) -> Programme:
    content = small_content()
    return Programme.from_content(
        content.model_copy(update={"talks": [t for t in content.talks if t.id not in talk_ids]})
    )


def _outbox(core: Core) -> list[tuple[str, str]]:
    with core.db.session() as s:
        return sorted((r.kind, r.status) for r in s.scalars(select(OutboxMessage)))


def test_cancelling_more_than_a_quarter_is_refused_and_changes_nothing(core: Core) -> None:
    apply_programme(core, core.programme)
    ask(core, "/subscribe 2")
    ask(core, "/subscribe 5")
    content = small_content()
    talks = [t.model_copy(update={"cancelled": t.id == 2}) for t in content.talks if t.id != 5]
    with pytest.raises(ReloadRefused) as refused:  # 2 of 5: one cancelled, one removed
        apply_programme(core, Programme.from_content(content.model_copy(update={"talks": talks})))
    assert refused.value.cancelling == ["#2 XDP <fast> & furious", "#5 Watching the scheduler"]
    assert "cancel 2 of 5 talks" in str(refused.value) and "confbot content reload --force" in str(refused.value)
    assert core.programme.talk(5) is not None and _outbox(core) == [("reminder", "pending")] * 2
    again = apply_programme(core, core.programme)  # the snapshots were untouched: no false "moved"
    assert again.moved == [] and again.cancelled == [] and again.notices == 0


def test_a_quarter_is_allowed_and_force_applies_more(core: Core) -> None:
    apply_programme(core, core.programme)
    assert apply_programme(core, _without(5)).cancelled == [5]  # 1 of 5
    assert apply_programme(core, _without(4, 5)).cancelled == [4]  # 1 of the 4 still announced
    with pytest.raises(ReloadRefused):
        apply_programme(core, _without(2, 3, 4, 5))  # 2 of 3
    report = apply_programme(core, _without(2, 3, 4, 5), force=True)
    assert report.cancelled == [2, 3] and [t.id for t in core.programme.talks] == [1]


def test_no_talks_is_rejected_even_when_forced(core: Core) -> None:
    apply_programme(core, core.programme)
    ask(core, "/subscribe 2")
    with pytest.raises(ContentError) as err:
        apply_programme(core, _without(1, 2, 3, 4, 5), force=True, source="content/talks")
    assert str(err.value).startswith("content/talks: talks: no talks, but 5 are announced")
    assert core.programme.talk(2) is not None and _outbox(core) == [("reminder", "pending")]


def test_moving_a_talk_back_revives_each_reminder_and_skips_those_who_turned_them_off(core: Core) -> None:
    apply_programme(core, core.programme)
    carol = Address("console", "carol", "carol")
    for who in (BOB, carol):
        ask(core, "/subscribe 2", who=who, locale="en")
    ask(core, "/remind off", who=carol, locale="en")  # carol is told of the move, never reminded
    start = core.programme.talk(2).start
    there = apply_programme(core, _edited(**{"2": {"start": start + timedelta(hours=4), "room": "B"}}))
    back = apply_programme(core, _edited(), force=True)  # the original time (and its speaker overlap) again
    assert (there.notices, there.reminders) == (2, 1) and (back.notices, back.reminders) == (2, 1)
    with core.db.session() as s:
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")))
    pending = [r for r in rows if r.status == "pending"]
    assert len(pending) == 1 and pending[0].key.endswith(start.isoformat())  # bob's first one, revived
    assert all(r.status == "cancelled" for r in rows if r.recipient_id != pending[0].recipient_id)  # carol's
