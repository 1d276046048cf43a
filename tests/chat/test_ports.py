"""The core parses ``/announce … in @chat`` and asks the platform's port (bot/chat/ports.py) whether
the organizer may have the bot post there; a platform without the port gets a clear answer."""

from __future__ import annotations

from bot.chat.messages import Address, Request
from bot.chat.ports import ChatCheck
from bot.core import Core
from tests.helpers import ALICE

ORGANIZER = Address("console", "organizer", "organizer")


class FakeChatRights:
    """Answers every question with ``check`` and records who asked about which chat."""

    def __init__(self, check: ChatCheck) -> None:
        self.check = check
        self.asked: list[tuple[str, str]] = []

    async def may_post(self, user_id: str, chat: str) -> ChatCheck:
        self.asked.append((user_id, chat))
        return self.check


async def _say(core: Core, text: str, rights: FakeChatRights | None, who: Address = ORGANIZER) -> str:
    response = await core.respond_async(Request(who, text=text, locale="en"), chats=rights)
    (reply,) = response.replies
    return reply.plain_text


async def test_a_chat_the_platform_confirms_is_set_up_from_the_private_chat(core: Core) -> None:
    rights = FakeChatRights(ChatCheck(chat_id="-1001"))
    answer = await _say(core, "/announce here all in @ConfNews", rights)
    assert answer.splitlines()[0] == "📣 Channel -1001 now gets: every room."
    assert rights.asked == [("organizer", "@ConfNews")]
    off = await _say(core, "/announce@confbot off in -1001", rights)
    assert off.startswith("🔕 Announcements in channel -1001 are off.")
    assert rights.asked[-1] == ("organizer", "-1001")


async def test_the_platforms_refusal_is_the_answer(core: Core) -> None:
    rights = FakeChatRights(ChatCheck(problem="not_admin"))
    answer = await _say(core, "/announce here all in @elsewhere", rights)
    assert answer == "Only the channel's owner or an administrator can set up its announcements."


async def test_the_platform_is_asked_for_organizers_only_and_only_about_a_named_chat(core: Core) -> None:
    rights = FakeChatRights(ChatCheck(chat_id="-1001"))
    assert await _say(core, "/announce here all in @confnews", rights, who=ALICE) == (
        "Only conference organizers can use /announce."
    )
    assert (await _say(core, "/announce here all", rights)).startswith("Send /announce here in the group")
    assert rights.asked == []


async def test_without_the_port_a_named_chat_gets_a_clear_answer(core: Core) -> None:
    answer = await _say(core, "/announce here all in @confnews", None)
    assert answer.startswith("Setting a chat up from here (… in @channel) works for Telegram channels only.")
    slack = Address("slack", "U1", "D1")
    core.add_organizer(slack)
    assert core.handle(Request(slack, text="/announce off in @confnews", locale="en"))[0].plain_text == answer
