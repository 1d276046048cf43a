"""User-facing strings in Chinese (default) and English.

Each feature module registers its own strings with :func:`register`; every key must exist in
both languages (a test walks the whole catalogue).
"""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_CATALOG: dict[str, dict[str, str]] = {}


def register(strings: dict[str, dict[str, str]]) -> None:
    """Add ``{key: {"zh": ..., "en": ...}}`` entries; a key may be registered only once."""
    for key, texts in strings.items():
        missing = [lang for lang in LANGUAGES if not texts.get(lang)]
        if missing:
            raise ValueError(f"i18n key {key!r} lacks {missing}")
        if key in _CATALOG and _CATALOG[key] != texts:
            raise ValueError(f"i18n key {key!r} registered twice with different texts")
        _CATALOG[key] = dict(texts)


def t(lang: str, key: str, **params: object) -> str:
    """The string ``key`` in ``lang`` with ``params`` formatted in."""
    texts = _CATALOG[key]
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def catalog() -> dict[str, dict[str, str]]:
    """A copy of every registered string (for tests and tooling)."""
    return {key: dict(texts) for key, texts in _CATALOG.items()}


def language_for_locale(locale: str | None) -> str:
    """Map a platform locale to a supported language.

    No locale or any Chinese locale gives Chinese (the default); any other locale gives
    English, which a non-Chinese speaker is likelier to read.
    """
    if not locale:
        return DEFAULT_LANGUAGE
    code = locale.strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh"
    return "en"


SEPARATORS = {"zh": "、", "en": ", "}


def join_names(names: Iterable[str], lang: str) -> str:
    """Several names as a list in ``lang``: ``陈莉君、王五`` or ``Chen Lijun, Wang Wu``."""
    return SEPARATORS.get(lang, SEPARATORS[DEFAULT_LANGUAGE]).join(names)


def pick(lang: str, zh: str, en: str | None) -> str:
    """Choose between a Chinese and an optional English content field."""
    if lang == "en" and en:
        return en
    return zh
