"""/start, /help and /lang."""

from __future__ import annotations

import re

from bot.chat.messages import Button, Reply, ReplyBuilder, Span, bold, code, italic
from bot.chat.registry import Command, Context, command, listed
from bot.i18n import HANT, LANGUAGES, language_named, pick
from bot.programme.topics import topics_text

# a whole message of one of these gets the welcome (the first thing many people type)
GREETINGS = (
    "hello",
    "hi",
    "hey",
    "hallo",
    "hi there",
    "hello there",
    "good morning",
    "good afternoon",
    "good evening",
    "start",
    "你好",
    "您好",
    "你好呀",
    "你好啊",
    "嗨",
    "哈喽",
    "哈啰",
    "嘿",
    "在吗",
    "在么",
    "在不在",
    "早",
    "早上好",
    "上午好",
    "下午好",
    "晚上好",
    "大家好",
    "开始",
)


def _deep_link(ctx: Context) -> Reply | None:
    """``/start talk_12`` (a Telegram deep link) opens talk 12."""
    match = re.fullmatch(r"talk[_-]?(\d{1,6})", ctx.args.strip(), flags=re.IGNORECASE)
    if not match:
        return None
    from bot.chat.grammar import talk_id_arg
    from bot.features.browse.talks import show_talk

    return show_talk(ctx, talk_id_arg(ctx, match.group(1)))


@command("start", help_key="help.start", aliases=("开始",), order=1, words=GREETINGS)
def start(ctx: Context) -> Reply:
    """Welcome the user (or follow a deep link)."""
    linked = _deep_link(ctx)
    if linked is not None:
        return linked
    conf = ctx.programme.conference
    b = ReplyBuilder().line(ctx.t("start.welcome", conf=pick(ctx.lang, conf.name, conf.name_en)))
    note = pick(ctx.lang, conf.draft_note or "", conf.draft_note_en) if conf.draft else ""
    if note:
        b.line(italic(ctx.t("start.draft", note=note)))
    topics = topics_text(ctx.programme, ctx.lang)  # this conference's own popular tags and tracks
    b.blank().line(ctx.t("start.try", topics=topics) if topics else ctx.t("start.try_words"))
    row = (Button(ctx.t("button.agenda"), "agenda"), Button(ctx.t("button.now"), "now"))
    return b.build(buttons=(row,))


@command(
    "help",
    help_key="help.help",
    aliases=("h", "?", "帮助"),
    order=2,
    words=("help", "?", "帮助", "菜单", "menu", "commands", "命令", "怎么用"),
)
def help_(ctx: Context) -> Reply:
    """List every command with a one-line description."""
    b = ReplyBuilder().line(bold(ctx.t("help.title")))
    for cmd in listed():
        _help_line(ctx, b, cmd)
    b.blank().line(ctx.t("help.search_hint"))
    if ctx.is_organizer:  # attendees never see these, nor that they exist
        b.blank().line(bold(ctx.t("help.organizer_title")))
        for cmd in listed(organizer=True):
            if cmd.organizer_only:
                _help_line(ctx, b, cmd)
    return b.build()


def _help_line(ctx: Context, b: ReplyBuilder, cmd: Command) -> None:
    usage = f" {cmd.usage}" if cmd.usage else ""
    chinese = [code(f"/{alias}") for alias in cmd.aliases if not alias.isascii()]  # /日程, /帮助
    also = [part for alias in chinese for part in (Span(" · "), alias)]
    b.line(code(f"/{cmd.name}{usage}"), *also, f" — {ctx.t(cmd.help_key or '')}")


LANGUAGE_NAMES = {"zh": "简体中文", HANT: "繁體中文", "en": "English"}


@command("lang", help_key="help.lang", usage="zh|zh-hant|en", aliases=("language", "语言"), order=90, changes_home=True)
def lang(ctx: Context) -> Reply:
    """Switch the user's language for good (wins over the platform locale); without one, the choices."""
    choice = language_named(ctx.args) if ctx.args.strip() else None
    if choice is None:
        row = tuple(
            Button(LANGUAGE_NAMES.get(code, code), f"lang {code}", selected=code == ctx.lang) for code in LANGUAGES
        )
        return ReplyBuilder().line(ctx.t("lang.usage")).build(buttons=(row,))
    ctx.user.language = choice
    ctx.user.language_set = True
    ctx.lang = choice
    return ReplyBuilder().line(ctx.t("lang.set")).build()
