"""Reading a content file safely: only a regular file inside the content folder, never past a limit.

A FIFO, a device (``/dev/zero``) or a symbolic link out of the folder is refused from its ``lstat``
and ``stat`` before anything opens it; the file is opened non-blocking and checked again by
``fstat`` (it may have been swapped meanwhile), and at most ``limit + 1`` bytes are ever read.
Decoded text must be UTF-8 without control characters (tab, newline and carriage return aside).
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # the bundled conference's largest file is 39 kB
DEFAULT_SECONDS = 30.0
MAX_ALIASES = 100  # YAML aliases (*name) in one file; content files need few or none
MAX_ALIAS_NODES = 10_000  # the nodes all the aliases of one file may stand for, once expanded

# what YAML's reader refuses, and the C0/C1 controls; tab, newline, CR (and NEL) are allowed
_CONTROL = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAMES = {"\x00": "NUL", "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "escape", "\x7f": "delete"}
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class Refused(Exception):
    """A file that is not read; ``line`` when the problem is at a place in it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class ContentLimits:
    """How much one load of the content may read and how long it may take."""

    max_bytes: int = DEFAULT_MAX_BYTES  # per file (CONFBOT_CONTENT_MAX_BYTES)
    seconds: float = DEFAULT_SECONDS  # the whole load (CONFBOT_CONTENT_LOAD_SECONDS)
    max_aliases: int = MAX_ALIASES
    max_alias_nodes: int = MAX_ALIAS_NODES
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def deadline(self) -> Deadline:
        """A deadline starting now."""
        return Deadline(self.clock, self.clock() + self.seconds, self.seconds)


@dataclass(frozen=True)
class Deadline:
    """The moment a load gives up (checked between files and while YAML is composed)."""

    clock: Callable[[], float]
    at: float
    seconds: float

    def check(self) -> None:
        """Refused once the deadline has passed."""
        if self.clock() > self.at:
            raise Refused(
                f"reading the content took longer than its {self.seconds:g} s limit "
                "(CONFBOT_CONTENT_LOAD_SECONDS); not loaded"
            )


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _too_large(size: int, limit: int, *, more: bool = False) -> Refused:
    size_text = f"more than {limit}" if more else str(size)
    return Refused(
        f"too large: {size_text} bytes, over the limit of {limit} bytes a content file may have "
        "(CONFBOT_CONTENT_MAX_BYTES); not read"
    )


def check_file(path: Path, root: Path | None) -> os.stat_result:
    """The ``stat`` of ``path`` if it may be read: a regular file, inside ``root`` when given (a
    symbolic link must lead to a file inside it). Refused otherwise, without opening anything."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = path.resolve(strict=True)
            if root is not None and not target.is_relative_to(root.resolve()):
                raise Refused(f"a symbolic link to {target}, outside the content folder {root}; not read")
            st = os.stat(target)
    except OSError as exc:
        raise Refused(f"cannot read: {exc.strerror or exc}") from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise Refused(f"{kind}, not a regular file; not read")
    return st


def read_bytes(path: Path, *, limit: int, root: Path | None = None) -> bytes:
    """At most ``limit`` bytes of the regular file ``path`` (see :func:`check_file`); Refused if larger."""
    checked = check_file(path, root)
    if checked.st_size > limit:
        raise _too_large(checked.st_size, limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if _kind(st.st_mode) is not None or (st.st_dev, st.st_ino) != (checked.st_dev, checked.st_ino):
            raise Refused("replaced while being opened; not read")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Refused(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:  # it grew since its stat, or its size is not what it holds
        raise _too_large(size, limit, more=True)
    return b"".join(chunks)


def decode(data: bytes) -> str:
    """``data`` as UTF-8 text; Refused at the line of a byte that is not UTF-8 or of a control character."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise Refused(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line) from None
    found = _CONTROL.search(text)
    if found is not None:
        char, at = found.group(), found.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        name = _NAMES.get(char, "control character")
        raise Refused(
            f"{name} U+{ord(char):04X} at column {column}: control characters are not allowed "
            "(only tab, newline and carriage return)",
            line,
        )
    return text
