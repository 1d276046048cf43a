"""The catalogs: complete in every language, plural forms, the locale → language mapping, and the
re-runnable migration of ``register({...})`` strings into the catalogs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import i18n, i18n_tools
from bot.i18n import HANT, language_for_locale, language_named, t


def test_every_catalog_is_complete_and_consistent() -> None:
    """What `python -m bot.i18n_tools check` says: every message in every catalog, none empty or fuzzy,
    the same placeholders in every language, and every key code asks for (or still registers) present."""
    i18n_tools.import_all()
    assert list(i18n_tools.problems()) == []
    messages = i18n.catalogues()
    assert set(messages) == {"zh", HANT, "en"}
    assert len(messages["en"].messages) > 300
    assert set(messages["zh"].messages) == set(messages[HANT].messages) == set(messages["en"].messages)


def test_a_translation_that_lost_a_placeholder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n_tools.merge_registered({"demo.hello": {"zh": "你好，{name}", "en": "Hello, {name}"}})
    catalog = i18n_tools.load("en")
    i18n_tools.replace(catalog, "demo.hello", "Hello", [])  # a translator lost the placeholder
    i18n_tools.save("en", catalog)
    monkeypatch.setattr(i18n_tools, "keys_in_code", dict)
    monkeypatch.setattr(i18n, "registered", dict)
    assert list(i18n_tools.problems()) == [
        "zh_Hans: demo.hello: placeholders ['name'], English has []",
        "zh_Hant: demo.hello: placeholders ['name'], English has []",
    ]


def test_english_plural_forms_follow_the_count() -> None:
    assert t("en", "tracks.item", name="Kernel", count=1) == "Kernel (1 talk)"
    assert t("en", "tracks.item", name="Kernel", count=3) == "Kernel (3 talks)"
    assert t("en", "tickets.files", count=1) == "📎 1 file"
    assert t("en", "tickets.files", count=2) == "📎 2 files"
    assert t("zh", "tracks.item", name="内核", count=1) == t("zh", "tracks.item", name="内核", count=3)[:-4] + "1 场）"


def test_traditional_chinese_strings_are_traditional_and_reviewed() -> None:
    assert t(HANT, "error.internal") == "抱歉，出了點問題，我們已記錄。請稍後再試。"
    assert t(HANT, "lang.set") == "好的，之後我會用繁體中文回覆。"
    assert "發布" in t(HANT, "help.qa")  # publishing, not OpenCC's "software release" (釋出)
    assert t(HANT, "tracks.item", name="核心", count=2) == "核心（2 場）"


def test_locale_mapping() -> None:
    assert language_for_locale(None) == "zh"
    assert language_for_locale("zh-hans") == "zh"
    assert language_for_locale("zh_CN") == "zh"
    for traditional in ("zh-TW", "zh_HK", "zh-MO", "zh-Hant", "zh-hant-tw"):
        assert language_for_locale(traditional) == HANT, traditional
    assert language_for_locale("zh-Hans-HK") == "zh"  # the script, when named, wins over the region
    assert language_for_locale("en-US") == "en"
    assert language_for_locale("de") == "en"


def test_lang_names() -> None:
    assert [language_named(x) for x in ("zh", "zh-hant", "zh-TW", "繁體", "hant", "en", "english", "de")] == [
        "zh",
        HANT,
        HANT,
        HANT,
        HANT,
        "en",
        "en",
        None,
    ]


def test_content_is_converted_for_traditional_readers_only() -> None:
    assert i18n.pick(HANT, "从Linux内核到eBPF", "From the Linux kernel to eBPF") == "從Linux核心到eBPF"
    assert i18n.pick("zh", "从Linux内核到eBPF", None) == "从Linux内核到eBPF"
    assert i18n.pick("en", "从Linux内核到eBPF", "From the Linux kernel to eBPF") == "From the Linux kernel to eBPF"


MODULE = '''"""A feature."""

from __future__ import annotations

from bot.i18n import register, t

register(
    {
        "demo.hello": {"zh": "欢迎使用软件", "en": "Welcome"},
        "demo.bye": {"zh": "再见", "en": "Bye"},
    }
)


def hello(lang: str) -> str:
    return t(lang, "demo.hello")


def on(name: str) -> object:
    def register(handler: object) -> object:  # its own, not the catalog's
        return handler

    return register
'''


def test_migration_merges_into_the_catalogs_and_never_drops_a_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    first = {"demo.hello": {"zh": "欢迎使用软件", "en": "Welcome"}, "demo.bye": {"zh": "再见", "en": "Bye"}}
    i18n_tools.merge_registered(first)
    hant = i18n_tools.load(HANT)
    assert hant.get("demo.hello").string == "歡迎使用軟體"  # OpenCC s2twp: characters and Taiwanese terms
    i18n_tools.replace(hant, "demo.bye", "再會", [])  # a reviewer's choice
    i18n_tools.save(HANT, hant)
    english = i18n_tools.load("en")
    i18n_tools.replace(
        english, ("demo.bye", "demo.bye"), ("Bye for now", "Bye, all"), []
    )  # plural forms written in the catalog
    i18n_tools.save("en", english)
    before = {lang: i18n_tools.catalog_path(lang).read_bytes() for lang in ("zh", HANT, "en")}

    i18n_tools.merge_registered(first)  # run again: nothing changes
    assert {lang: i18n_tools.catalog_path(lang).read_bytes() for lang in ("zh", HANT, "en")} == before

    later = {**first, "demo.new": {"zh": "新功能", "en": "New"}, "demo.hello": {"zh": "欢迎", "en": "Hi"}}
    i18n_tools.merge_registered(later)  # someone added a string and changed one
    hant, english = i18n_tools.load(HANT), i18n_tools.load("en")
    assert hant.get("demo.bye").string == "再會"
    assert english.get("demo.bye").string == ("Bye for now", "Bye, all")
    assert (hant.get("demo.new").string, english.get("demo.new").string) == ("新功能", "New")
    assert (hant.get("demo.hello").string, english.get("demo.hello").string) == ("歡迎", "Hi")


def test_migration_removes_the_register_calls_from_the_source(tmp_path: Path) -> None:
    path = tmp_path / "feature.py"
    path.write_text(MODULE, encoding="utf-8")
    calls, odd = i18n_tools.register_calls(path)
    assert len(calls) == 1 and odd == []
    i18n_tools.remove_calls(path, calls)
    source = path.read_text(encoding="utf-8")
    ast.parse(source)
    assert "register(\n" not in source and "import register" not in source
    assert "from bot.i18n import t\n\n\ndef hello" in source  # the blank lines as ruff formats them
    assert i18n_tools.register_calls(path) == ([], [])
