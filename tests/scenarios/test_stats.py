"""An organizer's help has the organizer section and /stats answers; anyone else sees neither and
is refused, and the refusal is audited."""

from __future__ import annotations

from tests.scenarios.driver import Platform


async def test_help_and_stats_for_organizers_only(platform: Platform) -> None:
    platform.make_organizer("organizer", listed=True)
    organizer_help = (await platform.send("organizer", "/help")).text
    attendee_help = (await platform.send("eva", "/help")).text
    assert "Organizer commands" in organizer_help and "/stats" in organizer_help
    assert "Organizer" not in attendee_help and "/stats" not in attendee_help

    refused = await platform.send("eva", "/stats")
    assert refused.text == "Only conference organizers can use /stats."
    stats = await platform.send("organizer", "/stats")
    assert stats.text.startswith("📊 Stats") and "People: 2 (2 active, 0 blocked the bot)" in stats.text
    assert f"· {platform.name}: 2" in stats.text
    audit = (await platform.send("organizer", "/audit")).text
    assert f"{platform.who('eva')} · /stats → refused" in audit
    assert f"{platform.who('organizer')} · /stats → ok" in audit
