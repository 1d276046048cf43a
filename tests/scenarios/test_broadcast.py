"""/broadcast: a preview as attendees will see it, Confirm delivers once per person and a summary to
the organizer, Cancel sends nothing; a non-organizer is refused and audited. Each audience previews its
size per platform and reaches exactly its people, on both platforms at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.core import Core
from bot.delivery.runtime import Runtime
from bot.storage.models import Broadcast
from tests.helpers import ask
from tests.scenarios.driver import Platform

LUNCH = "Lunch is served & <free>"


async def _until(runtime: Runtime, done: object, timeout_passes: int = 100) -> None:
    """Dispatch passes until ``done()`` (per-chat pacing: about a message a second to each chat)."""
    for _ in range(timeout_passes):
        await runtime.dispatch_now()
        if done():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)


async def test_preview_confirm_delivers_once_and_cancel_sends_nothing(platform: Platform) -> None:
    platform.make_organizer("organizer")
    runtime = await platform.runtime()
    for person in ("eva", "fay"):
        await platform.send(person, "/now")
    shown = await platform.send("organizer", f"/broadcast platform:{platform.name} Lunch is *served* & <free>")
    assert f"audience platform:{platform.name} · 3 people" in shown.text and f"{platform.name}: 3" in shown.text
    assert LUNCH in shown.text and platform.escaped("& <free>") in shown.raw  # as attendees will see it, escaped
    assert all(platform.posts(p) == [] for p in ("eva", "fay", "organizer"))  # nothing before Confirm

    confirm = next(a for a in shown.actions if a.startswith("confirm "))
    queued = await platform.press("organizer", confirm)
    assert "Broadcast #1 is queued for 3 people" in queued.text

    def summarized() -> bool:
        return any("has finished" in p.text for p in platform.posts("organizer"))

    await _until(runtime, summarized)
    everyone = {platform.chat(p) for p in ("eva", "fay", "organizer")}
    assert platform.delivered(LUNCH) == everyone
    assert all(len([p for p in platform.posts(x) if p.text == LUNCH]) == 1 for x in ("eva", "fay", "organizer"))
    (summary,) = [p for p in platform.posts("organizer") if "has finished" in p.text]
    assert "3 sent, 0 failed, 0 blocked (of 3)" in summary.text
    sent = sum(len(platform.posts(p)) for p in ("eva", "fay", "organizer"))
    assert sent == 4

    again = await platform.send("organizer", "/broadcast Never mind")
    drop = next(a for a in again.actions if a.startswith("drop "))
    assert "Nothing was changed or sent" in (await platform.press("organizer", drop)).text
    await runtime.dispatch_now()
    await asyncio.sleep(0.1)
    assert sum(len(platform.posts(p)) for p in ("eva", "fay", "organizer")) == 4
    status = await platform.send("organizer", "/broadcast status")
    assert "sent 3 · pending 0 · failed 0 · blocked 0" in status.text


async def test_a_non_organizer_is_refused_and_it_is_audited(platform: Platform, core: Core) -> None:
    platform.make_organizer("organizer")
    refused = await platform.send("mallory", "/broadcast free pizza")
    assert refused.text == "Only conference organizers can use /broadcast."
    assert refused.actions == []
    audit = await platform.send("organizer", "/audit")
    assert f"{platform.who('mallory')} · /broadcast free pizza → refused" in audit.text
    assert platform.posts("mallory") == []
    with core.db.session() as s:
        assert s.scalar(select(Broadcast)) is None


def _per_platform(own: str, own_count: int, other: str, other_count: int) -> str:
    counts = {own: own_count, other: other_count}
    return " · ".join(f"{name}: {n}" for name, n in sorted(counts.items()) if n)


async def test_each_audience_previews_its_size_per_platform_and_reaches_exactly_its_people(
    platform: Platform, core: Core
) -> None:
    platform.make_organizer("organizer")  # in English
    runtime = await platform.runtime(other_platform=True)
    await platform.send("ann", "/subscribe 2", lang="zh")  # they use the bot on this platform
    await platform.send("ben", "/now")
    cat, dan = platform.other("cat"), platform.other("dan")  # and on the other (written through the core)
    ask(core, "/subscribe 2", who=cat, locale="en")
    ask(core, "/now", who=dan, locale="zh")
    own, other = platform.name, cat.platform
    org, ann, ben = (platform.chat(p) for p in ("organizer", "ann", "ben"))
    cat_chat, dan_chat = f"{other}:{cat.chat_id}", f"{other}:{dan.chat_id}"
    expected = {
        "all": (5, (3, 2), {org, ann, ben, cat_chat, dan_chat}),
        "talk:2": (2, (1, 1), {ann, cat_chat}),
        f"platform:{own}": (3, (3, 0), {org, ann, ben}),
        f"platform:{other}": (2, (0, 2), {cat_chat, dan_chat}),
        "lang:en": (3, (2, 1), {org, ben, cat_chat}),
        "lang:zh": (2, (1, 1), {ann, dan_chat}),
    }
    for audience, (size, (on_own, on_other), people) in expected.items():
        text = f"Hello {audience.replace(':', ' ')}"
        shown = await platform.send("organizer", f"/broadcast {audience} {text}")
        assert f"audience {audience} · {size} people" in shown.text, audience
        assert _per_platform(own, on_own, other, on_other) in shown.text, audience
        confirm = next(a for a in shown.actions if a.startswith("confirm "))
        queued = await platform.press("organizer", confirm)
        assert f"is queued for {size} people" in queued.text, audience
        await _until(runtime, lambda text=text, people=people: len(platform.delivered(text)) >= len(people))
        await runtime.dispatch_now()
        assert platform.delivered(text) == people, audience
    status = await platform.send("organizer", "/broadcast status")
    assert status.text.count("pending 0 · failed 0 · blocked 0") == 5  # the latest 5, all done
