"""/start, /help and /lang."""

from __future__ import annotations

import re

from bot.chat.messages import Button, Reply, ReplyBuilder, Span, bold, code, italic
from bot.chat.registry import Command, Context, command, listed
from bot.i18n import HANT, LANGUAGES, language_named, pick, register
from bot.programme.topics import topics_text

register(
    {
        "start.welcome": {
            "zh": "👋 欢迎来到{conf}！我可以帮您查日程、找演讲和讲者，并在您关注的演讲开始前提醒您。",
            "en": "👋 Welcome to {conf}! I can show the agenda, find talks and speakers, and "
            "remind you before the talks you star.",
        },
        "start.try": {
            "zh": "试试 /agenda、/now，或直接发送关键词搜索，比如 {topics}。发送 /help 查看全部命令。",
            "en": "Try /agenda, /now, or just send words to search, like {topics}. Send /help for every command.",
        },
        "start.try_words": {
            "zh": "试试 /agenda、/now，或直接发送关键词搜索演讲和讲者。发送 /help 查看全部命令。",
            "en": "Try /agenda, /now, or just send words to search talks and speakers. Send /help for every command.",
        },
        "start.draft": {"zh": "⚠️ {note}", "en": "⚠️ {note}"},
        "help.title": {"zh": "可用命令：", "en": "Commands:"},
        "help.organizer_title": {"zh": "组织者命令：", "en": "Organizer commands:"},
        "help.search_hint": {
            "zh": "不是命令的文字会被当作搜索（中文、英文、拼音都可以）。",
            "en": "Any text that is not a command is a search (Chinese, English or pinyin).",
        },
        "help.start": {"zh": "欢迎信息", "en": "welcome message"},
        "help.help": {"zh": "命令列表", "en": "list of commands"},
        "help.lang": {
            "zh": "切换语言（zh 简体中文 / zh-hant 繁體中文 / en English）",
            "zh-hant": "切換語言（zh 简体中文 / zh-hant 繁體中文 / en English）",
            "en": "change language (zh Simplified Chinese / zh-hant Traditional Chinese / en English)",
        },
        "lang.usage": {
            "zh": "用法：/lang zh、/lang zh-hant 或 /lang en。当前语言：简体中文。",
            "zh-hant": "用法：/lang zh、/lang zh-hant 或 /lang en。目前語言：繁體中文。",
            "en": "Usage: /lang zh, /lang zh-hant or /lang en. Current language: English.",
        },
        "lang.set": {
            "zh": "好的，之后我会用简体中文回复。",
            "zh-hant": "好的，之後我會用繁體中文回覆。",
            "en": "OK, I will answer in English from now on.",
        },
        "button.agenda": {"zh": "📅 日程", "en": "📅 Agenda"},
        "button.now": {"zh": "▶ 正在进行", "en": "▶ Now"},
    }
)


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
