"""Search results say when and where each talk is: the question on the day."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.core import Core
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.factories import small_content
from tests.helpers import ask


def test_a_result_shows_its_day_time_and_room(core: Core) -> None:
    text = ask(core, "/search XDP", locale="en").plain_text
    assert "Sat 12 Dec 10:00–10:40 Hall A #2 XDP <fast> & furious — Alice Wang" in text
    zh = ask(core, "/search XDP", locale="zh-hans").plain_text
    assert "12月12日 周六 10:00–10:40 A厅 #2 XDP <fast> & furious" in zh


def test_results_on_two_days_each_say_their_day(core: Core) -> None:
    lines = ask(core, "/search Chen Lijun", locale="en").plain_text.splitlines()
    first = next(line for line in lines if "#1 " in line)
    other = next(line for line in lines if "#4 " in line)
    assert first.startswith("Sat 12 Dec 09:00–09:30 Hall A") and other.startswith("Sun 13 Dec 10:00–10:40 Hall A")


def test_a_cancelled_or_unscheduled_result_says_so(settings: Settings, db: Database, clock: FakeClock) -> None:
    content = small_content()
    changes: dict[int, dict[str, object]] = {2: {"cancelled": True}, 3: {"start": None, "end": None}}
    talks = [talk.model_copy(update=changes.get(talk.id, {})) for talk in content.talks]
    core = Core(settings, db, Programme.from_content(content.model_copy(update={"talks": talks})), clock)
    text = ask(core, "/search eBPF XDP Observability", locale="en").plain_text
    assert "Hall A #2 XDP <fast> & furious ❌ cancelled" in text
    assert "time to be announced Hall B #3 Observability with eBPF" in text
