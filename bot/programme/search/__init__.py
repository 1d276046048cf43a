"""Bilingual search over talks and speakers: Chinese substrings, pinyin, English, typos.

``SearchIndex(programme)`` builds everything once; ``search``, ``find_speakers`` and
``suggest`` only read it. Text helpers (normalization, pinyin) live in ``bot.programme.search.text``.
"""

from __future__ import annotations

from bot.programme.search.index import Hit, SearchIndex
from bot.programme.search.text import normalize, pinyin_of, query_terms

__all__ = ["Hit", "SearchIndex", "normalize", "pinyin_of", "query_terms"]
