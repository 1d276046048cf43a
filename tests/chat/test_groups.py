"""The one rule for group and channel messages that every adapter applies (bot/chat/groups.py)."""

from __future__ import annotations

import pytest

from bot.chat.groups import takes_message


class Awaited:
    """Answers whether a prompt awaits the text, counting how often it was asked (a database read)."""

    def __init__(self, answer: bool) -> None:
        self.answer, self.asked = answer, 0

    async def __call__(self) -> bool:
        self.asked += 1
        return self.answer


@pytest.mark.parametrize("command", [True, False])
async def test_a_private_chat_is_always_taken_without_asking(command: bool) -> None:
    awaited = Awaited(False)
    assert await takes_message(is_group=False, command=command, addressed=False, awaited=awaited)
    assert awaited.asked == 0


async def test_in_a_group_a_command_is_taken_only_when_addressed_to_this_bot() -> None:
    awaited = Awaited(True)
    assert await takes_message(is_group=True, command=True, addressed=True, awaited=awaited)
    assert not await takes_message(is_group=True, command=True, addressed=False, awaited=awaited)
    assert awaited.asked == 0


@pytest.mark.parametrize("answer", [True, False])
async def test_in_a_group_other_text_is_taken_only_when_awaited(answer: bool) -> None:
    awaited = Awaited(answer)
    assert await takes_message(is_group=True, command=False, addressed=False, awaited=awaited) is answer
    assert awaited.asked == 1
