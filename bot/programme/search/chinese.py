"""Variant Chinese spellings through OpenCC: Traditional characters and Taiwanese phrasing.

The index and the queries are both folded to Simplified characters (``t2s``), so 網絡 finds
网络 and a Traditional programme is found by Simplified queries. A term that still finds
nothing is also tried in its mainland phrasing (``tw2sp``): 網路 and 网路 become 网络.
"""

from __future__ import annotations

import re
from functools import cache

import opencc

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional characters to Simplified, character by character and by common phrase."""
    return _converter("t2s").convert(text) if _CJK.search(text) else text


def mainland_forms(term: str) -> list[str]:
    """Other spellings of a Chinese term in mainland usage (``网路`` → ``网络``), not the term itself.

    The term goes to Traditional and back through the Taiwan phrase table, so a Taiwanese word
    typed in either script is recognised.
    """
    if not _CJK.search(term):
        return []
    back = _converter("tw2sp")
    forms = {back.convert(term), back.convert(_converter("s2t").convert(term))}
    forms.discard(term)
    return sorted(forms)
