"""The terminal adapter: lettered buttons, bare numbers as talks, the banner's language, piped
sessions, and the real CLI end to end."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleSender, banner, button_key, button_number, render, run_chat, show
from bot.chat.messages import Address, Button, ReplyBuilder, Request, UserFile
from bot.core import Core

ROOT = Path(__file__).resolve().parents[2]


def test_buttons_are_lettered_choices() -> None:
    reply = ReplyBuilder().line("hi").build(buttons=((Button("One", "a"), Button("Two", "b")),))
    text, buttons = render(reply)
    assert text.endswith("[a] One  [b] Two")
    assert [b.action for b in buttons] == ["a", "b"]


def test_letters_go_on_past_z() -> None:
    assert [button_key(n) for n in (1, 26, 27, 52, 53)] == ["a", "z", "aa", "az", "ba"]
    assert [button_number(k) for k in ("a", "Z", "aa", "ba", "1", "abcd", "é", "")] == [
        1,
        26,
        27,
        53,
        None,
        None,
        None,
        None,
    ]


def test_typing_a_letter_presses_that_button(core: Core) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"))
    chat.locale = "en"
    chat.handle_line("/talk 2")
    assert "[a] ⭐ Remind me" in out.getvalue()
    chat.handle_line("a")  # the toggle: the card comes back with the toast
    assert "✓ Subscribed" in out.getvalue() and "[a] ✖ Unsubscribe" in out.getvalue()
    chat.handle_line("B")  # "In parallel", in either case
    assert "Running alongside #2" in out.getvalue()


def test_a_bare_number_opens_that_talk_even_with_buttons_on_screen(core: Core) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"))
    chat.locale = "en"
    chat.handle_line("/agenda 2")  # [a] #4 …  [b] #5 …  [c] Day 1 …
    assert "[b] #5 Watching the scheduler" in out.getvalue()
    before = len(out.getvalue())
    chat.handle_line("2")  # talk 2, not the second button
    assert "XDP <fast> & furious #2" in out.getvalue()[before:] and "#5" not in out.getvalue()[before:]
    chat.handle_line("／talk　４")  # a Chinese input method's slash, space and digit
    assert "Hunting network jitter #4" in out.getvalue()


def test_a_letter_past_the_buttons_is_just_text(core: Core) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"))
    chat.locale = "en"
    chat.handle_line("/subscribe 2")  # one button: [a] ✖ Unsubscribe
    chat.handle_line("c")  # answered as text, presses nothing
    (my,) = core.handle(Request(chat.address, text="/my", locale="en"))
    assert "#2" in my.plain_text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_the_banner_speaks_the_locale_s_language(core: Core, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for lang, expected in (("zh_CN.UTF-8", "Ctrl-D 退出"), ("en_GB.UTF-8", "Ctrl-D quits")):
        monkeypatch.setenv("LC_ALL", lang)
        out = io.StringIO()
        await run_chat(core, _Terminal(""), out)
        assert out.getvalue().startswith("confbot — ") and expected in out.getvalue().splitlines()[0]
    assert "a number opens that talk" in banner("C") and "数字是演讲编号" in banner(None)


async def test_console_sender_prints_the_push_and_its_buttons_can_be_pressed(core: Core) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"))
    chat.locale = "en"
    push = ReplyBuilder().line("Talk soon").build(buttons=((Button("Details", "talk 2"),),))
    result = await ConsoleSender(out, chat).send(chat.address, push)
    assert result.outcome == "sent" and "🔔 Talk soon" in out.getvalue()
    chat.handle_line("a")
    assert "XDP <fast> & furious #2" in out.getvalue()


def _confbot(args: list[str], stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "CONFBOT_"))}
    environ.update(
        {
            "CONFBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=tmp_path,
        env=environ,
        timeout=60,
    )


def test_piped_chat_answers_agenda_and_speaker(tmp_path: Path) -> None:
    done = _confbot(["chat"], "/agenda\n/speaker 陈莉君\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "首届中国eBPF大会" in done.stdout or "eBPF" in done.stdout
    # LANG=C.UTF-8 reads as English: the affiliation comes in English
    assert "陈莉君" in done.stdout and "Xi'an University of Posts and Telecommunications" in done.stdout
    assert "Traceback" not in done.stderr, done.stderr


def test_bare_confbot_without_tokens_opens_the_terminal_chat(tmp_path: Path) -> None:
    done = _confbot([], "/help\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "/agenda" in done.stdout


def test_run_without_any_platform_says_what_to_set(tmp_path: Path) -> None:
    done = _confbot(["run"], "", tmp_path)
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and "confbot chat" in done.stderr


def test_broken_content_is_reported_with_file_and_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "conference.yaml").write_text("conference:\n  id: x\n  name: X\n  timezone: Mars/Olympus\n")
    done = _confbot(["chat"], "/help\n", tmp_path, CONFBOT_CONTENT=str(bad))
    assert done.returncode == 1
    assert "conference.yaml" in done.stderr and "timezone" in done.stderr
    assert "Traceback" not in done.stderr


def test_ics_is_saved_in_the_working_directory_and_its_path_printed(core: Core, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"))
    chat.handle_line("/subscribe 2")
    chat.handle_line("/ics")
    (saved,) = tmp_path.glob("*.ics")
    assert f"📎 {saved.resolve()} ({saved.stat().st_size} bytes)" in out.getvalue()
    assert saved.read_bytes().startswith(b"BEGIN:VCALENDAR") and b"talk-2@" in saved.read_bytes()


async def test_a_push_redraws_the_prompt_in_a_terminal(core: Core) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"), prompt="> ")
    push = ReplyBuilder().line("Talk soon").build()
    await ConsoleSender(out, chat).send(chat.address, push)
    assert out.getvalue().endswith("🔔 Talk soon\n> ")
    piped = io.StringIO()  # piped: no prompt to redraw
    await ConsoleSender(piped, ConsoleChat(core, piped, Address("console", "me", "me"))).send(chat.address, push)
    assert piped.getvalue().endswith("🔔 Talk soon\n")


async def test_two_pushes_at_once_letter_their_buttons_apart(core: Core) -> None:
    out = io.StringIO()
    chat = ConsoleChat(core, out, Address("console", "me", "me"))
    chat.locale = "en"
    chat.handle_line("/subscribe 2")
    chat.handle_line("/subscribe 4")
    sender = ConsoleSender(out, chat)
    for talk in (2, 4):
        push = (
            ReplyBuilder()
            .line(f"#{talk} starts soon")
            .build(buttons=((Button("✖ Unsubscribe", f"unsub {talk}"), Button("Details", f"talk {talk}")),))
        )
        await sender.send(chat.address, push)
    screen = out.getvalue()
    assert "[b] ✖ Unsubscribe  [c] Details" in screen  # after the answer's own [a]
    assert "[d] ✖ Unsubscribe  [e] Details" in screen
    chat.handle_line("d")  # the second push's unsubscribe
    assert "✓ Unsubscribed" in out.getvalue()[len(screen) :]
    (my,) = core.handle(Request(chat.address, text="/my", locale="en"))
    assert "#2" in my.plain_text and "#4" not in my.plain_text  # it acted on the second push's talk


def test_a_place_is_printed_with_its_coordinates_and_a_map_link() -> None:
    from dataclasses import replace

    from bot.chat.messages import Place

    reply = replace(ReplyBuilder().line("📍 Hall").build(), place=Place("Hall", "1 Road", 34.1561, 108.9062))
    text, _ = render(reply)
    assert "🗺 34.15610, 108.90620" in text and "openstreetmap.org/?mlat=34.156100&mlon=108.906200" in text


def test_a_forwarded_file_shows_as_its_name_or_where_it_was_sent() -> None:
    out = io.StringIO()
    link = "https://confbot-test.slack.com/files/U1/F1/badge.jpg"
    slack = UserFile("slack", "photo", "F1", "badge.jpg", link)
    show(out, dataclasses.replace(ReplyBuilder().line("Ticket #1").build(), forward=slack, lang="en"), push=True)
    show(out, dataclasses.replace(ReplyBuilder().line("Ticket #2").build(), forward=UserFile("telegram", "photo", "x")))
    assert "📎 badge.jpg" in out.getvalue()  # the console shows a link's text, as for every link
    assert "照片（在 Telegram 上发送，这里无法显示）" in out.getvalue()
