"""Core.handle: routing, language, and clear answers to bad input."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import event

from bot.chat.grammar import parse_command
from bot.chat.messages import Address, Request
from bot.clock import FakeClock
from bot.core import MAX_INPUT_CHARS, WARM_SECONDS, Core
from bot.i18n import t
from bot.programme.content.programme import Programme
from bot.settings import Settings
from bot.storage.db import Database
from tests.helpers import ALICE, ask


def test_parse_command_strips_bot_suffix_and_lowercases() -> None:
    assert parse_command("/Agenda@confbot 2") == ("agenda", "2")
    assert parse_command("xdp") is None


def test_default_language_is_chinese_and_english_locale_gives_english(core: Core) -> None:
    assert "欢迎" in ask(core, "/start").plain_text
    bob = Address("console", "bob", "bob")
    assert "Welcome" in ask(core, "/start", who=bob, locale="en-US").plain_text


def test_lang_choice_wins_over_platform_locale(core: Core) -> None:
    ask(core, "/lang en", locale="zh-hans")
    assert "Commands" in ask(core, "/help", locale="zh-hans").plain_text
    ask(core, "/lang zh")
    assert "可用命令" in ask(core, "/help", locale="en").plain_text


def test_bad_lang_argument_explains_usage(core: Core) -> None:
    assert "/lang zh" in ask(core, "/lang fr").plain_text


def test_unknown_command_suggests_the_close_one(core: Core) -> None:
    text = ask(core, "/agnda", locale="en").plain_text
    assert "no /agnda" in text and "/agenda" in text


def test_a_command_sharing_only_a_few_letters_is_not_suggested() -> None:
    from bot import features
    from bot.chat.registry import REGISTRY, closest

    features.load()
    attendee = [name for name, cmd in REGISTRY.items() if not cmd.organizer_only]
    assert "cancel" not in attendee and "ical" in attendee  # the difflib cutoff 0.6 proposed /ical
    assert closest("cancel") is None
    for typed, meant in [("agnda", "agenda"), ("sbuscribe", "subscribe"), ("lnag", "lang"), ("subs", "sub")]:
        assert closest(typed) == meant, typed
    for name in attendee:  # one slip in any command is still recognised
        if len(name) >= 4:
            assert closest(name[:-1] + "z") is not None, name


def test_organizer_commands_are_suggested_only_to_organizers(core: Core) -> None:
    text = ask(core, "/cancle", locale="en").plain_text
    assert "no /cancle" in text and "/cancel" not in text and "/ical" not in text
    organizer = Address("console", "organizer", "organizer")
    assert "/cancel" in ask(core, "/cancle", who=organizer, locale="en").plain_text


def test_ten_thousand_characters_get_a_clear_answer(core: Core) -> None:
    text = ask(core, "网" * 10_000, locale="en").plain_text
    assert "too long" in text and str(MAX_INPUT_CHARS) in text


def test_empty_message_gets_a_hint(core: Core) -> None:
    assert "/agenda" in ask(core, "   ").plain_text


@pytest.mark.parametrize(
    "text",
    [
        "/talk",
        "/talk abc!",
        "/talk 99999999",
        "/talk -1",
        "/agenda 42",
        "/speaker",
        "/search",
        "/track nowhere",
        "/room Z",
        "/parallel x",
    ],
)
def test_malformed_commands_explain_themselves(core: Core, text: str) -> None:
    reply = ask(core, text, locale="en")
    assert reply.plain_text
    assert "went wrong" not in reply.plain_text  # a usage answer, not the internal-error one


def test_a_crashing_handler_gives_an_apology_not_a_traceback(core: Core, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from bot.chat.registry import REGISTRY

    def boom(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaboom")

    monkeypatch.setitem(REGISTRY, "now", replace(REGISTRY["now"], handler=boom))
    text = ask(core, "/now", locale="en").plain_text
    assert "something went wrong" in text and "kaboom" not in text
    assert "Welcome" in ask(core, "/start", locale="en").plain_text  # still answering


def test_group_request_stores_private_address_for_pushes(core: Core) -> None:
    from bot import users

    group = Address("telegram", "42", "-1001")
    core.handle(Request(group, text="/start", is_group=True))
    with core.db.session() as s:
        user = users.find(s, "telegram", "42")
        assert user is not None and user.chat_id == "42"


def test_organizer_rights_come_from_settings(core: Core) -> None:
    assert core.is_organizer(Address("console", "organizer", "x"))
    assert not core.is_organizer(ALICE)


WHO = Address("slack", "U1", "D1")


@pytest.mark.parametrize(
    ("request_", "refresh"),
    [
        (Request(WHO, action="sub 2"), True),
        (Request(WHO, action="unstar 2"), True),
        (Request(WHO, text="/subscribe 2"), True),
        (Request(WHO, text="/lang zh"), True),
        (Request(WHO, text="/remind 15"), True),
        (Request(WHO, text="/talk 2"), False),
        (Request(WHO, text="subscribe"), False),
        (Request(WHO, text="/sub@confbot 3"), True),  # a DM word is a search
        (Request(WHO, action="agenda 2"), False),
        (Request(WHO, text=""), False),
    ],
)
def test_the_core_says_which_requests_change_the_home(core: Core, request_: Request, refresh: bool) -> None:
    assert core.respond(request_).home_changed is refresh


def test_a_failed_request_is_logged_by_ids_never_with_the_users_text_or_name(
    core: Core, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    from bot.chat.registry import REGISTRY

    def boom(ctx: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setitem(REGISTRY, "now", replace(REGISTRY["now"], handler=boom))
    secret = Request(Address("telegram", "4242", "4242"), text="/now my-private-words", display_name="Jane Secret")
    core.handle(secret)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "request failed" in logged and "4242" in logged
    assert "my-private-words" not in caplog.text and "Jane Secret" not in caplog.text


def test_nul_and_lone_surrogates_never_lock_a_user_out(
    any_db: Database, settings: Settings, programme: Programme, clock: FakeClock
) -> None:
    core = Core(settings, any_db, programme, clock)
    who = Address("telegram", "77", "77")
    for text in ("/start", "xdp\x00\ud800 网络", "/talk 3\x00", "/my"):
        (reply,) = core.handle(Request(who, text=text, locale="en\x00", display_name="Ann\x00\udfff"))
        assert reply.plain_text not in (t("en", "error.internal"), t("zh", "error.internal"))
        reply.plain_text.encode("utf-8")  # encodable: no lone surrogate made it into the answer
    inline = core.inline_cards("xdp\x00\ud800", "en")
    assert inline and all("\x00" not in card.title for card in inline)


async def test_a_flooding_person_is_told_once_to_slow_down_then_dropped_without_database_work(
    core: Core, clock: FakeClock
) -> None:
    flooder, other = Address("telegram", "666", "666"), Address("telegram", "7", "7")
    statements: list[str] = []
    burst = core.settings.flood_burst

    async def send(who: Address, text: str = "/now", locale: str | None = "en") -> list[str]:
        return [r.plain_text for r in (await core.respond_async(Request(who, text=text, locale=locale))).replies]

    served = [await send(flooder) for _ in range(burst)]
    assert all(replies and "slow" not in replies[0] for replies in served)
    told = await send(flooder)
    assert told == ["You're sending messages too fast. Please wait a moment: until then, messages get no answer."]
    event.listen(core.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert [await send(flooder) for _ in range(50)] == [[]] * 50  # silence, and not one SQL statement
    assert statements == []
    assert (await send(other))[0].startswith("▶ Running now")  # someone else is answered as ever
    clock.advance(1 / core.settings.flood_per_second)  # a token back: served again
    assert (await send(flooder))[0].startswith("▶ Running now")
    assert await send(flooder) == []  # and the one warning of this flood was said already


def test_the_slow_down_is_in_the_language_the_person_is_answered_in(core: Core) -> None:
    zh, en = Address("telegram", "1", "1"), Address("slack", "U1", "U1")
    core.handle(Request(en, text="/lang en", locale="zh-hans"))  # their choice beats the platform's locale
    said = {}
    for who in (zh, en):
        replies = [
            core.handle(Request(who, text="/now", locale="zh-hans")) for _ in range(core.settings.flood_burst + 1)
        ]
        said[who.platform] = [r.plain_text for rs in replies for r in rs if not r.plain_text.startswith("▶")]
    assert said == {
        "telegram": ["您发消息太快了，请稍等片刻再试。在此之前的消息不会得到回复。"],
        "slack": ["You're sending messages too fast. Please wait a moment: until then, messages get no answer."],
    }


def test_organizers_and_background_requests_are_never_limited(core: Core) -> None:
    organizer = Address("console", "organizer", "organizer")
    for _ in range(core.settings.flood_burst * 3):
        assert ask(core, "/now", who=organizer).plain_text
        assert core.handle(Request(ALICE, action="my", background=True))  # drawing a Home
    assert ask(core, "/now").plain_text  # Alice's own burst is untouched


async def test_a_group_never_hears_slow_down_for_chatter_but_does_for_a_command_to_the_bot(core: Core) -> None:
    member = Address("telegram", "5", "-100")
    chatter = Request(member, text="lol", locale="en", is_group=True, channel="-100")
    command = Request(member, text="/now", locale="en", is_group=True, channel="-100")
    for _ in range(core.settings.flood_burst):
        await core.respond_async(chatter, addressed=False)  # each one asked whether a prompt awaits it
    assert (await core.respond_async(chatter, addressed=False)).replies == []
    (told,) = (await core.respond_async(command, addressed=True)).replies
    assert told.plain_text.startswith("You're sending messages too fast")


async def test_warming_up_starts_every_request_thread_with_its_own_database_connection(
    settings: Settings, any_db: Database, programme: Programme, clock: FakeClock
) -> None:
    """After a start, the first burst waits for no thread to start and no connection to open."""
    core = Core(settings, any_db, programme, clock)
    opened: list[object] = []
    event.listen(any_db.engine, "connect", lambda *_: opened.append(1))
    earlier = set(threading.enumerate())  # other tests' cores may still have threads of the same name
    try:
        await core.warm()
        threads = [t for t in set(threading.enumerate()) - earlier if t.name.startswith("confbot-request")]
        ready = any_db.engine.pool.checkedin()  # type: ignore[attr-defined]
        before = len(opened)
        answers = await asyncio.gather(
            *(core.respond_async(Request(Address("telegram", str(u), str(u)), text="/now")) for u in range(8))
        )
    finally:
        core.close()
    assert len(threads) == settings.request_threads
    assert ready >= settings.request_threads
    assert all(answer.replies for answer in answers)
    assert len(opened) == before  # the burst opened no connection


async def test_warming_up_with_the_database_away_neither_fails_nor_holds_the_threads(
    settings: Settings, db: Database, programme: Programme, clock: FakeClock
) -> None:
    refused = threading.Lock()  # the first connection is refused, the others open (a database restarting)

    def first_refused(*_: object) -> None:
        if refused.acquire(blocking=False):
            raise OSError("connection refused")

    event.listen(db.engine, "do_connect", first_refused)
    db.dispose()  # the migration's connection: every thread opens its own
    core = Core(settings, db, programme, clock)
    loop = asyncio.get_running_loop()
    try:
        began = loop.time()
        await core.warm()
        warmed_in = loop.time() - began
        answer = await core.respond_async(Request(Address("telegram", "1", "1"), text="/now", locale="en"))
    finally:
        core.close()
    assert warmed_in < WARM_SECONDS / 2  # the refused one ended the others' wait at once
    assert answer.replies and "database" not in answer.replies[0].plain_text  # and the threads answer
