"""End to end on the fake Bot API (real PTB): a recording added to a talk by a content reload (an
organizer's /reload on Telegram) reaches its subscriber once, as a message whose link opens it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.telegram import TelegramAdapter
from bot.clock import FakeClock
from bot.delivery.runtime import Runtime
from bot.factory import create_core
from bot.features.schedule.changes import apply_programme
from bot.settings import Settings
from tests.factories import small_programme
from tests.fakes.telegram_server import FakeTelegram
from tests.features.media.files import RECORDING, write

FAN, ORGANIZER = 4242, 777


async def test_the_recording_is_up_arrives_once_with_its_link(
    fake_telegram: FakeTelegram, tmp_path: Path, clock: FakeClock
) -> None:
    content = tmp_path / "content"
    write(content)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        organizers=[f"telegram:{ORGANIZER}"],
        content=content,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    core = create_core(settings, clock)
    apply_programme(core, core.programme)  # the schedule as announced at start-up
    adapter = TelegramAdapter(settings, core)
    runtime = Runtime(core, {"telegram": adapter.sender()}, periodic=False)
    await adapter.start()
    await runtime.start()
    try:
        fake_telegram.push(fake_telegram.message_update(FAN, "/subscribe 2", lang="en"))
        await fake_telegram.wait_for("sendMessage", 1, chat_id=FAN)
        clock.set(small_programme().talk(2).end + timedelta(hours=2))  # the talk is over; its video is cut

        write(content, recording=RECORDING)
        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/reload", lang="en"))
        (report,) = await fake_telegram.wait_for("sendMessage", 1, chat_id=ORGANIZER)
        assert "Content reloaded" in report["text"]
        await runtime.dispatch_now()
        notice = (await fake_telegram.wait_for("sendMessage", 2, chat_id=FAN))[1]
        assert notice["text"].startswith("🎬 The recording of this talk is up:")
        assert f'<a href="{RECORDING}">🎬 Recording</a>' in notice["text"]

        fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/reload", lang="en"))  # the same file again
        await fake_telegram.wait_for("sendMessage", 2, chat_id=ORGANIZER)
        await runtime.dispatch_now()
        assert len(fake_telegram.sent("sendMessage", FAN)) == 2  # nothing more for the fan
    finally:
        await runtime.stop()
        await adapter.stop()
        core.close()
