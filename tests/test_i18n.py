"""Every user-facing string exists in Chinese and English."""

from __future__ import annotations

import importlib
import pkgutil
import string

import bot
from bot.i18n import LANGUAGES, catalog, language_for_locale


def _import_all_bot_modules() -> None:
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        importlib.import_module(info.name)


def test_every_string_has_both_languages_with_the_same_placeholders() -> None:
    _import_all_bot_modules()
    strings = catalog()
    assert len(strings) > 50
    for key, texts in strings.items():
        assert set(texts) >= set(LANGUAGES), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGUAGES]
        assert fields[0] == fields[1], f"{key}: placeholders differ {fields}"
        assert texts["zh"] != "" and texts["en"] != ""


def test_locale_mapping() -> None:
    assert language_for_locale(None) == "zh"
    assert language_for_locale("zh-hans") == "zh"
    assert language_for_locale("zh_TW") == "zh"
    assert language_for_locale("en-US") == "en"
    assert language_for_locale("de") == "en"
