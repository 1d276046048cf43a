"""End to end on the fake Bot API: ask, list with 👍 buttons, vote in place, moderate in place, and
a non-moderator's hide refused; every keyboard within Telegram's limits (64-byte callback data)."""

from __future__ import annotations

from datetime import timedelta

from adapters.telegram import TelegramAdapter
from bot.chat.messages import Address
from bot.clock import FakeClock
from bot.core import Core
from tests.adapters.telegram.test_e2e import ALICE, _buttons
from tests.fakes.telegram_server import FakeTelegram, check_html

BOB, ORGANIZER = 2002, 3003


def _message(chat: int) -> dict:  # type: ignore[type-arg]
    return {"message_id": 7, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "questions"}


async def test_questions_vote_and_moderation_on_telegram(
    fake_telegram: FakeTelegram, polling_bot: TelegramAdapter, core: Core, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=2, minutes=5))  # talk 2 is running
    core.add_organizer(Address("telegram", str(ORGANIZER), str(ORGANIZER)))
    fake_telegram.push(fake_telegram.message_update(ALICE, "/ask 2 Is <XDP> & AF_XDP the same?", lang="en"))
    (done,) = await fake_telegram.wait_for("sendMessage", chat_id=ALICE)
    assert "is in" in done["text"]

    fake_telegram.push(fake_telegram.message_update(BOB, "/questions 2", lang="en"))
    (listed,) = await fake_telegram.wait_for("sendMessage", chat_id=BOB)
    check_html(listed["text"])
    assert "Is &lt;XDP&gt; &amp; AF_XDP the same?" in listed["text"] and str(ALICE) not in listed["text"]
    vote = next(b for b in _buttons(listed) if b.startswith("qv "))
    fake_telegram.push(fake_telegram.callback_update(BOB, vote, _message(BOB), lang="en"))
    (edit,) = await fake_telegram.wait_for("editMessageText")
    assert "👍 1" in edit["text"]
    (toast,) = await fake_telegram.wait_for("answerCallbackQuery")
    assert toast.get("text") == "👍 Voted"

    question = vote.split()[1]
    fake_telegram.push(fake_telegram.callback_update(BOB, f"qm {question} hide", _message(BOB), lang="en"))
    refused = await fake_telegram.wait_for("answerCallbackQuery", 2)
    assert "Only organizers" in (refused[1].get("text") or "")

    fake_telegram.push(fake_telegram.message_update(ORGANIZER, "/questions 2", lang="en"))
    (moderated,) = await fake_telegram.wait_for("sendMessage", chat_id=ORGANIZER)
    check_html(moderated["text"])
    assert f"telegram:{ALICE}" in moderated["text"]
    buttons = _buttons(moderated)
    assert {f"qm {question} hide", f"qm {question} answered", f"qm {question} pin"} <= set(buttons)
    assert all(len(b.encode()) <= 64 for b in buttons)
    fake_telegram.push(fake_telegram.callback_update(ORGANIZER, f"qm {question} hide", _message(ORGANIZER)))
    edits = await fake_telegram.wait_for("editMessageText", 2)
    assert "AF_XDP" not in edits[1]["text"]
