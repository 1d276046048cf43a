"""Core replies → Slack Block Kit (slack_sdk block models), within Slack's limits."""

from __future__ import annotations

import dataclasses
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.chat.files import forward_as_text
from bot.chat.messages import Choices, Line, Reply, Span
from bot.i18n import t

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_ACTIONS_PER_BLOCK = 25
MAX_BUTTON_TEXT = 75
MAX_OPTIONS = 100
PICKER_FROM = 4  # choices with this many options become a select menu (the day picker)
SELECTED = "• "  # marks the current choice when the choices are shown as buttons
CHOICE_ACTION_ID = "confbot_day_1"  # the id day pickers have always had: old messages keep working


def escape(text: str) -> str:
    """Slack's mrkdwn escaping of the three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def span_mrkdwn(span: Span) -> str:
    """One span as mrkdwn; the text is always escaped.

    Style markers hug the words (Slack ignores ``* bold *``), so surrounding spaces stay
    outside them; a ``|`` in a link's URL is percent-encoded so it cannot end the URL.
    """
    text = escape(span.text)
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    if span.style == "bold":
        core = f"*{core}*"
    elif span.style == "italic":
        core = f"_{core}_"
    elif span.style == "code":
        core = f"`{core}`"
    elif span.style == "link" and span.url:
        core = f"<{escape(span.url).replace('|', '%7C')}|{core}>"
    return f"{lead}{core}{trail}"


def line_mrkdwn(line: Line, limit: int = MAX_SECTION - 1) -> str:
    """A line of spans as mrkdwn of at most ``limit`` characters.

    A line too long is cut inside a span's text, before escaping, so no entity, style
    marker or link is ever broken; the cut is marked with "…".
    """
    out: list[str] = []
    room = limit
    for span in line:
        text = span_mrkdwn(span)
        if len(text) <= room:
            out.append(text)
            room -= len(text)
            continue
        keep = len(span.text)
        while keep > 0:
            text = span_mrkdwn(Span(span.text[:keep] + "…", span.style, span.url))
            if len(text) <= room:
                out.append(text)
                break
            keep -= max(1, (len(text) - room) // 5)  # an escaped character is at most 5 long
        else:
            out.append("…"[:room])
        break
    return "".join(out)


def _sections(reply: Reply, budget: int) -> list[str]:
    """Lines packed into section texts of at most MAX_SECTION characters, at most ``budget``."""
    sections: list[str] = []
    current = ""
    for line in reply.lines:
        text = line_mrkdwn(line)
        candidate = f"{current}\n{text}" if current else text
        if len(candidate) > MAX_SECTION:
            sections.append(current)
            current = text
        else:
            current = candidate
    if current.strip():
        sections.append(current)
    if len(sections) > budget:  # never over the block limit: cut and say so
        sections = sections[: budget - 1] + ["…"]
    return [s if s.strip() else "\u200b" for s in sections] or ["\u200b"]


def picker(choices: Choices, action_id: str) -> StaticSelectElement:
    """The choices as one static select, the selected option preselected."""
    shown = choices.options[:MAX_OPTIONS]
    options = [Option(value=b.action, text=PlainTextObject(text=b.label[:MAX_BUTTON_TEXT])) for b in shown]
    current = [o for o, b in zip(options, shown, strict=True) if b.selected]
    return StaticSelectElement(
        placeholder=choices.prompt[:MAX_BUTTON_TEXT],
        action_id=action_id,
        options=options,
        initial_option=current[0] if current else None,
    )


def to_blocks(reply: Reply) -> list[dict[str, Any]]:
    """Sections for the text, one actions block per row of buttons (buttons are never dropped).

    Choices with many options become a select menu; its options carry the same actions.
    """
    choices = reply.choices
    as_select = choices is not None and len(choices.options) >= PICKER_FROM
    rows = [row for row in (reply.buttons if as_select else reply.button_rows) if row]
    element_rows: list[list[ButtonElement | StaticSelectElement]] = []
    counter = 0
    for row in rows:
        elements: list[ButtonElement | StaticSelectElement] = []
        for button in row[:MAX_ACTIONS_PER_BLOCK]:
            counter += 1
            label = ((SELECTED if button.selected else "") + button.label)[:MAX_BUTTON_TEXT]
            if button.url:
                elements.append(ButtonElement(text=label, url=button.url, action_id=f"confbot_url_{counter}"))
            else:
                style = "primary" if button.selected else None  # the current choice stands out natively
                elements.append(
                    ButtonElement(text=label, value=button.action, action_id=f"confbot_{counter}", style=style)
                )
        element_rows.append(elements)
    if as_select and choices is not None:
        element_rows.append([picker(choices, CHOICE_ACTION_ID)])
    if len(element_rows) > MAX_BLOCKS // 2:  # merge rows so text keeps room
        merged = [e for elements in element_rows for e in elements]
        step = MAX_ACTIONS_PER_BLOCK
        element_rows = [merged[i : i + step] for i in range(0, len(merged), step)][: MAX_BLOCKS // 2]
    action_blocks = [ActionsBlock(elements=elements) for elements in element_rows]
    if reply.place is not None:  # Slack has no map pin: a link to the place on a map
        pin = (Span("🗺 "), Span(t(reply.lang, "slack.map"), "link", reply.place.map_url))
        reply = dataclasses.replace(reply, lines=(*reply.lines, pin))
    reply = forward_as_text(reply)  # a user's file: its permalink (Slack), or where it was sent
    sections = _sections(reply, MAX_BLOCKS - len(action_blocks))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=s)) for s in sections]
    return [b.to_dict() for b in [*blocks, *action_blocks]]


def fallback_text(reply: Reply) -> str:
    """Plain notification text (escaped) for ``text=`` alongside blocks."""
    return escape(reply.plain_text[:3000]) or "confbot"
