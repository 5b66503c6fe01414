"""Charts drawn on the server as SVG: plain data in, safe markup out (no ORM, no script, no web font).

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` (what a screen reader says), a viewBox and
`width="100%"` so that it scales with its column, black text in the system's fonts (Chinese renders), and series
told apart without colour: each series has its own fill pattern (solid, hatched, dotted, cross-hatched) and every
bar carries its number, so a black-and-white printout reads the same. The numbers are also in a table beside
each chart on the page (the template's job).

Labels are escaped here: a school's name is user data.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 420  # viewBox units; the chart is drawn at its column's width (about 1 unit = 1 px on a desktop)
FONT = 14  # user units: about 11 px on a 390 px phone, 19 px in a desktop column
SMALL = 12.5  # numbers on and after the bars, axis ticks
LABEL_SHARE = 0.46  # at most this share of the width for a bar's label ("中等职业学校实习指导…", "Treated as withdrawn")
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
FONT_FAMILY = ('system-ui, -apple-system, &quot;PingFang SC&quot;, &quot;Microsoft YaHei&quot;, '
               '&quot;Noto Sans CJK SC&quot;, &quot;WenQuanYi Micro Hei&quot;, sans-serif')

# (colour, pattern kind) per series, in order. Colours are dark enough for AA against white, and the pattern
# alone tells the series apart in print.
STYLES: tuple[tuple[str, str], ...] = (
    ("#1f4e79", "solid"),
    ("#a4161a", "hatch"),
    ("#1a7f37", "dots"),
    ("#6e40c9", "cross"),
    ("#9a6700", "lines"),
    ("#57606a", "light"),
)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def text_width(text: str, size: float = FONT) -> float:
    """The drawn width of `text`, estimated: full-width (CJK) characters are 1 em, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def fit(text: str, width: float, size: float = FONT) -> str:
    """`text` cut with an ellipsis to fit `width` (the full text stays in the element's <title>)."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def nice_scale(value: float) -> tuple[float, float]:
    """(axis end, tick step): the step is 1, 2 or 5 × 10^k, at most 5 steps reach `value` (1 for nothing)."""
    if value <= 0:
        return 1, 1
    power = 10 ** math.floor(math.log10(value))
    for step in (power / 10, power / 5, power / 2, power, 2 * power, 5 * power):
        if math.ceil(value / step - 1e-9) <= 5:
            if float(step).is_integer() or value < 1:
                return round(step * math.ceil(value / step - 1e-9), 10), step
    return 10 * power, 2 * power  # pragma: no cover - the loop always returns


def nice_max(value: float) -> float:
    """The axis end for `value` (see nice_scale)."""
    return nice_scale(value)[0]


def number(value: float) -> str:
    """12 → "12", 2.5 → "2.5", 0.3333 → "0.3"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def _chart_id(*parts) -> str:
    return "c" + hashlib.sha256(repr(parts).encode()).hexdigest()[:8]


def _pattern(cid: str, index: int) -> str:
    colour, kind = STYLES[index % len(STYLES)]
    pid = f"{cid}-p{index}"
    if kind == "solid":
        return ""
    inner = {
        "hatch": f'<rect width="6" height="6" fill="#fff"/><path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="{colour}" '
                 'stroke-width="1.6"/>',
        "dots": f'<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.4" fill="{colour}"/>',
        "cross": f'<rect width="6" height="6" fill="#fff"/><path d="M0 0L6 6M6 0L0 6" stroke="{colour}" '
                 'stroke-width="1.1"/>',
        "lines": f'<rect width="5" height="5" fill="#fff"/><path d="M0 2.5H5" stroke="{colour}" stroke-width="1.6"/>',
        "light": '<rect width="4" height="4" fill="#eaeef2"/>',
    }[kind]
    size = {"dots": 5, "lines": 5, "light": 4}.get(kind, 6)
    return (f'<pattern id="{pid}" width="{size}" height="{size}" patternUnits="userSpaceOnUse">{inner}</pattern>')


def _fill(cid: str, index: int) -> str:
    colour, kind = STYLES[index % len(STYLES)]
    return colour if kind == "solid" else f"url(#{cid}-p{index})"


def _stroke(index: int) -> str:
    return STYLES[index % len(STYLES)][0]


def _open(cid: str, height: float, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {WIDTH} {height:g}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT}" fill="{INK}">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
    ]


def _legend(cid: str, labels: Sequence[str], y: float) -> tuple[list[str], float]:
    """Swatches with their labels, wrapped over as many lines as the width needs; returns (parts, height)."""
    parts, x, line = [], 0.0, 0
    for i, label in enumerate(labels):
        w = 14 + 5 + text_width(label) + 14
        if x and x + w > WIDTH:
            x, line = 0.0, line + 1
        top = y + line * 22
        parts.append(f'<rect x="{x:g}" y="{top + 3:g}" width="14" height="14" fill="{_fill(cid, i)}" '
                     f'stroke="{_stroke(i)}"/>')
        parts.append(f'<text x="{x + 19:g}" y="{top + 15:g}">{escape(label)}</text>')
        x += w
    return parts, (line + 1) * 22 if labels else 0


def _axis(x0: float, x1: float, top: float, bottom: float, scale_max: float, step: float) -> list[str]:
    parts = []
    ticks = round(scale_max / step)
    for k in range(ticks + 1):
        value = step * k
        x = x0 + (x1 - x0) * k / ticks
        parts.append(f'<line x1="{x:.1f}" y1="{top:g}" x2="{x:.1f}" y2="{bottom:g}" stroke="{GRID}" '
                     f'stroke-width="{1 if k else 1.5}"/>')
        anchor = "start" if k == 0 else "end" if k == ticks else "middle"
        parts.append(f'<text x="{x:.1f}" y="{bottom + 15:g}" font-size="{SMALL}" fill="{MUTED}" '
                     f'text-anchor="{anchor}">{number(round(value, 10))}</text>')
    return parts


def hbar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool = False,
               unit: str = "", desc: str = "", empty: str | None = None) -> SafeString:
    """Horizontal bars, one row per category: grouped (one bar per series) or stacked (segments end to end).

    Every bar (grouped) or segment wide enough for it (stacked) carries its value; stacked rows carry their
    total at the end. `unit` follows the numbers in the description ("人", "天").
    """
    empty = empty or _("暂无数据")
    cid = _chart_id("h", title, tuple(categories), tuple((s.label, tuple(s.values)) for s in series), stacked)
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {len(categories)} categories")
    if not desc:
        desc = "；".join(
            f"{c}：" + "，".join(f"{s.label} {number(s.values[i])}{unit}" for s in series)
            for i, c in enumerate(categories)
        ) or empty
    legend, legend_h = _legend(cid, [s.label for s in series], 0) if len(series) > 1 else ([], 0)
    label_w = min(max((text_width(c) for c in categories), default=0) + 8, WIDTH * LABEL_SHARE)
    value_w = 44  # room for the number after the longest bar
    x0, x1 = label_w, WIDTH - value_w
    bar_h = 20 if stacked or len(series) == 1 else 15
    row_h = bar_h + 8 if stacked or len(series) == 1 else len(series) * (bar_h + 1) + 9
    top = legend_h + (6 if legend_h else 2)
    plot_h = row_h * max(len(categories), 1)
    height = top + plot_h + 22
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max(totals if stacked else [v for s in series for v in s.values], default=0)
    scale_max, step = nice_scale(peak)
    span = x1 - x0

    def w(v: float) -> float:
        return span * v / scale_max

    parts = _open(cid, height, title, desc, "chart-hbar")
    defs = "".join(_pattern(cid, i) for i in range(len(series)))
    if defs:
        parts.append(f"<defs>{defs}</defs>")
    parts += legend
    parts += _axis(x0, x1, top, top + plot_h, scale_max, step)
    if not categories:
        parts.append(f'<text x="{WIDTH / 2:g}" y="{top + 14:g}" text-anchor="middle" fill="{MUTED}">'
                     f'{escape(empty)}</text>')
    for i, category in enumerate(categories):
        y = top + i * row_h + 4
        shown = fit(category, label_w - 8)
        label_y = y + (row_h - 8) / 2 + FONT * 0.35
        tip = f"<title>{escape(category)}</title>" if shown != category else ""
        parts.append(f'<text x="{label_w - 6:g}" y="{label_y:.1f}" text-anchor="end">{tip}{escape(shown)}</text>')
        if stacked:
            x = x0
            for j, s in enumerate(series):
                v = s.values[i]
                if v <= 0:
                    continue
                parts.append(f'<rect x="{x:.1f}" y="{y:g}" width="{w(v):.1f}" height="{bar_h}" fill="{_fill(cid, j)}" '
                             f'stroke="{_stroke(j)}" stroke-width="0.8"><title>{escape(s.label)}：{number(v)}</title>'
                             '</rect>')
                if w(v) >= text_width(number(v), SMALL) + 6:
                    parts.append(_boxed_number(x + w(v) / 2, y + bar_h / 2, v))
                x += w(v)
            parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h / 2 + 4:g}" font-weight="600">'
                         f'{number(totals[i])}</text>')
        else:
            for j, s in enumerate(series):
                v = s.values[i]
                by = y + j * (bar_h + 1)
                if v > 0:
                    parts.append(f'<rect x="{x0:g}" y="{by:g}" width="{w(v):.1f}" height="{bar_h}" '
                                 f'fill="{_fill(cid, j)}" stroke="{_stroke(j)}" stroke-width="0.8">'
                                 f'<title>{escape(s.label)}：{number(v)}</title></rect>')
                parts.append(f'<text x="{x0 + w(v) + 4:.1f}" y="{by + bar_h / 2 + 4.5:g}" font-size="{SMALL}">'
                             f'{number(v)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above went through escape()


def _boxed_number(cx: float, cy: float, v: float) -> str:
    """A number inside a patterned segment: on a white box, so it reads over any pattern and in print."""
    tw = text_width(number(v), SMALL)
    return (f'<rect x="{cx - tw / 2 - 2:.1f}" y="{cy - 8:.1f}" width="{tw + 4:.1f}" height="16" fill="#fff" rx="2"/>'
            f'<text x="{cx:.1f}" y="{cy + 4.5:.1f}" font-size="{SMALL}" text-anchor="middle">{number(v)}</text>')


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, unit: str = "", desc: str = "",
              empty: str | None = None) -> SafeString:
    """One series as vertical columns, each with its value on top and its label below (wrapped to 2 lines, 3 for
    a label of words)."""
    empty = empty or _("暂无数据")
    cid = _chart_id("v", title, tuple(items))
    if not desc:
        desc = "；".join(f"{label}：{number(v)}{unit}" for label, v in items) or empty
    n = max(len(items), 1)
    top, plot_h = 18, 150
    slot = WIDTH / n
    label_lines = [_wrap(label, slot - 4, 3 if " " in label else 2) for label, _ in items]
    lines = max((len(ls) for ls in label_lines), default=1)
    height = top + plot_h + 8 + lines * (FONT + 2) + 4
    scale_max, step = nice_scale(max((v for _, v in items), default=0))
    bar_w = min(slot * 0.6, 56)
    base = top + plot_h
    colour = STYLES[0][0]
    parts = _open(cid, height, title, desc, "chart-bar")
    parts.append(f'<line x1="0" y1="{base:g}" x2="{WIDTH}" y2="{base:g}" stroke="{INK}" stroke-width="1"/>')
    for k in range(1, round(scale_max / step) + 1):
        y = base - plot_h * k * step / scale_max
        parts.append(f'<line x1="0" y1="{y:g}" x2="{WIDTH}" y2="{y:g}" stroke="{GRID}" stroke-dasharray="3 3"/>')
    if not items:
        parts.append(f'<text x="{WIDTH / 2:g}" y="{base - plot_h / 2:g}" text-anchor="middle" fill="{MUTED}">'
                     f'{escape(empty)}</text>')
    for i, ((label, v), shown) in enumerate(zip(items, label_lines, strict=True)):
        cx = slot * i + slot / 2
        h = plot_h * v / scale_max
        if v > 0:
            parts.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{escape(label)}：{number(v)}</title></rect>')
        parts.append(f'<text x="{cx:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" font-weight="600">'
                     f'{number(v)}</text>')
        tip = f"<title>{escape(label)}</title>" if "".join(shown).rstrip("…") != label else ""
        parts.append(f'<text x="{cx:.1f}" y="{base + 8:g}" text-anchor="middle">{tip}' + "".join(
            f'<tspan x="{cx:.1f}" dy="{FONT + 2 if k else 7 + FONT * 0.6:g}">{escape(line)}</tspan>'
            for k, line in enumerate(shown)) + "</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above went through escape()


def _wrap(label: str, width: float, max_lines: int = 2) -> list[str]:
    """`label` over at most `max_lines` lines of `width`, the last one cut with an ellipsis if needed.

    Chinese breaks between any two characters; a label with spaces (English) breaks at a space when the line
    has one ("Final review done", not "Final rev / iew done")."""
    lines: list[str] = []
    start, n = 0, len(label)
    while start < n:
        end = start + 1
        while end < n and text_width(label[start:end + 1]) <= width:
            end += 1
        if end < n:
            space = label.rfind(" ", start + 1, end + 1)
            if space > start:
                end = space
        if len(lines) == max_lines - 1 and end < n:
            lines.append(fit(label[start:].strip(), width))
            break
        lines.append(label[start:end].strip())
        start = end
        while start < n and label[start] == " ":
            start += 1
    return lines or [""]
