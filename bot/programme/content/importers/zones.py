"""A conference's time zone from the city or venue its schedule names (``Brussels`` → Europe/Brussels).

The cities are the city parts of the IANA zones (``zoneinfo.available_timezones()``, so the list
follows the installed tz database), plus a few cities that are not a zone's name but are common
conference hosts (Beijing, Shenzhen, 臺北...). Words that are also everyday words or names
(``North``, ``Easter``, ``Phoenix``, ``Darwin``...) are left out: a wrong zone is worse than asking.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from zoneinfo import available_timezones

AREAS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
# zone cities that are everyday words, names or project names in a conference's title or venue
AMBIGUOUS = frozenset(
    {
        *("north", "south", "west", "east", "center", "central", "easter", "wake", "midway", "christmas"),
        *("canary", "darwin", "stanley", "jersey", "victoria", "reunion", "davis", "casey", "palmer"),
        *("troll", "johnston", "knox", "truk", "yap", "phoenix", "virgin", "regina", "marengo"),
        *("monticello", "chatham", "macquarie", "act", "nsw", "queensland", "tasmania", "general"),
        *("acre", "universal", "nome", "eucla", "currie", "lindeman", "mendoza", "cordoba", "salta"),
        *("jujuy", "catamarca", "rosario"),
    }
)
# common conference cities that no zone is named after: the zone they keep
ALIASES = {
    "beijing": "Asia/Shanghai",
    "peking": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "hangzhou": "Asia/Shanghai",
    "nanjing": "Asia/Shanghai",
    "chengdu": "Asia/Shanghai",
    "wuhan": "Asia/Shanghai",
    "xi'an": "Asia/Shanghai",
    "xian": "Asia/Shanghai",
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "深圳": "Asia/Shanghai",
    "广州": "Asia/Shanghai",
    "杭州": "Asia/Shanghai",
    "南京": "Asia/Shanghai",
    "成都": "Asia/Shanghai",
    "武汉": "Asia/Shanghai",
    "西安": "Asia/Shanghai",
    "台北": "Asia/Taipei",
    "臺北": "Asia/Taipei",
    "新竹": "Asia/Taipei",
    "台中": "Asia/Taipei",
    "臺中": "Asia/Taipei",
    "高雄": "Asia/Taipei",
    "香港": "Asia/Hong_Kong",
    "东京": "Asia/Tokyo",
    "東京": "Asia/Tokyo",
    "首尔": "Asia/Seoul",
    "首爾": "Asia/Seoul",
    "新加坡": "Asia/Singapore",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "washington": "America/New_York",
    "boston": "America/New_York",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "leipzig": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "bruxelles": "Europe/Brussels",
}
WORD = re.compile(r"[A-Za-zÀ-ÿ'’.-]+|[\u3400-\u9fff]+")


@cache
def cities() -> dict[str, str]:
    """Lowercased city (spaces for underscores) → its zone; the first zone of a city wins."""
    found: dict[str, str] = {}
    for name in sorted(available_timezones()):
        parts = name.split("/")
        if len(parts) != 2 or parts[0] not in AREAS:
            continue
        city = parts[1].replace("_", " ").lower()
        if city not in AMBIGUOUS:
            found.setdefault(city, name)
    return {**found, **ALIASES}


def zone_of_place(*texts: str | None) -> str | None:
    """The zone of the first city named in ``texts`` (a city field, a venue, an address, a name)."""
    known = cities()
    for text in texts:
        if not text:
            continue
        for chinese in (t for t in WORD.findall(text) if "\u3400" <= t[0] <= "\u9fff"):
            for city, name in ALIASES.items():
                if "\u3400" <= city[0] <= "\u9fff" and city in chinese:
                    return name
        words = [w.strip(".-'’").lower() for w in WORD.findall(text) if not "\u3400" <= w[0] <= "\u9fff"]
        for size in (3, 2, 1):  # "Mexico City", "Buenos Aires" before "Mexico"
            for i in range(len(words) - size + 1):
                found = known.get(" ".join(words[i : i + size]))
                if found:
                    return found
    return None


def zone_to_try(*texts: str | None) -> str:
    """A zone to suggest when none was found: one whose city resembles a word of ``texts``."""
    known = cities()
    for text in texts:
        for word in WORD.findall(text or ""):
            close = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=0.75)
            if close:
                return known[close[0]]
    return "Europe/Brussels"
