"""/broadcast: audiences, preview, confirm, cancel, expiry, the length limit and /broadcast status."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import Broadcast, OutboxMessage, User
from tests.helpers import actions, ask, press

ORGANIZER = Address("console", "organizer", "organizer")  # an organizer in the test settings
TG = [Address("telegram", str(100 + i), str(100 + i)) for i in range(4)]
SLACK = [Address("slack", f"U{i}", f"D{i}") for i in range(2)]


def _people(core: Core) -> None:
    """4 on Telegram (two in English, two subscribed to talk 2), 2 on Slack (one in English)."""
    for i, who in enumerate(TG):
        ask(core, "/subscribe 2" if i < 2 else "/now", who=who, locale="en" if i % 2 else "zh")
    for i, who in enumerate(SLACK):
        ask(core, "/now", who=who, locale="en" if i else "zh")


def _rows(core: Core) -> list[tuple[str, str]]:
    with core.db.session() as s:
        rows = s.execute(
            select(User.platform, User.platform_user_id)
            .join(OutboxMessage, OutboxMessage.recipient_id == User.id)
            .where(OutboxMessage.kind == "broadcast")
        )
        return sorted((p, u) for p, u in rows)


def _confirm(core: Core, shown_actions: list[str], who: Address = ORGANIZER) -> str:
    confirm = next(a for a in shown_actions if a.startswith("confirm "))
    return press(core, confirm, who=who, locale="en").plain_text


def test_preview_shows_the_message_as_attendees_see_it_and_the_audience_per_platform(core: Core) -> None:
    _people(core)
    shown = ask(core, "/broadcast Doors open at *9:00*\nSee [the map](https://e.org/map)", who=ORGANIZER, locale="en")
    text = shown.plain_text
    assert "audience all · 6 people" in text and "slack: 2 · telegram: 4" in text
    assert "Doors open at 9:00\nSee the map\n" in text  # rendered, the markup gone
    styled = [span for line in shown.lines for span in line if span.style in ("bold", "link")]
    assert [(s.text, s.url) for s in styled][-2:] == [("9:00", None), ("the map", "https://e.org/map")]
    assert _rows(core) == []  # nothing before Confirm


def test_the_four_audiences(core: Core) -> None:
    _people(core)
    channel = Address("telegram", "-100500", "-100500")
    ask(core, "/now", who=channel)
    with core.db.session() as s:  # a group that gets announcements is no person
        s.execute(User.__table__.update().where(User.platform_user_id == "-100500").values(kind="channel"))
    ask(core, "/now", who=Address("telegram", "999", "999"))
    with core.db.session() as s:  # blocked the bot
        s.execute(User.__table__.update().where(User.platform_user_id == "999").values(active=False))
    expected = {
        "all": "6 people",
        "talk:2": "2 people",
        "platform:slack": "2 people",
        "lang:en": "3 people",
    }
    for audience, size in expected.items():
        assert size in ask(core, f"/broadcast {audience} hello", who=ORGANIZER, locale="en").plain_text, audience
    assert "1 people" in ask(core, "/broadcast platform:console hello", who=ORGANIZER, locale="en").plain_text
    nobody = ask(core, "/broadcast platform:wechat hello", who=ORGANIZER, locale="en").plain_text
    assert nobody.startswith("Nobody is in the audience platform:wechat")  # known, if empty: not the usage
    ask(core, "/now", who=Address("wechat", "oWANG", "oWANG"))  # WeChat's people are an audience too
    wechat = ask(core, "/broadcast platform:wechat hello", who=ORGANIZER, locale="en").plain_text
    assert "audience platform:wechat · 1 people" in wechat and "wechat: 1" in wechat
    with core.db.session() as s:
        s.execute(User.__table__.delete().where(User.platform == "wechat"))
    shown = ask(core, "/broadcast lang:en hello", who=ORGANIZER, locale="en")
    assert "queued for 3 people" in _confirm(core, actions(shown))
    assert _rows(core) == [("slack", "U1"), ("telegram", "101"), ("telegram", "103")]


def test_bad_audiences_get_the_usage(core: Core) -> None:
    for typed in ("/broadcast", "/broadcast talk:2", "/broadcast lang:fr hi", "/broadcast platform:irc hi"):
        assert ask(core, typed, who=ORGANIZER, locale="en").plain_text.startswith("Usage: /broadcast"), typed
    assert ask(core, "/broadcast talk:77 hi", who=ORGANIZER, locale="en").plain_text == "There is no talk #77."
    # words that merely contain a colon are text, not an audience
    _people(core)
    assert "https://e.org" in ask(core, "/broadcast https://e.org is up", who=ORGANIZER, locale="en").plain_text


def test_confirm_queues_one_bulk_row_per_recipient_once(core: Core) -> None:
    _people(core)
    shown = ask(core, "/broadcast talk:2 Room change: *Hall B*", who=ORGANIZER, locale="en")
    assert "queued for 2 people" in _confirm(core, actions(shown))
    assert "already handled" in _confirm(core, actions(shown))
    with core.db.session() as s:
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast")))
        cast = s.scalars(select(Broadcast)).one()
        assert {(r.kind, r.key, r.priority, r.status) for r in rows} == {
            ("broadcast", f"broadcast:{cast.id}", 1, "pending")
        }
        assert rows[0].payload == {"broadcast": cast.id, "text": "Room change: *Hall B*"}
        assert (cast.audience, cast.recipients, cast.created_by, cast.status) == (
            "talk:2",
            2,
            "console:organizer",
            "sending",
        )
    log = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert f"confirmed broadcast #{cast.id}" in log and "previewed" in log


def test_cancel_and_expiry_send_nothing(core: Core, clock: FakeClock) -> None:
    _people(core)
    shown = ask(core, "/broadcast hello", who=ORGANIZER, locale="en")
    drop = next(a for a in actions(shown) if a.startswith("drop "))
    assert "Nothing was changed" in press(core, drop, who=ORGANIZER, locale="en").plain_text
    assert "already handled" in _confirm(core, actions(shown))
    late = ask(core, "/broadcast hello again", who=ORGANIZER, locale="en")
    clock.advance(timedelta(minutes=10, seconds=1))
    assert "expired" in _confirm(core, actions(late))
    with core.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Broadcast)) == 0
    assert _rows(core) == []


def test_a_text_longer_than_one_message_is_refused_with_the_limit(core: Core) -> None:
    _people(core)
    fits = ask(core, "/broadcast " + "x" * 3000, who=ORGANIZER, locale="en")
    assert "until you confirm" in fits.plain_text
    refused = ask(core, "/broadcast " + "🎉" * 1501, who=ORGANIZER, locale="en").plain_text  # 3 002 as Telegram counts
    limit = "one message holds at most 3000. Please shorten it. Nothing was sent."
    assert refused == f"This broadcast is 3002 characters long; {limit}"
    marked = ask(core, "/broadcast " + "*xx* " * 700, who=ORGANIZER, locale="en")  # 3 500 typed, 2 099 shown
    assert "until you confirm" in marked.plain_text
    assert _rows(core) == []


def test_non_organizers_are_refused_and_audited(core: Core) -> None:
    _people(core)
    answer = ask(core, "/broadcast hello everyone", who=TG[0], locale="en").plain_text
    assert answer == "Only conference organizers can use /broadcast."
    log = ask(core, "/audit", who=ORGANIZER, locale="en").plain_text
    assert "telegram:100" in log and "/broadcast hello everyone → refused" in log
    assert _rows(core) == []


def test_status_counts_from_the_outbox(core: Core) -> None:
    _people(core)
    assert "No broadcast has been sent yet." in ask(core, "/broadcast status", who=ORGANIZER, locale="en").plain_text
    _confirm(core, actions(ask(core, "/broadcast Hello *all*", who=ORGANIZER, locale="en")))
    with core.db.session() as s:
        rows = list(
            s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast").order_by(OutboxMessage.id))
        )
        for row, status in zip(rows, ["sent", "sent", "sent", "failed", "blocked", "sending"], strict=True):
            row.status = status
    status = ask(core, "/broadcast status", who=ORGANIZER, locale="en").plain_text
    assert "#1 · 12-12 08:00 (UTC+8) · all · sending" in status
    assert "sent 3 · pending 1 · failed 1 · blocked 1" in status and "“Hello all”" in status


def test_the_text_may_start_on_the_line_after_the_command(core: Core) -> None:
    _people(core)
    shown = ask(core, "/broadcast\nDoors open at *9:00*\n\nSee you!", who=ORGANIZER, locale="en").plain_text
    assert "audience all · 6 people" in shown and "Doors open at 9:00\n\nSee you!\n" in shown
    talk = ask(core, "/broadcast talk:2\nRoom change", who=ORGANIZER, locale="en").plain_text
    assert "audience talk:2 · 2 people" in talk and "\nRoom change\n" in talk
