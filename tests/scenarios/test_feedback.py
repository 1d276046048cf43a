"""The rating prompt after a subscribed talk: five star buttons, a star updating the prompt in place,
then the comment; saved once, never prompted twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FakeClock
from bot.core import Core
from bot.features.feedback.push import plan_due
from bot.storage.models import Rating
from tests.scenarios.driver import Platform


async def test_prompt_stars_and_the_comment(platform: Platform, core: Core, clock: FakeClock) -> None:
    runtime = await platform.runtime()
    await platform.send("rater", "/subscribe 2")
    talk = core.programme.talk(2)
    assert talk is not None and talk.end is not None
    clock.set(talk.end + timedelta(minutes=5))
    assert plan_due(runtime.host) == 1
    await runtime.dispatch_now()
    (prompt,) = await platform.wait_posts("rater", 1)  # each fake refuses buttons its platform would refuse
    assert prompt.text.startswith("⭐ How was this talk?") and "XDP <fast>" in prompt.text
    assert prompt.actions == [f"rate 2 {n}" for n in range(1, 6)]
    assert prompt.labels == ["1★", "2★", "3★", "4★", "5★"]

    rated = await platform.press("rater", "rate 2 4")
    assert "You gave it ★★★★☆ (4/5)" in rated.text
    assert rated.labels[3] == "• 4★" and rated.actions[-1] == "skip comment 2"
    saved = await platform.send("rater", "Loved the live demo")
    assert "Your comment on #2 is saved" in saved.text
    with core.db.session() as session:
        rating = session.scalars(select(Rating)).one()
        assert (rating.stars, rating.comment) == (4, "Loved the live demo")
    await runtime.dispatch_now()
    assert len(platform.posts("rater")) == 1  # no second prompt
