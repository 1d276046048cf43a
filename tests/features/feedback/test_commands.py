"""/rate, the star buttons, the comment that follows, and what organizers see in /stats."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import Core
from bot.storage.models import Rating
from tests.conftest import SHANGHAI
from tests.helpers import ALICE, actions, ask, press

BOB = Address("console", "bob", "bob")
ORGANIZER = Address("console", "organizer", "organizer")
DURING_TALK2 = datetime(2026, 12, 12, 10, 20, tzinfo=SHANGHAI)


def _ratings(core: Core) -> list[tuple[int, str | None]]:
    with core.db.session() as session:
        return [(r.stars, r.comment) for r in session.scalars(select(Rating).order_by(Rating.id))]


def test_a_talk_can_be_rated_once_it_has_started_by_anyone(core: Core, clock: FakeClock) -> None:
    assert "has not started yet" in ask(core, "/rate 2", locale="en").plain_text
    clock.set(DURING_TALK2)
    card = ask(core, "/rate 2", locale="en")  # not subscribed: still fine
    assert "How was this talk?" in card.plain_text and "#2 XDP <fast> & furious" in card.plain_text
    assert actions(card) == [f"rate 2 {n}" for n in range(1, 6)]
    assert not any(b.selected for row in card.buttons for b in row)


def test_a_star_press_stores_the_rating_edits_the_card_and_asks_for_a_comment(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    edited = press(core, "rate 2 4", locale="en")
    assert edited.edit and edited.notice == "Saved: ★★★★☆"
    assert "You gave it ★★★★☆ (4/5)" in edited.plain_text and "next message" in edited.plain_text
    assert [b.action for b in edited.buttons[0] if b.selected] == ["rate 2 4"]
    assert actions(edited)[-1] == "skip comment 2"
    assert _ratings(core) == [(4, None)]
    changed = press(core, "rate 2 2", locale="en")  # a second press changes it: still one rating
    assert [b.action for b in changed.buttons[0] if b.selected] == ["rate 2 2"]
    assert _ratings(core) == [(2, None)]


def test_the_next_plain_message_is_the_comment(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    press(core, "rate 2 5", locale="en")
    saved = ask(core, "Great demo, clear slides", locale="en")
    assert "Your comment on #2 is saved" in saved.plain_text
    assert _ratings(core) == [(5, "Great demo, clear slides")]
    assert "saved" not in ask(core, "xdp", locale="en").plain_text  # the next message is a search again


def test_a_comment_over_500_characters_is_refused_and_a_shorter_one_taken(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    press(core, "rate 2 3", locale="en")
    assert "at most 500" in ask(core, "x" * 501, locale="en").plain_text
    ask(core, "x" * 500, locale="en")
    assert _ratings(core) == [(3, "x" * 500)]


def test_skip_edits_the_card_to_thanks_and_takes_no_comment(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    press(core, "rate 2 4", locale="en")
    skipped = press(core, "skip comment 2", locale="en")
    assert skipped.edit and "Thank you" in skipped.plain_text and "skip comment 2" not in actions(skipped)
    assert [b.action for b in skipped.buttons[0] if b.selected] == ["rate 2 4"]
    ask(core, "hello", locale="en")
    assert _ratings(core) == [(4, None)]


def test_bad_stars_cancelled_and_unknown_talks_get_clear_answers(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    assert "not a number of stars from 1 to 5" in press(core, "rate 2 6", locale="en").plain_text
    assert "not a number of stars" in ask(core, "/rate 2 many", locale="en").plain_text
    assert "Usage: /rate" in ask(core, "/rate", locale="en").plain_text
    assert "Usage: /rate" in ask(core, "/rate 2 3 4", locale="en").plain_text
    assert "99" in ask(core, "/rate 99", locale="en").plain_text
    assert _ratings(core) == []


def test_in_a_group_a_star_counts_but_no_comment_is_asked(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2)
    replies = core.handle(Request(ALICE, action="rate 2 5", locale="en", is_group=True, channel="g1"))
    assert "next message" not in replies[0].plain_text and "skip comment 2" not in actions(replies[0])
    assert _ratings(core) == [(5, None)]


def test_stats_shows_each_rated_talks_count_mean_and_distribution_ranked(core: Core, clock: FakeClock) -> None:
    clock.set(DURING_TALK2 + timedelta(hours=1))
    for who, action in ((ALICE, "rate 2 4"), (BOB, "rate 2 5"), (ALICE, "rate 3 3")):
        core.handle(Request(who, action=action))
    ask(core, "nice", who=BOB)
    text = ask(core, "/stats", who=ORGANIZER, locale="en").plain_text
    assert "Ratings (3 on 2 talks):" in text
    first, second = text.index("mean 4.50 · 2 · 1 comments · #2"), text.index("mean 3.00 · 1 · 0 comments · #3")
    assert first < second
    assert "5★ 1 4★ 1 3★ 0 2★ 0 1★ 0" in text
    assert "nice" not in text  # comments go to the export, not the chat
    assert "Only conference organizers" in ask(core, "/stats", who=BOB, locale="en").plain_text
