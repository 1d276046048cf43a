"""ChatPacer: one bucket per chat, paced independently, and a bounded number of chats kept."""

from __future__ import annotations

from aiolimiter import AsyncLimiter

from adapters.pacing import ChatPacer


def _one_a_second(_chat: str) -> AsyncLimiter:
    return AsyncLimiter(1, 1)


async def test_a_chat_that_just_got_a_message_waits_while_others_do_not() -> None:
    pacer = ChatPacer(_one_a_second)
    async with pacer("alice"):
        pass
    assert not pacer.can_send_now("alice")
    assert pacer.can_send_now("bob")  # a chat never seen is free
    assert pacer("alice") is pacer("alice")  # the same bucket, so its pace holds


async def test_drained_chats_are_forgotten_once_the_bound_is_reached_busy_ones_are_kept() -> None:
    pacer = ChatPacer(_one_a_second, max_tracked=3)
    pacer("idle-1"), pacer("idle-2")  # known, never used: fully drained
    async with pacer("busy"):
        pass
    pacer("new")  # the fourth chat: the bound is reached, drained buckets go
    assert len(pacer) == 2
    assert not pacer.can_send_now("busy")  # its pace survived the clean-up
