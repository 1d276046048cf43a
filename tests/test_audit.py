"""The audit log (bot/audit.py): repeated refusals are one row a minute, with how many there were."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import AuditEntry
from tests.helpers import ask

ORGANIZER = Address("console", "organizer", "organizer")
MALLORY = Address("telegram", "13", "13")


def _rows(core: Core) -> int:
    with core.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_refusal_repeated_within_a_minute_is_one_audit_row_with_its_count(
    settings: Settings, any_db: Database, programme: Programme, clock: FakeClock
) -> None:
    core = Core(settings, any_db, programme, clock)
    for _ in range(25):  # every 2 s, within the inbound limit: each one reaches the organizer check
        assert ask(core, "/broadcast free beer", who=MALLORY, locale="en").plain_text.startswith("Only conference")
        clock.advance(2)
    assert _rows(core) == 1
    log = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert "telegram:13 · /broadcast free beer → refused ×25" in log
    clock.advance(60)  # a minute after: a row of its own
    ask(core, "/broadcast again", who=MALLORY, locale="en")
    ask(core, "/stats", who=MALLORY, locale="en")  # another command: another row
    ask(core, "/broadcast hi", who=Address("telegram", "14", "14"), locale="en")  # another person: another row
    assert _rows(core) == 5  # with the organizer's own /audit
    log = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert "/broadcast again → refused\n" in log + "\n" and "/stats → refused" in log


def test_organizer_actions_are_each_their_own_row(core: Core) -> None:
    for _ in range(3):
        ask(core, "/stats", who=ORGANIZER, locale="en")
    assert _rows(core) == 3
