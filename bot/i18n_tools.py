"""The catalogs' tooling: ``python -m bot.i18n_tools <command>`` (docs/translating.md).

- ``migrate-register [--keep-source]``: every ``register({key: {"zh": ..., "en": ...}})`` in ``bot/`` and
  ``adapters/``
  into the catalogs (new keys added, changed texts updated, nothing dropped), the Traditional text
  made from the Simplified one with OpenCC (``s2twp``, then :data:`HANT_FIXES`), and the calls
  removed from the source (kept with ``--keep-source``). Re-runnable: a second run changes nothing.
- ``extract``: ``bot/locale/confbot.pot``, the template a translator starts a language from, with
  every message id, its English text as a comment and its plural forms.
- ``init <locale>``: a new language's catalog from the template (``init fr``, ``init pt_BR``).
- ``update``: every message id of the template into every catalog (new ones empty; in ``zh_Hant``
  converted from ``zh_Hans``).
- ``check``: exit status 1 and one line per problem when a catalog lacks a message, has an empty or
  fuzzy one, or differs in placeholders; or when code uses a key that no catalog has.
- ``compile [--out DIR]``: ``.mo`` files for tools that want them (the bot reads the ``.po`` files).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import io
import pkgutil
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import bot
from bot import i18n

BOT_DIR = Path(bot.__file__).parent
# where strings are declared and used: the core and the adapters (imported by name, not by an import
# statement: bot/ depends on no adapter)
PACKAGES = {"bot": BOT_DIR, "adapters": BOT_DIR.parent / "adapters"}
TEMPLATE = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
SOURCE = "zh"  # the language the zh_Hant catalog is converted from
WIDTH = 100

# the review of OpenCC's s2twp output: terms it leaves in a mainland (or odd) form for a Taiwanese
# reader, applied after the conversion of the UI strings (not of the talks' own texts)
HANT_FIXES = {
    "釋出": "發布",  # s2twp reads 发布 as a software release; here it is publishing
    "服務檯": "服務台",
    "回復": "回覆",
    "頻道里": "頻道裡",
    "遮蔽": "封鎖",  # a user who blocked the bot
    "通過 /": "透過 /",
    "平臺": "平台",
    "獲取": "取得",
    "提綱": "大綱",
    "當前": "目前",
    "反饋": "回饋",
    "二維碼": "QR Code",
}


def to_hant(text: str) -> str:
    """A UI string in Traditional Chinese: OpenCC ``s2twp``, then the reviewed terms."""
    converted = i18n.hant(text)
    for wrong, right in HANT_FIXES.items():
        converted = converted.replace(wrong, right)
    return converted


def catalog_path(lang: str) -> Path:
    return i18n.LOCALE_DIR / i18n.folder_of(lang) / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def _locale_of(lang: str) -> str:
    return i18n.folder_of(lang)


def load(lang: str) -> Catalog:
    """A language's catalog as Babel reads it (every entry, fuzzy ones too), or a new empty one."""
    path = catalog_path(lang)
    if path.is_file():
        with path.open("rb") as fp:
            return read_po(fp, locale=_locale_of(lang), domain=i18n.DOMAIN)
    catalog = Catalog(locale=_locale_of(lang), domain=i18n.DOMAIN, project="confbot", version="0.1")
    catalog.header_comment = (
        f"# confbot's messages in {_locale_of(lang)}. Each msgid is a stable key; see docs/translating.md.\n#"
    )
    catalog.fuzzy = False
    return catalog


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, sort_output=True, ignore_obsolete=False, include_previous=False)
    return out.getvalue()


def save(lang: str, catalog: Catalog) -> bool:
    """Write the catalog if its text changed; whether it did."""
    path = catalog_path(lang)
    data = render(catalog)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def strings(message: Message) -> tuple[str, ...]:
    """A message's text(s): one, or its plural forms."""
    value = message.string
    return (value,) if isinstance(value, str) else tuple(value or ())


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _english_comment(english: Message | None) -> list[str]:
    if english is None:
        return []
    return [f"en: {text}" for text in strings(english) if text][:2]


def _words(comments: list[str]) -> list[str]:
    return " ".join(comments).split()  # Babel wraps a long comment over several lines


def _set(catalog: Catalog, key: str, text: str, comments: list[str]) -> bool:
    """Put a one-form ``text`` under ``key``; whether anything changed. A plural entry is kept."""
    old = catalog.get(key)
    if old is not None and isinstance(old.id, tuple):
        return False
    if old is not None and old.string == text and _words(old.auto_comments) == _words(comments) and not old.fuzzy:
        return False
    replace(catalog, key, text, comments)
    return True


def replace(catalog: Catalog, msgid: str | tuple[str, ...], text: str | tuple[str, ...], comments: list[str]) -> None:
    """Put a message in the catalog, keeping a translator's own comments (Babel's ``add`` keeps an old text)."""
    key = msgid if isinstance(msgid, str) else msgid[0]
    old = catalog.get(key)
    if old is not None:
        del catalog[key]
    catalog.add(msgid, text, auto_comments=comments, user_comments=list(old.user_comments) if old else [])


# --- migrate-register ------------------------------------------------------------------------------


def import_all() -> None:
    """Import every module of ``bot`` and ``adapters`` so that each ``register`` call has run."""
    for name, folder in PACKAGES.items():
        for info in pkgutil.walk_packages([str(folder)], f"{name}."):
            if info.name != __name__ and not info.name.endswith(".__main__"):
                importlib.import_module(info.name)


def merge_registered(declared: dict[str, dict[str, str]]) -> list[str]:
    """Every declared string into the catalogs; the catalogs (as files) and what changed."""
    report: list[str] = []
    catalogs = {lang: load(lang) for lang in i18n.LANGUAGES if lang in ("zh", i18n.HANT, "en")}
    for key, texts in sorted(declared.items()):
        english = texts["en"]
        changed_zh = False
        for lang in ("zh", "en"):
            comments = [f"en: {english}"] if lang != "en" else []
            old = catalogs[lang].get(key)
            if old is not None and isinstance(old.id, tuple):
                continue  # plural forms, written in the catalog itself
            if _set(catalogs[lang], key, texts[lang], comments):
                report.append(f"{key}: {'added to' if old is None else 'updated in'} {i18n.folder_of(lang)}")
                changed_zh |= lang == "zh"
        hant = catalogs[i18n.HANT].get(key)
        wanted = texts.get(i18n.HANT) or to_hant(texts["zh"])
        if hant is None or (changed_zh and not isinstance(hant.id, tuple)):
            _set(catalogs[i18n.HANT], key, wanted, [f"en: {english}"])
            report.append(f"{key}: {'added to' if hant is None else 'updated in'} zh_Hant")
    for lang, catalog in catalogs.items():
        save(lang, catalog)
    return report


def sources() -> list[Path]:
    return sorted(path for folder in PACKAGES.values() for path in folder.rglob("*.py"))


@dataclass(frozen=True)
class Call:
    path: Path
    start: int  # first line, 1-based
    end: int  # last line


def register_calls(path: Path) -> tuple[list[Call], list[str]]:
    """The module-level ``register(...)`` statements of a file, and any call it can't remove."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls, odd = [], []
    top = {id(stmt) for stmt in tree.body}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        via_i18n = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "i18n"
        if name != "register" or not (isinstance(func, ast.Name) or via_i18n):
            continue
        if id(node) in top and node.end_lineno is not None:
            calls.append(Call(path, node.lineno, node.end_lineno))
        else:
            odd.append(f"{path}:{node.lineno}: register() not at module level, left in place")
    return calls, odd


def _imports_register(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(n, ast.ImportFrom) and n.module == "bot.i18n" and any(a.name == "register" for a in n.names)
        for n in tree.body
    )


def _tidy_blank_lines(lines: list[str], at: int) -> None:
    """Where a statement was deleted: the blank lines ruff's formatter and isort would leave there."""
    first = at
    while first > 0 and not lines[first - 1].strip():
        first -= 1
    last = at
    while last < len(lines) and not lines[last].strip():
        last += 1
    if first == 0 or last == len(lines):
        return
    after = lines[last].lstrip()
    before = lines[first - 1]
    top_level_def = after.startswith(("def ", "async def ", "class ", "@")) and lines[last][0] not in " \t"
    after_import = before.startswith(("import ", "from ")) or (before.strip() == ")" and _in_import(lines, first - 1))
    wanted = 2 if top_level_def else 1 if after_import else min(last - first, 2)
    lines[first:last] = ["\n"] * wanted


def _in_import(lines: list[str], closing: int) -> bool:
    """Whether the ``)`` on line ``closing`` ends a ``from … import (`` statement."""
    for line in reversed(lines[:closing]):
        if line.startswith("from "):
            return line.rstrip().endswith("(")
        if not line.startswith((" ", "\t")):
            return False
    return False


def _uses_imported_register(body: list[ast.stmt]) -> bool:
    """Whether code reads the module's ``register`` (not a function's own ``def register``)."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            own = any(isinstance(s, ast.FunctionDef) and s.name == "register" for s in stmt.body)
            decorators = [n for d in stmt.decorator_list for n in ast.walk(d)]
            if any(isinstance(n, ast.Name) and n.id == "register" for n in decorators):
                return True
            if not own and _uses_imported_register(stmt.body):
                return True
            continue
        if isinstance(stmt, ast.ClassDef):
            if _uses_imported_register(stmt.body):
                return True
            continue
        if any(isinstance(n, ast.Name) and n.id == "register" for n in ast.walk(stmt)):
            return True
    return False


def remove_calls(path: Path, calls: list[Call]) -> None:
    """Delete the calls, drop ``register`` from the file's ``from bot.i18n import``, tidy blank lines."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for call in sorted(calls, key=lambda c: c.start, reverse=True):
        del lines[call.start - 1 : call.end]
        _tidy_blank_lines(lines, call.start - 1)
    text = "".join(lines)
    tree = ast.parse(text)
    if not _uses_imported_register(tree.body):
        lines = text.splitlines(keepends=True)
        for node in sorted(tree.body, key=lambda n: n.lineno, reverse=True):
            if isinstance(node, ast.ImportFrom) and node.module == "bot.i18n" and node.end_lineno is not None:
                names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names]
                kept = [n for n in names if n != "register"]
                if kept == names:
                    continue
                new = [f"from bot.i18n import {', '.join(kept)}\n"] if kept else []
                lines[node.lineno - 1 : node.end_lineno] = new
        text = "".join(lines)
    text = re.sub(r"\n{4,}", "\n\n\n", text)  # at most two blank lines where a call was
    path.write_text(text, encoding="utf-8")


def migrate(keep_source: bool) -> list[str]:
    import_all()
    report = merge_registered(i18n.registered())
    if keep_source:
        return report
    for path in sources():
        if path.name == "i18n.py" and path.parent == BOT_DIR:
            continue
        calls, odd = register_calls(path)
        report += odd
        if calls:
            remove_calls(path, calls)
            report.append(f"{path.relative_to(BOT_DIR.parent)}: removed {len(calls)} register() call(s)")
    return report


# --- extract, init, update -------------------------------------------------------------------------


def template() -> Catalog:
    """Every message id, with the English text as a comment and the English plural shape."""
    english = load("en")
    pot = Catalog(domain=i18n.DOMAIN, project="confbot", version="0.1", fuzzy=False)
    pot.header_comment = "# confbot's message template. Each msgid is a stable key; see docs/translating.md.\n#"
    ids: dict[str, Message | None] = {m.id if isinstance(m.id, str) else m.id[0]: m for m in english if m.id}
    for lang in i18n.LANGUAGES:
        for message in load(lang):
            if message.id:
                ids.setdefault(message.id if isinstance(message.id, str) else message.id[0], None)
    for key in i18n.registered():
        ids.setdefault(key, None)
    for key, en in sorted(ids.items()):
        plural = en is not None and isinstance(en.id, tuple)
        pot.add((key, key) if plural else key, ("", "") if plural else "", auto_comments=_english_comment(en))
    return pot


def extract() -> Path:
    import_all()
    out = io.BytesIO()
    write_po(out, template(), width=WIDTH, sort_output=True, omit_header=False)
    TEMPLATE.write_bytes(out.getvalue())
    return TEMPLATE


def add_missing(lang: str, pot: Catalog) -> int:
    """The template's ids missing from ``lang``'s catalog, empty (converted for zh_Hant); how many."""
    catalog, added = load(lang), 0
    source = load(SOURCE) if lang == i18n.HANT else None
    for entry in pot:
        if not entry.id or entry.id in catalog:
            continue
        key = entry.id if isinstance(entry.id, str) else entry.id[0]
        origin = source.get(key) if source is not None else None
        if origin is not None:
            forms = tuple(to_hant(s) for s in strings(origin))
            catalog.add(origin.id, forms[0] if isinstance(origin.id, str) else forms, auto_comments=entry.auto_comments)
        else:
            nplurals = catalog.num_plurals
            catalog.add(
                entry.id, ("",) * nplurals if isinstance(entry.id, tuple) else "", auto_comments=entry.auto_comments
            )
        added += 1
    save(lang, catalog)
    return added


# --- check, compile --------------------------------------------------------------------------------


def _key_args(call: ast.Call) -> list[ast.expr]:
    """The arguments of a call that are message keys: ``t(lang, KEY)``, ``ctx.t(KEY)``,
    ``UsageError(KEY)``, ``help_key=KEY`` (and any other ``…_key=``)."""
    func, args = call.func, call.args
    found: list[ast.expr] = [k.value for k in call.keywords if k.arg is not None and k.arg.endswith("_key")]
    if isinstance(func, ast.Name) and func.id in ("t", "text_of") and len(args) > 1:
        found.append(args[1])
    elif (
        isinstance(func, ast.Attribute) and func.attr == "t" or isinstance(func, ast.Name) and func.id == "UsageError"
    ) and args:
        found.append(args[0])
    return found


def keys_in_code() -> dict[str, str]:
    """Message keys written as literals where code asks for a message, and where the first one is."""
    found: dict[str, str] = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for arg in _key_args(node):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                        found.setdefault(arg.value, f"{path.relative_to(BOT_DIR.parent)}:{arg.lineno}")
    return found


def problems() -> Iterator[str]:
    """Every way a catalog is incomplete or inconsistent, one line each."""
    catalogs = {lang: load(lang) for lang in i18n.LANGUAGES}
    ids: dict[str, set[str]] = {}
    for lang, catalog in catalogs.items():
        for message in catalog:
            if message.id:
                ids.setdefault(message.id if isinstance(message.id, str) else message.id[0], set()).add(lang)
    for key in sorted(ids):
        english = catalogs["en"].get(key)
        expected = set().union(*(placeholders(s) for s in strings(english))) if english is not None else None
        for lang, catalog in catalogs.items():
            where = f"{i18n.folder_of(lang)}: {key}"
            found = catalog.get(key)
            if found is None:
                yield f"{where}: missing"
                continue
            message, texts = found, strings(found)
            if message.fuzzy:
                yield f"{where}: fuzzy (needs review)"
            if not all(texts):
                yield f"{where}: empty translation"
            if isinstance(message.id, tuple) and len(texts) != catalog.num_plurals:
                yield f"{where}: {len(texts)} plural forms, the language has {catalog.num_plurals}"
            for text in texts:
                if text and expected is not None and placeholders(text) != expected:
                    yield f"{where}: placeholders {sorted(placeholders(text))}, English has {sorted(expected)}"
    for key, origin in sorted(keys_in_code().items()):
        if key not in ids:
            yield f"{origin}: {key} is in no catalog"
    for key in sorted(i18n.registered()):
        if key not in ids:
            yield f"{key}: declared with register() but in no catalog (run migrate-register)"


def compile_all(out: Path | None) -> list[Path]:
    written = []
    for lang in i18n.LANGUAGES:
        folder = (out or i18n.LOCALE_DIR) / i18n.folder_of(lang) / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i18n.DOMAIN}.mo"
        with path.open("wb") as fp:
            write_mo(fp, load(lang))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n_tools", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    migrate_p = sub.add_parser("migrate-register", help="move register({...}) strings into the catalogs")
    migrate_p.add_argument("--keep-source", action="store_true", help="leave the register() calls in place")
    sub.add_parser("extract", help=f"write {TEMPLATE.relative_to(BOT_DIR.parent)}")
    init_p = sub.add_parser("init", help="start a new language's catalog from the template")
    init_p.add_argument("locale", help="a Babel locale: fr, de, pt_BR")
    sub.add_parser("update", help="add the template's new message ids to every catalog")
    sub.add_parser("check", help="every catalog complete and consistent")
    compile_p = sub.add_parser("compile", help="write .mo files")
    compile_p.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "migrate-register":
        for line in migrate(args.keep_source):
            print(line)
    elif args.command == "extract":
        print(extract())
    elif args.command == "init":
        lang = i18n.code_of(args.locale)
        if catalog_path(lang).exists():
            parser.error(f"{catalog_path(lang)} exists already")
        import_all()
        print(f"{catalog_path(lang)}: {add_missing(lang, template())} messages to translate")
    elif args.command == "update":
        import_all()
        pot = template()
        for lang in i18n.LANGUAGES:
            print(f"{i18n.folder_of(lang)}: {add_missing(lang, pot)} added")
    elif args.command == "check":
        import_all()
        found = list(problems())
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "every catalog is complete")
        return 1 if found else 0
    elif args.command == "compile":
        for path in compile_all(args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
