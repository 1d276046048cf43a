"""User-facing strings from the gettext catalogs in ``bot/locale`` (Simplified Chinese, Traditional Chinese, English).

A message's id is a stable key (``error.internal``); each language is one catalog,
``bot/locale/<locale>/LC_MESSAGES/confbot.po``, read with Babel when the first string is asked for
(no compile step: the ``.po`` files are the shipped artefact). A message whose English needs plural
forms has them in the catalog, chosen by its ``{count}`` parameter. Adding a language is adding a
catalog (docs/translating.md); ``python -m bot.i18n_tools`` extracts, checks and migrates.

:func:`register` is the older way a module declared ``{key: {"zh": ..., "en": ...}}``: still read
(after the catalogs) so that a string added that way works at once, until
``python -m bot.i18n_tools migrate-register`` moves it into the catalogs.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "confbot"
DEFAULT_LANGUAGE = "zh"
HANT = "zh-hant"
# a catalog folder's name (a Babel/CLDR locale) for each stored language code; the stored codes
# predate the catalogs ("zh" in users.language means Simplified Chinese)
_FOLDERS = {"zh": "zh_Hans", HANT: "zh_Hant"}


def folder_of(lang: str) -> str:
    """The catalog folder of a language code: ``zh`` → ``zh_Hans``, ``pt-br`` → ``pt_BR``."""
    if lang in _FOLDERS:
        return _FOLDERS[lang]
    head, _, tail = lang.partition("-")
    return f"{head}_{tail.upper() if len(tail) == 2 else tail.title()}" if tail else head


def code_of(folder: str) -> str:
    """The stored language code of a catalog folder: ``zh_Hant`` → ``zh-hant``."""
    for code, name in _FOLDERS.items():
        if name == folder:
            return code
    return folder.lower().replace("_", "-")


def _languages() -> tuple[str, ...]:
    found = {code_of(p.parent.parent.name) for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    found |= {"zh", HANT, "en"}  # the three the bot is written in, even before their catalogs exist
    return ("zh", HANT, "en", *sorted(found - {"zh", HANT, "en"}))


LANGUAGES = _languages()
CHINESE = ("zh", HANT)

Text = str | tuple[str, ...]  # one text, or its plural forms


@dataclass(frozen=True)
class Catalogue:
    """One language's messages and its plural rule (the ``Plural-Forms`` header)."""

    messages: dict[str, Text]
    plural: Callable[[int], int]


def read_catalogue(path: Path) -> Catalogue:
    """A ``.po`` file's translated messages (empty and fuzzy ones left out, as msgfmt does)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as fp:
        po = read_po(fp)
    messages: dict[str, Text] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string
        if isinstance(text, str):
            if text:
                messages[key] = text
        elif text and all(text):
            messages[key] = tuple(text)
    return Catalogue(messages, gettext.c2py(po.plural_expr))


_LOCK = threading.Lock()
_LOADED: dict[str, Catalogue] = {}


def catalogues() -> dict[str, Catalogue]:
    """Every language's catalog, read once."""
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                found = {}
                for lang in LANGUAGES:
                    path = LOCALE_DIR / folder_of(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"
                    if path.is_file():
                        found[lang] = read_catalogue(path)
                _LOADED.update(found)
    return _LOADED


_GENERATION = [0]  # how many times the catalogs were reloaded (caches of rendered text follow it)


def generation() -> int:
    """Changes each time the catalogs are reloaded: text made from them before is stale."""
    return _GENERATION[0]


def reload_catalogues() -> None:
    """Forget the catalogs read so far (tests and tooling that rewrite them)."""
    with _LOCK:
        _LOADED.clear()
        _GENERATION[0] += 1


_CATALOG: dict[str, dict[str, str]] = {}


def register(strings: dict[str, dict[str, str]]) -> None:
    """Add ``{key: {"zh": ..., "en": ...}}`` entries (read after the catalogs; see the module's docstring)."""
    for key, texts in strings.items():
        missing = [lang for lang in ("zh", "en") if not texts.get(lang)]
        if missing:
            raise ValueError(f"i18n key {key!r} lacks {missing}")
        if key in _CATALOG and _CATALOG[key] != texts:
            raise ValueError(f"i18n key {key!r} registered twice with different texts")
        _CATALOG[key] = dict(texts)


def registered() -> dict[str, dict[str, str]]:
    """A copy of every string still declared with :func:`register` (for tests and tooling)."""
    return {key: dict(texts) for key, texts in _CATALOG.items()}


def _choose(text: Text, lang: str, count: object) -> str:
    if isinstance(text, str):
        return text
    cat = catalogues().get(lang)
    n = count if isinstance(count, int) else 1
    index = cat.plural(n) if cat is not None else int(n != 1)
    return text[min(index, len(text) - 1)]


def _lookup(lang: str, key: str, count: object) -> str | None:
    cat = catalogues().get(lang)
    if cat is not None and key in cat.messages:
        return _choose(cat.messages[key], lang, count)
    if lang == HANT:  # not (yet) in the zh_Hant catalog: the Simplified text, converted
        simplified = _lookup("zh", key, count)
        return hant(simplified) if simplified is not None else None
    old = _CATALOG.get(key)
    return old.get(lang) if old is not None else None


def text_of(lang: str, key: str, count: object = None) -> str:
    """The unformatted text of ``key`` in ``lang``, or in English, or in Chinese; KeyError if none has it."""
    for candidate in (lang, "en", DEFAULT_LANGUAGE):
        found = _lookup(candidate, key, count)
        if found is not None:
            return found
    raise KeyError(key)


def t(lang: str, key: str, **params: object) -> str:
    """The string ``key`` in ``lang`` with ``params`` formatted in (a plural message's form by ``count``)."""
    text = text_of(lang, key, params.get("count"))
    return text.format(**params) if params else text


@lru_cache(maxsize=8192)
def hant(text: str) -> str:
    """Simplified Chinese as read in Taiwan (OpenCC ``s2twp``: characters and phrasing); cached."""
    converted: str = _s2twp().convert(text)
    return converted


@lru_cache(maxsize=1)
def _s2twp() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


def is_chinese(lang: str) -> bool:
    """Whether ``lang`` is a Chinese UI language (Simplified or Traditional)."""
    return lang in CHINESE


_HANT_REGIONS = {"hant", "tw", "hk", "mo"}


def language_for_locale(locale: str | None) -> str:
    """Map a platform locale to a supported language.

    No locale gives Chinese (the default); ``zh-TW``, ``zh-HK``, ``zh-MO`` and ``zh-Hant`` give
    Traditional Chinese, any other Chinese locale Simplified; a locale with its own catalog gives
    that language, any other English, which a non-Chinese speaker is likelier to read.
    """
    if not locale:
        return DEFAULT_LANGUAGE
    code = locale.strip().lower().replace("_", "-")
    parts = code.split("-")
    if parts[0] == "zh":
        return HANT if "hans" not in parts and _HANT_REGIONS & set(parts[1:]) else "zh"
    for candidate in (code, parts[0]):
        if candidate in LANGUAGES:
            return candidate
    return "en"


_NAMED = {
    "zh-hans": "zh",
    "zh-cn": "zh",
    "hans": "zh",
    "cn": "zh",
    "简体": "zh",
    "简体中文": "zh",
    "中文": "zh",
    "hant": HANT,
    "tw": HANT,
    "繁體": HANT,
    "繁体": HANT,
    "繁體中文": HANT,
    "繁体中文": HANT,
    "正體": HANT,
    "english": "en",
}


def language_named(text: str) -> str | None:
    """The language a person typed after ``/lang``: ``zh``, ``zh-hant``, ``zh-TW``, ``繁體``, ``english``…"""
    code = text.strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    if code in _NAMED:
        return _NAMED[code]
    if code.startswith("zh-"):
        return language_for_locale(code)
    return None


SEPARATORS = {"zh": "、", HANT: "、", "en": ", "}


def join_names(names: Iterable[str], lang: str) -> str:
    """Several names as a list in ``lang``: ``陈莉君、王五`` or ``Chen Lijun, Wang Wu``."""
    return SEPARATORS.get(lang, SEPARATORS["en"]).join(names)


def pick(lang: str, zh: str, en: str | None) -> str:
    """Choose between a Chinese and an optional English content field, for display.

    A Traditional Chinese reader gets the Chinese field converted (:func:`hant`); a reader of any
    language other than Chinese gets the English field when there is one.
    """
    if not is_chinese(lang) and en:
        return en
    return hant(zh) if lang == HANT and zh else zh
