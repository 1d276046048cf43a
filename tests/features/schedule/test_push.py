"""The schedule's notices as people read them."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.delivery.renderers import render_push
from bot.programme.content.programme import Programme


def test_a_talk_removed_from_the_content_says_which_slot_it_held_even_before_the_new_programme_is_in(
    programme: Programme, clock: FakeClock
) -> None:
    # a replica may render the notice while it still holds the programme that had the talk
    assert programme.talk(5) is not None
    payload = {"talk": 5, "title": "看调度器", "title_en": "Watching the scheduler", "removed": True}
    payload |= {"start": "2026-12-13T03:00:00+00:00", "room": "B"}
    reply = render_push("cancelled", payload, "en", programme, clock.now())
    assert reply is not None
    assert reply.plain_text.startswith(
        "❌ Cancelled:\n#5 Watching the scheduler\nIt was on Sun 13 Dec 11:00 (UTC+8), Hall B"
    )
