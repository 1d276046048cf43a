"""Bilingual search over talks and speakers: Chinese substrings, pinyin, English, typos.

``SearchIndex(programme)`` builds everything once; ``search``, ``find_speakers`` and
``suggest`` only read it. Text helpers (normalization, pinyin) live in ``bot.search.text``.
"""

from __future__ import annotations

from bot.search.index import Hit, SearchIndex
from bot.search.text import normalize, pinyin_of, query_terms

__all__ = ["Hit", "SearchIndex", "normalize", "pinyin_of", "query_terms"]
