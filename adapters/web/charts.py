"""Charts drawn on the server as inline SVG (no script, nothing from another host): horizontal bars,
one row per item, each bar split into coloured parts (a status, a number of stars…) with a legend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 26  # px per bar
LABEL = 260  # px for the row labels
BAR = 420  # px for the longest bar
VALUE = 70  # px for the number after a bar
LABEL_CHARS = 34
COLOURS = ("#2a6ebb", "#e0a100", "#c0392b", "#7f8c8d", "#8e44ad", "#27ae60")


@dataclass(frozen=True)
class Bar:
    """One row: its label, its parts (their values, in the chart's part order) and the number shown."""

    label: str
    parts: tuple[float, ...]
    shown: str


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bars(title: str, rows: Sequence[Bar], legend: Sequence[str] = (), scale: float | None = None) -> Markup:
    """A bar chart: ``legend`` names the parts (none for a one-part chart); ``scale`` is the value of a
    full-length bar (default: the longest row)."""
    longest = scale or max((sum(r.parts) for r in rows), default=0) or 1
    top = ROW if legend else 6
    height = top + ROW * max(len(rows), 1) + 6
    width = LABEL + BAR + VALUE
    out = [
        f'<svg class="chart" data-testid="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL
    for i, name in enumerate(legend):
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
        x += 22 + 8 * len(name)
    for n, row in enumerate(rows):
        y = top + n * ROW
        out.append(
            f'<text x="{LABEL - 8}" y="{y + 17}" font-size="13" text-anchor="end">{escape(_short(row.label))}</text>'
        )
        x0 = float(LABEL)
        for i, value in enumerate(row.parts):
            w = BAR * value / longest
            if w > 0:
                colour = COLOURS[i % len(COLOURS)]
                out.append(f'<rect x="{x0:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" fill="{colour}"/>')
            x0 += w
        out.append(f'<text x="{x0 + 6:.1f}" y="{y + 17}" font-size="13">{escape(row.shown)}</text>')
    if not rows:
        out.append(f'<text x="{LABEL}" y="{top + 17}" font-size="13" fill="#777">—</text>')
    out.append("</svg>")
    return Markup("".join(out))
