"""What a query asks for, as people type it in a chat: honorifics and chat wording off.

``陈莉君老师的分享`` → ``陈莉君``, ``有没有讲XDP的`` → ``xdp``, ``我想听安全相关的`` → ``安全``,
``talks about scheduling`` → ``scheduling``. Text in book-title marks or quotes (《…》, “…”, "…",
「…」) is kept as typed: it is a title or a name, not chat. A query that would lose everything
stays as it was (``博士`` is still searched).
"""

from __future__ import annotations

import re
import unicodedata

from bot.programme.search.chinese import to_simplified
from bot.programme.search.text import CJK_RUN

# after a name: 陈老师, 莉君老师, 张博士 (anywhere in a run of Chinese: they end a name)
HONORIFICS = ("老师", "教授", "博士", "先生", "女士", "大佬", "大神", "老板", "同学", "小姐")
# how a Chinese question starts
_PREFIXES = (
    "请问一下",
    "请问",
    "麻烦",
    "帮我找找",
    "帮我找",
    "帮我查",
    "帮我",
    "找一下",
    "查一下",
    "搜一下",
    "搜索",
    "我想听听",
    "我想听",
    "我想看",
    "我想了解",
    "我想找",
    "我要听",
    "我要找",
    "想听",
    "想看",
    "想了解",
    "有没有人讲",
    "有没有讲",
    "有没有关于",
    "有没有",
    "有哪些",
    "有什么",
    "有关",
    "谁讲过",
    "谁在讲",
    "谁来讲",
    "谁讲",
    "哪场讲",
    "哪个讲",
    "哪些",
    "哪场",
    "关于",
    "讲讲",
    "聊聊",
    "推荐一下",
    "一下",
    "讲的",
    "的",
    "介绍一下",
)
# how it ends (taken off again and again, longest first: 相关的分享吗 → 相关的分享 → 相关 → "")
_SUFFIXES = (
    "吗",
    "呢",
    "啊",
    "呀",
    "吧",
    "嘛",
    "哦",
    "么",
    "的分享",
    "的演讲",
    "的报告",
    "的议题",
    "的讲座",
    "的话题",
    "的主题",
    "的内容",
    "的东西",
    "的talk",
    "讲的",
    "讲了什么",
    "讲什么",
    "在哪",
    "这个",
    "这场",
    "在哪个会场",
    "哪个会场",
    "在哪个房间",
    "在几楼",
    "什么时候讲",
    "是谁讲的",
    "谁讲的",
    "在哪里",
    "什么时候",
    "几点",
    "是哪场",
    "相关的",
    "相关",
    "有关的",
    "有关",
    "方面的",
    "方面",
    "的",
)
# what is left of "…的议题在哪" once 在哪 and 的 are off: no topic on its own
_ALONE = frozenset(("分享", "演讲", "报告", "议题", "讲座", "话题", "主题", "内容", "会场"))
_BY_LENGTH = tuple(sorted(words, key=len, reverse=True) for words in (_PREFIXES, _SUFFIXES))  # longest first
_SPLIT = re.compile("|".join(HONORIFICS))
# English chat words: dropped when the query has other words
CHAT_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "any",
        "anything",
        "is",
        "are",
        "there",
        "who",
        "whos",
        "what",
        "which",
        "talk",
        "talks",
        "talking",
        "speaks",
        "speaking",
        "session",
        "sessions",
        "presentation",
        "presentations",
        "about",
        "on",
        "of",
        "by",
        "please",
        "i",
        "want",
        "to",
        "hear",
        "see",
        "find",
        "me",
        "show",
        "something",
        "related",
        "stuff",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "professor",
    ]
)
_QUOTED = re.compile(r"《([^》]*)》|「([^」]*)」|『([^』]*)』|“([^”]*)”|\"([^\"]*)\"|‘([^’]*)’")
_WORD = re.compile(r"[^\W_]+")  # a Latin word, a number or a run of Chinese characters


def strip_run(run: str) -> str:
    """A run of Chinese characters without honorifics and chat wording; pieces are space-separated."""
    pieces = []
    for piece in _SPLIT.split(run):
        changed = True
        while piece and changed:
            changed = False
            for suffix in _BY_LENGTH[1]:
                if piece.endswith(suffix):
                    piece, changed = piece[: -len(suffix)], True
                    break
            for prefix in _BY_LENGTH[0]:
                if piece.startswith(prefix):
                    piece, changed = piece[len(prefix) :], True
                    break
        if piece and piece not in _ALONE:
            pieces.append(piece)
    return " ".join(pieces)


def understand(query: str) -> str:
    """The query with honorifics and chat wording off, quoted titles kept; the query itself if nothing is left."""
    text = to_simplified(unicodedata.normalize("NFKC", query))  # 老師 is 老师
    kept: list[str] = []
    parts: list[str] = []
    last = 0
    for match in _QUOTED.finditer(text):
        parts.append(text[last : match.start()])
        kept.append(next(g for g in match.groups() if g is not None))
        last = match.end()
    parts.append(text[last:])
    parts = [CJK_RUN.sub(lambda m: f" {strip_run(m.group())} ", part) for part in parts]
    meant = [w for part in parts for w in _WORD.findall(part) if w.casefold() not in CHAT_WORDS]
    if meant or any(k.strip() for k in kept):
        parts = [_WORD.sub(lambda m: m.group() if m.group().casefold() not in CHAT_WORDS else " ", p) for p in parts]
    cleaned = " ".join(" ".join([*parts, *kept]).split())
    return cleaned or query
