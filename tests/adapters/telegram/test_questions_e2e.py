"""End to end on the fake Bot API, Telegram's own in audience questions: the vote's toast, and every
keyboard within Telegram's limits (64-byte callback data). The questions scenario itself is shared:
tests/scenarios/test_questions.py."""

from __future__ import annotations

from datetime import timedelta

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from tests.adapters.telegram.test_e2e import ALICE, _buttons
from tests.fakes.telegram_server import FakeTelegram

BOB, ORGANIZER = 2002, 3003


def _message(chat: int) -> dict:  # type: ignore[type-arg]
    return {"message_id": 7, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "questions"}


async def test_the_vote_toast_and_the_callback_data_limit(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=2, minutes=5))  # talk 2 is running
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    fake_telegram.push(fake_telegram.message_update(ALICE, "/ask 2 Is <XDP> & AF_XDP the same?", lang="en"))
    await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
    fake_telegram.push(fake_telegram.message_update(BOB, "/questions 2", lang="en"))
    (listed,) = await fake_telegram.wait_for("sendMessage", chat_id=BOB)
    vote = next(b for b in _buttons(listed) if b.startswith("vote "))
    fake_telegram.push(fake_telegram.callback_update(BOB, vote, _message(BOB), lang="en"))
    (toast,) = await fake_telegram.wait_for("answerCallbackQuery")
    assert toast.get("text") == "👍 Voted"
    fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/questions 2", lang="en"))
    (moderated,) = await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
    assert all(len(b.encode()) <= 64 for b in _buttons(moderated))
