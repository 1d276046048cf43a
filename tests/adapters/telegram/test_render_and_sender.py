"""Rendering stays within Telegram's rules; the sender classifies every outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from telegram import Bot, ReplyParameters
from telegram.request import BaseRequest, RequestData

from adapters.telegram.outbound import send_reply
from adapters.telegram.render import keyboard, to_html
from adapters.telegram.sender import TelegramSender
from bot.chat.messages import Address, Attachment, Button, ReplyBuilder, Span, bold, link
from tests.fakes.telegram_server import ApiError, FakeTelegram, check_html


def test_every_span_is_escaped_and_styled() -> None:
    reply = ReplyBuilder().line(bold("a<b>&c"), Span(" x<y "), link("go", 'https://e.org/?a=1&b="2"')).build()
    text = to_html(reply)
    assert text == '<b>a&lt;b&gt;&amp;c</b> x&lt;y <a href="https://e.org/?a=1&amp;b=&quot;2&quot;">go</a>'
    assert check_html(text) == "a<b>&c x<y go"


def test_a_huge_reply_is_cut_below_4096_on_a_line_boundary() -> None:
    builder = ReplyBuilder()
    for i in range(400):
        builder.line(bold(f"line {i} "), "网" * 30)
    text = to_html(builder.build())
    assert len(check_html(text)) <= 4096 and text.endswith("…")


def test_callback_data_over_64_bytes_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        keyboard(ReplyBuilder().line("x").build(buttons=((Button("b", "search " + "网" * 30),),)))


class Recording(BaseRequest):
    """A Bot API transport that keeps what each call posts and answers every call with a sent message."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, Any], object]] = []

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, read_timeout: Any = None, **_: Any
    ) -> tuple[int, bytes]:
        assert request_data is not None
        self.posted.append((url.rsplit("/", 1)[1], json.loads(json.dumps(request_data.parameters)), read_timeout))
        sent = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"}
        return 200, json.dumps({"ok": True, "result": sent}).encode()


async def test_a_text_reply_posts_what_bot_send_message_posts() -> None:
    """send_reply builds sendMessage's JSON itself (no PTB objects): the same call as PTB's own method."""
    buttons = ((Button("a", "talk 1"), Button("b", "agenda 2", selected=True)), (Button("site", url="https://e.org"),))
    with_buttons = ReplyBuilder().line(bold("XDP & <eBPF>"), " 网络").build(buttons=buttons)
    plain = ReplyBuilder().line("plain").build()
    ours, theirs = Recording(), Recording()
    for request, ptb in ((ours, False), (theirs, True)):
        bot = Bot("123:TEST", request=request, get_updates_request=Recording())
        for reply, chat, where in ((with_buttons, 5, {}), (plain, "-100", {"thread_id": 7, "quote": 42})):
            quote = ReplyParameters(where["quote"]) if "quote" in where else None
            if not ptb:
                await send_reply(bot, chat, reply, thread_id=where.get("thread_id"), quote=quote, read_timeout=9)
                continue
            await bot.send_message(
                chat,
                to_html(reply),
                parse_mode="HTML",
                reply_markup=keyboard(reply),
                disable_web_page_preview=True,
                message_thread_id=where.get("thread_id"),
                reply_parameters=quote,
                read_timeout=9,
            )
    assert ours.posted == theirs.posted
    assert ours.posted[0][1]["reply_markup"]["inline_keyboard"][0][1] == {"text": "• b", "callback_data": "agenda 2"}


@pytest.mark.parametrize("bad", ["<b>unclosed", "a & b", "1 < 2", "<script>x</script>", "<b><i>x</b></i>"])
def test_the_fake_rejects_what_telegram_rejects(bad: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities"):
        check_html(bad)


async def test_sender_outcomes(fake_telegram: FakeTelegram) -> None:
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    async with bot:
        sender = TelegramSender(bot, rate_per_second=1000)
        reply = ReplyBuilder().line("hi").build()
        assert (await sender.send(Address("telegram", "1", "1"), reply)).outcome == "sent"
        fake_telegram.unknown_chats.add(2)
        failed = await sender.send(Address("telegram", "2", "2"), reply)
        assert failed.outcome == "failed" and "chat not found" in (failed.error or "").lower()
        fake_telegram.blocked.add(3)
        assert (await sender.send(Address("telegram", "3", "3"), reply)).outcome == "blocked"
        fake_telegram.flood.append(7)
        flood = await sender.send(Address("telegram", "4", "4"), reply)
        assert flood.outcome == "retry" and flood.retry_after == 7
        fake_telegram.server_errors.append(502)
        bad_gateway = await sender.send(Address("telegram", "5", "5"), reply)
        assert bad_gateway.outcome == "retry" and bad_gateway.retry_after is None
        assert bad_gateway.first_retry == 0.1 and flood.first_retry is None  # a 5xx is retried at once, once
        fake_telegram.migrated[-6] = -1006
        moved = await sender.send(Address("telegram", "6", "-6"), reply)
        assert moved.outcome == "failed" and "-1006" in (moved.error or "")
        fake_telegram.server_errors.append(500)
        assert (await sender.send(Address("telegram", "7", "7"), reply)).outcome == "retry"


def test_one_giant_line_is_cut_inside_its_span_and_stays_valid() -> None:
    abstract = "eBPF <maps> & helpers. " * 400
    text = to_html(ReplyBuilder().line(bold("Title & <more>")).line(abstract).build())
    visible = check_html(text)
    assert text.startswith("<b>Title &amp; &lt;more&gt;</b>\neBPF &lt;maps&gt; &amp;")
    assert 4000 < len(visible) <= 4096 and visible.endswith("…")


def test_emoji_count_twice_against_the_limit() -> None:
    text = to_html(ReplyBuilder().line("🐝" * 3000).build())
    assert len(check_html(text).encode("utf-16-le")) // 2 <= 4096 and text.endswith("…")


def test_captions_are_cut_at_1024_without_breaking_entities() -> None:
    reply = ReplyBuilder().line(bold("a&b " * 300)).build()
    caption = to_html(reply, 1024)
    assert len(check_html(caption)) <= 1024 and caption.startswith("<b>a&amp;b") and "</b>" in caption


async def test_a_pushed_ics_arrives_as_a_document_with_its_caption(fake_telegram: FakeTelegram) -> None:
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    reply = (
        ReplyBuilder()
        .line(bold("📅 Your agenda"), " (1 talk) <for your calendar>")
        .build(attachment=Attachment("ebpf-china-my-agenda.ics", calendar, "text/calendar"))
    )
    async with bot:
        result = await TelegramSender(bot, rate_per_second=1000).send(Address("telegram", "7", "7"), reply)
    assert result.outcome == "sent"
    (document,) = fake_telegram.sent("sendDocument", chat_id=7)
    assert document["document"] == calendar
    assert check_html(document["caption"]) == "📅 Your agenda (1 talk) <for your calendar>"
    assert fake_telegram.sent("sendMessage") == []


async def test_a_pushed_ics_to_a_user_who_blocked_the_bot_is_blocked(fake_telegram: FakeTelegram) -> None:
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    fake_telegram.blocked.add(8)
    reply = ReplyBuilder().line("x").build(attachment=Attachment("a.ics", b"BEGIN:VCALENDAR", "text/calendar"))
    async with bot:
        result = await TelegramSender(bot, rate_per_second=1000).send(Address("telegram", "8", "8"), reply)
    assert result.outcome == "blocked"


async def test_a_late_answer_is_a_retry_that_says_it_may_have_been_delivered(fake_telegram: FakeTelegram) -> None:
    fake_telegram.slow_answers, fake_telegram.slow_seconds = 1, 0.4
    bot = Bot(fake_telegram.token, base_url=fake_telegram.base_url)
    async with bot:
        sender = TelegramSender(bot, rate_per_second=1000, read_timeout=0.1)
        result = await sender.send(Address("telegram", "9", "9"), ReplyBuilder().line("hi").build())
    assert (result.outcome, result.maybe_delivered) == ("retry", True)
    assert len(fake_telegram.sent("sendMessage", chat_id=9)) == 1  # Telegram did deliver it
