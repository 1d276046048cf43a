"""The terminal adapter: read lines, print replies, buttons as lettered choices.

It is the embedded default (``confbot chat``) and works interactively or piped:
``printf '/agenda\\n/speaker 陈莉君\\n' | confbot chat``. Typing a button's letter (``a``, ``b``, …,
``z``, then ``aa``, ``ab``, …) presses it; a bare number is always a talk (``17`` opens talk 17), as
everywhere else. Reminders arrive through the same outbox as on any platform, via
:class:`ConsoleSender`: their buttons are lettered after the ones already on screen, so every letter
presses one button, and the ``> `` prompt is drawn again below them. A file a reply carries (``/ics``)
is saved in the working directory. The banner is in the language of the terminal's locale.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import TextIO

from bot.chat.choices import button_key, button_number
from bot.chat.files import forward_as_text
from bot.chat.messages import Address, Button, Reply, Request
from bot.core import Core
from bot.delivery.sender import SendResult
from bot.i18n import language_for_locale, t

PLATFORM = "console"


def banner(locale: str | None) -> str:
    """The interactive session's first line, in the locale's language."""
    return t(language_for_locale(locale), "console.banner")


def render(reply: Reply, start: int = 1, saved: Path | None = None) -> tuple[str, list[Button]]:
    """Plain text plus lettered buttons (``[a] …``, from the ``start``-th letter); returns the text
    and the buttons in letter order.

    ``saved`` is where the reply's attachment was written.
    """
    lines = ([f"✓ {reply.notice}"] if reply.notice else []) + [reply.plain_text]
    buttons = [b for row in reply.button_rows for b in row]
    if reply.place is not None:
        place = reply.place
        lines.append(f"🗺 {place.latitude:.5f}, {place.longitude:.5f}  {place.map_url}")
    if reply.attachment is not None:
        where = str(saved) if saved is not None else reply.attachment.filename
        lines.append(f"📎 {where} ({len(reply.attachment.content)} bytes)")
    if buttons:
        lettered = [
            f"[{button_key(n)}] {'• ' if b.selected else ''}{b.label}" + (f" <{b.url}>" if b.url else "")
            for n, b in enumerate(buttons, start)
        ]
        lines.append("  ".join(lettered))
    return "\n".join(lines), buttons


def save_attachment(reply: Reply, directory: Path | None = None) -> Path | None:
    """Write the reply's file into ``directory`` (the working directory); its path, or None."""
    if reply.attachment is None:
        return None
    name = Path(reply.attachment.filename).name or "attachment"  # never a path of the sender's choosing
    path = (directory or Path.cwd()) / name
    try:
        path.write_bytes(reply.attachment.content)
    except OSError:
        return None
    return path.resolve()


def show(out: TextIO, reply: Reply, *, start: int = 1, push: bool = False, prompt: str = "") -> list[Button]:
    """The one way a reply reaches the terminal (answers and pushes); returns its lettered buttons.

    A push is followed by ``prompt`` (the interactive ``> ``), since it interrupts the input line.
    """
    reply = forward_as_text(reply)  # a user's file from a chat platform: its link, or where it was sent
    text, buttons = render(reply, start, save_attachment(reply))
    out.write(f"\n🔔 {text}\n{prompt}" if push else f"{text}\n\n")
    out.flush()
    return buttons


class ConsoleSender:
    """Prints pushes (reminders, notices) into the terminal; their buttons become pressable."""

    platform = PLATFORM
    rate_per_second = 100.0  # a terminal prints as fast as it is asked to

    def __init__(self, out: TextIO, chat: ConsoleChat | None = None) -> None:
        self._out = out
        self._chat = chat

    async def send(self, address: Address, reply: Reply) -> SendResult:
        """Print the push; a closed terminal is a permanent failure."""
        chat = self._chat
        try:
            if chat is None:
                show(self._out, reply, push=True)
            else:  # lettered after what is on screen: each letter presses exactly one button
                chat.buttons += show(self._out, reply, start=len(chat.buttons) + 1, push=True, prompt=chat.prompt)
        except (OSError, ValueError) as exc:
            return SendResult.failed(f"terminal closed: {exc}")
        return SendResult.sent()


def console_address() -> Address:
    """The local terminal user."""
    try:
        user = getpass.getuser()
    except Exception:  # no user database entry (containers)
        user = "local"
    return Address(PLATFORM, user, user)


def locale_from_env() -> str | None:
    """The terminal's locale (``LANG``), used to pick the language on first contact."""
    value = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return value.split(".")[0] or None


class ConsoleChat:
    """One terminal session: turns input lines into requests and prints the replies."""

    def __init__(self, core: Core, out: TextIO, address: Address | None = None, *, prompt: str = "") -> None:
        self.core = core
        self.out = out
        self.address = address or console_address()
        self.locale = locale_from_env()
        self.buttons: list[Button] = []  # every button on screen, in letter order
        self.prompt = prompt  # "> " in an interactive terminal: drawn again after a push

    def handle_line(self, line: str) -> None:
        """Answer one typed line; a button's letter presses that button, anything else (a bare number:
        that talk) goes to the core as typed."""
        text = line.strip()
        if not text:
            return
        action = None
        number = button_number(text)
        if number is not None and number <= len(self.buttons):
            button = self.buttons[number - 1]
            if button.url:
                self.out.write(f"{button.url}\n")
                return
            action = button.action
        request = Request(self.address, text=text, action=action, locale=self.locale)
        self.buttons = []
        for reply in self.core.handle(request):
            self.buttons += show(self.out, reply, start=len(self.buttons) + 1)


async def run_chat(core: Core, stdin: TextIO, out: TextIO, *, stay: bool = False) -> None:
    """Chat until end of input (or Ctrl-C), with the reminder runtime running alongside.

    With ``stay`` the session keeps running after the input ends, so piped rehearsals can
    watch reminders arrive.
    """
    from bot.delivery.runtime import Runtime

    interactive = stdin.isatty()
    chat = ConsoleChat(core, out, prompt="> " if interactive else "")
    runtime = Runtime(core, {PLATFORM: ConsoleSender(out, chat)})
    await runtime.start()
    try:
        if interactive:
            out.write(f"{banner(chat.locale)}\n\n")
            out.flush()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                out.write(chat.prompt)
                out.flush()
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            chat.handle_line(line)
        if stay:
            await asyncio.Event().wait()
    finally:
        await runtime.stop()


def main_chat(core: Core, *, stay: bool = False) -> None:
    """Entry point used by ``confbot chat``."""
    try:
        asyncio.run(run_chat(core, sys.stdin, sys.stdout, stay=stay))
    except KeyboardInterrupt:
        sys.stdout.write("\n")
